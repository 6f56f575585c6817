import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import test from 'ava';
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateBucketCommand, CreateMultipartUploadCommand,
  GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, ListPartsCommand, PutObjectCommand, UploadPartCommand, UploadPartCopyCommand, type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { checksumBase64 } from '../src/s3/checksums/algorithms.ts';
import { seededBytes, getObjectBytes, s3ErrorOf, addedFiles } from './cluster.ts';
import { useSharedCluster } from './shared-cluster.ts';

const MiB = 1024 * 1024;
// 4 MiB segments: an 8 MiB part is two segments, and segment-aligned copy ranges are easy to make.
const SEGMENT = 4 * MiB;
const cluster = useSharedCluster(test, { maxSegmentSize: SEGMENT }, async (started) => {
  await started.s3().send(new CreateBucketCommand({ Bucket: 'multipart' }));
});

const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest();
const getBytes = (s3: S3Client, Key: string, options: { Range?: string; PartNumber?: number } = {}) =>
  getObjectBytes(s3, { Bucket: 'multipart', Key, ...options });
const md5Hex = (bytes: Uint8Array) => md5(bytes).toString('hex');

test.serial('lib-storage Upload of a 100 MiB stream reads back byte-identical, by part and across part boundaries', async (t) => {
  const s3 = cluster().s3();
  const size = 100 * MiB;
  const partSize = 8 * MiB;
  const body = seededBytes(size, 42);
  const upload = new Upload({
    client: s3,
    params: { Bucket: 'multipart', Key: 'big/stream.bin', Body: Readable.from((function* () {
      for (let offset = 0; offset < size; offset += MiB) yield body.subarray(offset, offset + MiB);
    })()), ContentType: 'video/mp4' },
    partSize,
    queueSize: 4,
  });
  const result = await upload.done();

  const partCount = Math.ceil(size / partSize);
  const parts = Array.from({ length: partCount }, (_, i) => body.subarray(i * partSize, Math.min(size, (i + 1) * partSize)));
  const expectedEtag = `"${md5Hex(Buffer.concat(parts.map(md5)))}-${partCount}"`;
  t.is(result.ETag, expectedEtag);
  const crcs = Buffer.concat(parts.map((part) => { const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(part)); return crc; }));
  const compositeCrc = Buffer.alloc(4);
  compositeCrc.writeUInt32BE(crc32(crcs));
  t.is(result.ChecksumCRC32, `${compositeCrc.toString('base64')}-${partCount}`, 'lib-storage asked for CRC32: the composite form');

  const whole = await s3.send(new GetObjectCommand({ Bucket: 'multipart', Key: 'big/stream.bin' }));
  t.is(whole.ContentLength, size);
  t.is(whole.ETag, expectedEtag);
  t.is(whole.ContentType, 'video/mp4');
  const digest = createHash('sha256');
  for await (const piece of whole.Body as AsyncIterable<Uint8Array>) digest.update(piece);
  t.is(digest.digest('hex'), createHash('sha256').update(body).digest('hex'), 'whole object byte-identical');

  for (const boundary of [partSize, 2 * partSize, 12 * partSize]) {
    for (const [start, end] of [[boundary - 1, boundary], [boundary - 70_000, boundary + 70_000], [boundary - SEGMENT - 3, boundary + 5]]) {
      const got = await getBytes(s3, 'big/stream.bin', { Range: `bytes=${start}-${end}` });
      t.true(got.equals(body.subarray(start!, end! + 1)), `range ${start}-${end}`);
    }
  }

  const head = await s3.send(new HeadObjectCommand({ Bucket: 'multipart', Key: 'big/stream.bin', PartNumber: 2 }));
  t.is(head.PartsCount, partCount);
  t.is(head.ContentLength, partSize);
  t.is(head.ETag, expectedEtag);
  const last = await s3.send(new GetObjectCommand({ Bucket: 'multipart', Key: 'big/stream.bin', PartNumber: partCount }));
  t.is(last.PartsCount, partCount);
  t.is(last.ContentRange, `bytes ${(partCount - 1) * partSize}-${size - 1}/${size}`);
  t.true(Buffer.from(await last.Body!.transformToByteArray()).equals(parts.at(-1)!));
  t.deepEqual(await s3ErrorOf(t, getBytes(s3, 'big/stream.bin', { PartNumber: partCount + 1 })), { name: 'InvalidPart', status: 400 });
});

