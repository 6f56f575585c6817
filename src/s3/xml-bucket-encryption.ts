/**
 * `?encryption` (ServerSideEncryptionConfiguration) for Put/GetBucketEncryption. shardgate's only
 * algorithm is `AES256` (SSE-S3); `aws:kms` and `aws:kms:dsse` are NotImplemented, anything else
 * is MalformedXML, as S3 answers a value outside its schema.
 */
import type { BucketEncryptionAlgorithm } from '../meta/store.ts';
import { S3Error } from './errors.ts';
import { S3_XML_NAMESPACE, XML_DECLARATION } from './xml.ts';

/** GetBucketEncryption. */
export function serverSideEncryptionConfigurationXml(algorithm: BucketEncryptionAlgorithm): string {
  return `${XML_DECLARATION}\n<ServerSideEncryptionConfiguration xmlns="${S3_XML_NAMESPACE}"><Rule>` +
    `<ApplyServerSideEncryptionByDefault><SSEAlgorithm>${algorithm}</SSEAlgorithm></ApplyServerSideEncryptionByDefault>` +
    '<BucketKeyEnabled>false</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>';
}

/** PutBucketEncryption's body (parseXmlBody's xml2js tree) → the algorithm. */
export function parseServerSideEncryptionConfiguration(parsed: unknown): BucketEncryptionAlgorithm {
  const malformed = () => new S3Error('MalformedXML');
  const root = field(parsed, 'ServerSideEncryptionConfiguration');
  const rules = list(root, 'Rule');
  if (rules.length !== 1) throw malformed();
  const rule = rules[0];
  if (!isObject(rule) || Object.keys(rule).some((name) => name !== 'ApplyServerSideEncryptionByDefault' && name !== 'BucketKeyEnabled')) throw malformed();
  const defaults = list(rule, 'ApplyServerSideEncryptionByDefault');
  if (defaults.length !== 1 || !isObject(defaults[0])) throw malformed();
  const settings = defaults[0];
  if (list(settings, 'KMSMasterKeyID').length > 0) throw new S3Error('NotImplemented', { message: 'shardgate has no KMS: KMSMasterKeyID is not supported.' });
  const algorithms = list(settings, 'SSEAlgorithm');
  if (algorithms.length !== 1 || typeof algorithms[0] !== 'string') throw malformed();
  const algorithm = algorithms[0];
  if (algorithm === 'aws:kms' || algorithm === 'aws:kms:dsse') {
    throw new S3Error('NotImplemented', { message: `shardgate has no KMS: SSEAlgorithm ${algorithm} is not supported, use AES256.` });
  }
  if (algorithm !== 'AES256') throw malformed();
  const bucketKey = list(rule, 'BucketKeyEnabled');
  if (bucketKey.length > 1 || (bucketKey.length === 1 && bucketKey[0] !== 'true' && bucketKey[0] !== 'false')) throw malformed();
  return algorithm;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function field(tree: unknown, name: string): Record<string, unknown> {
  const value = isObject(tree) ? tree[name] : undefined;
  if (!isObject(value)) throw new S3Error('MalformedXML');
  return value;
}

function list(node: Record<string, unknown>, name: string): unknown[] {
  const value = node[name];
  return Array.isArray(value) ? value : [];
}
