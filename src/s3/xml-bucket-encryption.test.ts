import test from 'ava';
import { S3Error } from './errors.ts';
import { parseXmlBody } from './xml.ts';
import { parseServerSideEncryptionConfiguration, serverSideEncryptionConfigurationXml } from './xml-bucket-encryption.ts';

const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const body = (rule: string) => Buffer.from(`<ServerSideEncryptionConfiguration xmlns="${NS}">${rule}</ServerSideEncryptionConfiguration>`);
const aes = '<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule>';

test('GetBucketEncryption XML (golden)', (t) => {
  t.is(serverSideEncryptionConfigurationXml('AES256'), '<?xml version="1.0" encoding="UTF-8"?>\n'
    + `<ServerSideEncryptionConfiguration xmlns="${NS}"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm>`
    + '</ApplyServerSideEncryptionByDefault><BucketKeyEnabled>false</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>');
});

test('AES256 is accepted, with or without BucketKeyEnabled; the SDK\'s own output parses', async (t) => {
  t.is(parseServerSideEncryptionConfiguration(await parseXmlBody(body(aes))), 'AES256');
  const withKey = '<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled></Rule>';
  t.is(parseServerSideEncryptionConfiguration(await parseXmlBody(body(withKey))), 'AES256');
  t.is(parseServerSideEncryptionConfiguration(await parseXmlBody(Buffer.from(serverSideEncryptionConfigurationXml('AES256')))), 'AES256');
});

test('aws:kms, aws:kms:dsse and a KMS key id are NotImplemented; anything else off the schema is MalformedXML', async (t) => {
  const codeOf = async (xml: Buffer) => {
    const error = t.throws(() => parseServerSideEncryptionConfiguration(null), { instanceOf: S3Error });
    t.is(error.code, 'MalformedXML');
    try {
      parseServerSideEncryptionConfiguration(await parseXmlBody(xml));
      return 'accepted';
    } catch (caught) {
      return (caught as S3Error).code;
    }
  };
  for (const algorithm of ['aws:kms', 'aws:kms:dsse']) {
    t.is(await codeOf(body(aes.replace('AES256', algorithm))), 'NotImplemented', algorithm);
  }
  t.is(await codeOf(body(aes.replace('</SSEAlgorithm>', '</SSEAlgorithm><KMSMasterKeyID>k</KMSMasterKeyID>'))), 'NotImplemented');
  t.is(await codeOf(body(aes.replace('AES256', 'DES'))), 'MalformedXML');
  t.is(await codeOf(body('')), 'MalformedXML');
  t.is(await codeOf(body(aes + aes)), 'MalformedXML');
  t.is(await codeOf(body(aes.replace('</Rule>', '<BucketKeyEnabled>maybe</BucketKeyEnabled></Rule>'))), 'MalformedXML');
  t.is(await codeOf(Buffer.from('<Other/>')), 'MalformedXML');
});