test.serial('Complete checks order, presence, ETags and sizes with S3\'s codes, then publishes', async (t) => {
  const s3 = cluster().s3();
  const Key = 'checked.bin';
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'multipart', Key, Metadata: { origin: 'test' } }));
  const bodies = [seededBytes(5 * MiB, 1), seededBytes(5 * MiB + 3, 2), seededBytes(1000, 3)];
  const etags: string[] = [];
  for (const [index, Body] of bodies.entries()) {
    etags.push((await s3.send(new UploadPartCommand({ Bucket: 'multipart', Key, UploadId, PartNumber: index + 1, Body }))).ETag!);
  }
  t.is(etags[0], `"${md5Hex(bodies[0]!)}"`);
  const complete = (Parts: { PartNumber: number; ETag: string }[], uploadId = UploadId) =>
    s3.send(new CompleteMultipartUploadCommand({ Bucket: 'multipart', Key, UploadId: uploadId, MultipartUpload: { Parts } }));
  const all = etags.map((ETag, index) => ({ PartNumber: index + 1, ETag }));

  t.deepEqual(await s3ErrorOf(t, complete([all[1]!, all[0]!])), { name: 'InvalidPartOrder', status: 400 });
  t.deepEqual(await s3ErrorOf(t, complete([all[0]!, { PartNumber: 4, ETag: etags[2]! }])), { name: 'InvalidPart', status: 400 });
  t.deepEqual(await s3ErrorOf(t, complete([{ PartNumber: 1, ETag: etags[1]! }, all[2]!])), { name: 'InvalidPart', status: 400 });
  t.deepEqual(await s3ErrorOf(t, complete([all[0]!, all[1]!, { PartNumber: 5, ETag: etags[2]! }])), { name: 'InvalidPart', status: 400 });
  t.deepEqual(await s3ErrorOf(t, complete([{ PartNumber: 1, ETag: etags[2]! }])), { name: 'InvalidPart', status: 400 });
  t.deepEqual(await s3ErrorOf(t, complete(all, 'no-such-upload')), { name: 'NoSuchUpload', status: 404 });
  t.deepEqual(
    await s3ErrorOf(t, s3.send(new UploadPartCommand({ Bucket: 'multipart', Key, UploadId, PartNumber: 10_001, Body: 'x' }))),
    { name: 'InvalidArgument', status: 400 },
  );

  // A small part anywhere but last is EntityTooSmall; re-uploading part 2 replaces it.
  const small = seededBytes(100 * 1024, 4);
  const smallEtag = (await s3.send(new UploadPartCommand({ Bucket: 'multipart', Key, UploadId, PartNumber: 2, Body: small }))).ETag!;
  t.deepEqual(
    await s3ErrorOf(t, complete([all[0]!, { PartNumber: 2, ETag: smallEtag }, all[2]!])),
    { name: 'EntityTooSmall', status: 400 },
  );
  t.deepEqual(await s3ErrorOf(t, complete(all)), { name: 'InvalidPart', status: 400 }, 'the old part 2 is gone');

  const result = await complete([all[0]!, { PartNumber: 2, ETag: smallEtag }]);
  t.is(result.ETag, `"${md5Hex(Buffer.concat([md5(bodies[0]!), md5(small)]))}-2"`);
  const expected = Buffer.concat([bodies[0]!, small]);
  t.true((await getBytes(s3, Key)).equals(expected));
  const head = await s3.send(new HeadObjectCommand({ Bucket: 'multipart', Key }));
  t.deepEqual(head.Metadata, { origin: 'test' });
  t.true((await getBytes(s3, Key, { PartNumber: 2 })).equals(small));
  // SDKs retry a Complete whose answer they missed: the retry gets the same result, as on S3…
  const retried = await complete([all[0]!, { PartNumber: 2, ETag: smallEtag }]);
  t.is(retried.ETag, result.ETag);
  t.is(retried.Location, result.Location);
  // …until the key holds another version: then the upload is simply gone.
  await s3.send(new PutObjectCommand({ Bucket: 'multipart', Key, Body: 'replaced' }));
  t.deepEqual(await s3ErrorOf(t, complete([all[0]!, { PartNumber: 2, ETag: smallEtag }])), { name: 'NoSuchUpload', status: 404 }, 'a completed upload is gone');
});

