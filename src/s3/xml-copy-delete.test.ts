import test from 'ava';
import { copyObjectResultXml, copyPartResultXml, deleteResultXml } from './xml-copy-delete.ts';

const NS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';
const DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';

test('CopyObjectResult and CopyPartResult', (t) => {
  const lastModified = new Date(Date.UTC(2009, 9, 28, 22, 32, 0));
  t.is(
    copyObjectResultXml({ etag: '"9b2cf535f27731c974343645a3985328"', lastModified }),
    `${DECL}<CopyObjectResult ${NS}><ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag>` +
      '<LastModified>2009-10-28T22:32:00.000Z</LastModified></CopyObjectResult>',
  );
  t.is(
    copyPartResultXml({ etag: '"e"', lastModified, checksums: { sha256: 'X', crc32: 'Y' } }),
    `${DECL}<CopyPartResult ${NS}><ETag>&quot;e&quot;</ETag><LastModified>2009-10-28T22:32:00.000Z</LastModified>` +
      '<ChecksumCRC32>Y</ChecksumCRC32><ChecksumSHA256>X</ChecksumSHA256></CopyPartResult>',
  );
});

test('DeleteResult: deleted and refused keys in request order, escaped', (t) => {
  t.is(
    deleteResultXml([
      { kind: 'deleted', key: 'sample1.txt' },
      { kind: 'error', key: 'a&b\r', code: 'NoSuchVersion', message: 'The specified version does not exist.', versionId: 'v1' },
      { kind: 'deleted', key: 'x', versionId: 'null' },
    ]),
    `${DECL}<DeleteResult ${NS}><Deleted><Key>sample1.txt</Key></Deleted>` +
      '<Error><Key>a&amp;b&#xD;</Key><VersionId>v1</VersionId><Code>NoSuchVersion</Code><Message>The specified version does not exist.</Message></Error>' +
      '<Deleted><Key>x</Key><VersionId>null</VersionId></Deleted></DeleteResult>',
  );
  t.is(deleteResultXml([]), `${DECL}<DeleteResult ${NS}></DeleteResult>`, 'quiet mode with no errors');
});