test.serial('a CRC64NVME upload gets the whole object\'s checksum (FULL_OBJECT), which the SDK validates on GET', async (t) => {
  const s3 = cluster().s3();
  const Key = 'full-object.bin';
  const created = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'multipart', Key, ChecksumAlgorithm: 'CRC64NVME' }));
  t.is(created.ChecksumType, 'FULL_OBJECT');
  const bodies = [seededBytes(5 * MiB, 11), seededBytes(100_001, 12)];
  const Parts: { PartNumber: number; ETag: string; ChecksumCRC64NVME: string }[] = [];
  for (const [index, Body] of bodies.entries()) {
    const part = await s3.send(new UploadPartCommand({
      Bucket: 'multipart', Key, UploadId: created.UploadId, PartNumber: index + 1, Body, ChecksumAlgorithm: 'CRC64NVME',
    }));
    t.is(part.ChecksumCRC64NVME, checksumBase64('crc64nvme', Body));
    Parts.push({ PartNumber: index + 1, ETag: part.ETag!, ChecksumCRC64NVME: part.ChecksumCRC64NVME! });
  }
  const whole = checksumBase64('crc64nvme', Buffer.concat(bodies));
  const complete = (ChecksumCRC64NVME: string) => s3.send(new CompleteMultipartUploadCommand({
    Bucket: 'multipart', Key, UploadId: created.UploadId, ChecksumType: 'FULL_OBJECT', ChecksumCRC64NVME, MultipartUpload: { Parts },
  }));
  t.deepEqual(await s3ErrorOf(t, complete(checksumBase64('crc64nvme', Buffer.from('other')))), { name: 'BadDigest', status: 400 });
  const result = await complete(whole);
  t.is(result.ChecksumCRC64NVME, whole);
  t.is(result.ChecksumType, 'FULL_OBJECT');
  const retried = await complete(whole);
  t.deepEqual([retried.ETag, retried.ChecksumCRC64NVME, retried.ChecksumType], [result.ETag, whole, 'FULL_OBJECT'], 'a retried Complete answers the same');
  const got = await s3.send(new GetObjectCommand({ Bucket: 'multipart', Key, ChecksumMode: 'ENABLED' }));
  t.is(got.ChecksumCRC64NVME, whole);
  t.true(Buffer.from(await got.Body!.transformToByteArray()).equals(Buffer.concat(bodies)), 'read back, checksum validated by the SDK');
});

test.serial('Abort deletes the parts\' shard files; an unknown upload is NoSuchUpload', async (t) => {
  const running = cluster();
  const s3 = running.s3();
  const before = running.allShardFiles();
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'multipart', Key: 'aborted' }));
  await s3.send(new UploadPartCommand({ Bucket: 'multipart', Key: 'aborted', UploadId, PartNumber: 1, Body: seededBytes(SEGMENT + 10, 5) }));
  await s3.send(new UploadPartCommand({ Bucket: 'multipart', Key: 'aborted', UploadId, PartNumber: 2, Body: seededBytes(10, 6) }));
  const partFiles = addedFiles(before, running.allShardFiles());
  t.is(partFiles.length, 3 * 6, 'two segments and one, six shards each');
  await s3.send(new AbortMultipartUploadCommand({ Bucket: 'multipart', Key: 'aborted', UploadId }));
  t.deepEqual(await running.waitUntilShardFilesGone(partFiles), []);
  t.deepEqual(
    await s3ErrorOf(t, s3.send(new AbortMultipartUploadCommand({ Bucket: 'multipart', Key: 'aborted', UploadId }))),
    { name: 'NoSuchUpload', status: 404 },
  );
  t.deepEqual(
    await s3ErrorOf(t, s3.send(new UploadPartCommand({ Bucket: 'multipart', Key: 'aborted', UploadId, PartNumber: 3, Body: 'late' }))),
    { name: 'NoSuchUpload', status: 404 },
  );
  t.deepEqual(await running.waitUntilShardFilesGone(addedFiles(before, running.allShardFiles())), [], 'the late part left nothing behind');
});

test.serial('ListParts and ListMultipartUploads page with their markers', async (t) => {
  const s3 = cluster().s3();
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'multipart', Key: 'listed/parts' }));
  for (const PartNumber of [1, 2, 3, 5, 8]) {
    await s3.send(new UploadPartCommand({ Bucket: 'multipart', Key: 'listed/parts', UploadId, PartNumber, Body: `part ${PartNumber}` }));
  }
  const first = await s3.send(new ListPartsCommand({ Bucket: 'multipart', Key: 'listed/parts', UploadId, MaxParts: 2 }));
  t.deepEqual(first.Parts?.map((part) => part.PartNumber), [1, 2]);
  t.true(first.IsTruncated);
  t.is(first.NextPartNumberMarker, '2');
  t.is(first.Parts?.[0]?.Size, 'part 1'.length);
  t.is(first.Parts?.[0]?.ETag, `"${md5Hex(Buffer.from('part 1'))}"`);
  const second = await s3.send(new ListPartsCommand({ Bucket: 'multipart', Key: 'listed/parts', UploadId, MaxParts: 2, PartNumberMarker: first.NextPartNumberMarker }));
  t.deepEqual(second.Parts?.map((part) => part.PartNumber), [3, 5]);
  const rest = await s3.send(new ListPartsCommand({ Bucket: 'multipart', Key: 'listed/parts', UploadId, PartNumberMarker: '5' }));
  t.deepEqual(rest.Parts?.map((part) => part.PartNumber), [8]);
  t.false(rest.IsTruncated);
  t.deepEqual(
    await s3ErrorOf(t, s3.send(new ListPartsCommand({ Bucket: 'multipart', Key: 'listed/other', UploadId }))),
    { name: 'NoSuchUpload', status: 404 },
  );

  const started = [UploadId!];
  for (const Key of ['listed/a', 'listed/a', 'listed/deep/x', 'listed/b']) {
    started.push((await s3.send(new CreateMultipartUploadCommand({ Bucket: 'multipart', Key }))).UploadId!);
  }
  const seen: string[] = [];
  let markers: { KeyMarker?: string; UploadIdMarker?: string } = {};
  for (let page = 0; page < 10; page++) {
    const listed = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'multipart', Prefix: 'listed/', MaxUploads: 2, ...markers }));
    seen.push(...(listed.Uploads ?? []).map((upload) => `${upload.Key} ${upload.UploadId}`));
    if (!listed.IsTruncated) break;
    markers = { KeyMarker: listed.NextKeyMarker, UploadIdMarker: listed.NextUploadIdMarker };
  }
  t.deepEqual(seen, [
    `listed/a ${started[1]}`, `listed/a ${started[2]}`, `listed/b ${started[4]}`, `listed/deep/x ${started[3]}`, `listed/parts ${started[0]}`,
  ], 'by key, then in the order they started');
  const rolled = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'multipart', Prefix: 'listed/', Delimiter: '/' }));
  t.deepEqual(rolled.CommonPrefixes?.map((prefix) => prefix.Prefix), ['listed/deep/']);
  t.deepEqual(rolled.Uploads?.map((upload) => upload.Key), ['listed/a', 'listed/a', 'listed/b', 'listed/parts']);
  t.truthy(rolled.Uploads?.[0]?.Initiated);
  for (const [index, Key] of ['listed/parts', 'listed/a', 'listed/a', 'listed/deep/x', 'listed/b'].entries()) {
    await s3.send(new AbortMultipartUploadCommand({ Bucket: 'multipart', Key, UploadId: started[index] }));
  }
  t.is((await s3.send(new ListMultipartUploadsCommand({ Bucket: 'multipart', Prefix: 'listed/' }))).Uploads, undefined);
});

test.serial('UploadPartCopy: a segment-aligned range shares segments, any other range is copied', async (t) => {
  const running = cluster();
  const s3 = running.s3();
  const source = seededBytes(2 * SEGMENT + 12_345, 9);
  await s3.send(new PutObjectCommand({ Bucket: 'multipart', Key: 'copy/source', Body: source }));
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'multipart', Key: 'copy/target' }));
  const files = running.allShardFiles();
  const aligned = await s3.send(new UploadPartCopyCommand({
    Bucket: 'multipart', Key: 'copy/target', UploadId, PartNumber: 1, CopySource: 'multipart/copy/source', CopySourceRange: `bytes=0-${2 * SEGMENT - 1}`,
  }));
  t.is(aligned.CopyPartResult?.ETag, `"${md5Hex(source.subarray(0, 2 * SEGMENT))}"`);
  t.deepEqual(addedFiles(files, running.allShardFiles()), [], 'the aligned part names the source\'s segments: no shard written');
  const start = 1_000_003;
  const end = start + 300_000;
  const copied = await s3.send(new UploadPartCopyCommand({
    Bucket: 'multipart', Key: 'copy/target', UploadId, PartNumber: 2, CopySource: '/multipart/copy%2Fsource', CopySourceRange: `bytes=${start}-${end}`,
  }));
  t.is(copied.CopyPartResult?.ETag, `"${md5Hex(source.subarray(start, end + 1))}"`);
  t.deepEqual(
    await s3ErrorOf(t, s3.send(new UploadPartCopyCommand({
      Bucket: 'multipart', Key: 'copy/target', UploadId, PartNumber: 3, CopySource: 'multipart/copy/source', CopySourceRange: `bytes=0-${source.length}`,
    }))),
    { name: 'InvalidRange', status: 416 },
  );
  t.deepEqual(
    await s3ErrorOf(t, s3.send(new UploadPartCopyCommand({
      Bucket: 'multipart', Key: 'copy/target', UploadId, PartNumber: 3, CopySource: 'multipart/copy/source', CopySourceRange: 'bytes=5-',
    }))),
    { name: 'InvalidArgument', status: 400 },
  );
  await s3.send(new CompleteMultipartUploadCommand({
    Bucket: 'multipart', Key: 'copy/target', UploadId, MultipartUpload: { Parts: [
      { PartNumber: 1, ETag: aligned.CopyPartResult!.ETag! }, { PartNumber: 2, ETag: copied.CopyPartResult!.ETag! },
    ] },
  }));
  const expected = Buffer.concat([source.subarray(0, 2 * SEGMENT), source.subarray(start, end + 1)]);
  t.true((await getBytes(s3, 'copy/target')).equals(expected));
  t.true((await getBytes(s3, 'copy/source')).equals(source));
});

test.serial('GetObject partNumber on an object uploaded whole: part 1 is the object, part 2 is InvalidPart', async (t) => {
  const s3 = cluster().s3();
  const body = seededBytes(777, 10);
  await s3.send(new PutObjectCommand({ Bucket: 'multipart', Key: 'single', Body: body }));
  const part = await s3.send(new GetObjectCommand({ Bucket: 'multipart', Key: 'single', PartNumber: 1 }));
  t.is(part.ContentRange, 'bytes 0-776/777');
  t.is(part.PartsCount, undefined);
  t.true(Buffer.from(await part.Body!.transformToByteArray()).equals(body));
  t.deepEqual(await s3ErrorOf(t, getBytes(s3, 'single', { PartNumber: 2 })), { name: 'InvalidPart', status: 400 });
  t.deepEqual(await s3ErrorOf(t, getBytes(s3, 'single', { PartNumber: 1, Range: 'bytes=0-1' })), { name: 'InvalidRequest', status: 400 });
});
