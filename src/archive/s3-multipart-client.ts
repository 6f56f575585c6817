/**
 * The multipart calls `archive pack --upload` makes, over `S3ObjectClient.send` (SigV4, no AWS SDK):
 * CreateMultipartUpload with a CRC-32 checksum, UploadPart with `x-amz-checksum-crc32`,
 * ListMultipartUploads for one key, ListParts, CompleteMultipartUpload and AbortMultipartUpload.
 * Listings are read page by page; XML answers are small (1,000 entries a page at most).
 */
import { createHash } from 'node:crypto';
import { EMPTY_SHA256_HEX } from '../s3/sigv4-canonical.ts';
import { S3RequestError, type S3ObjectClient } from './s3-object-client.ts';
import type { S3Location } from './s3-location.ts';

export interface UploadedPart {
  readonly partNumber: number;
  readonly size: number;
  readonly etag: string;
  /** Base64 of the big-endian CRC-32, as S3 reports it; null when the part has none. */
  readonly crc32: string | null;
}

export interface UploadInProgress {
  readonly uploadId: string;
  readonly initiated: string;
}

export class S3MultipartClient {
  constructor(private readonly client: S3ObjectClient) {}

  async create(location: S3Location, contentType: string): Promise<string> {
    const response = await this.client.send('POST', location, { 'content-type': contentType, 'x-amz-checksum-algorithm': 'CRC32' }, EMPTY_SHA256_HEX, undefined, 'uploads');
    await this.client.check(response, location, 'CreateMultipartUpload');
    const uploadId = xmlValue(await response.body.text(), 'UploadId');
    if (!uploadId) throw new S3RequestError(response.statusCode, null, 'CreateMultipartUpload: no UploadId in the answer');
    return uploadId;
  }

  /** Sends one part with its CRC-32 (which the gateway checks); returns its ETag. */
  async uploadPart(location: S3Location, uploadId: string, partNumber: number, bytes: Uint8Array, crc32Base64: string): Promise<string> {
    const query = `partNumber=${partNumber}&uploadId=${encodeURIComponent(uploadId)}`;
    const response = await this.client.send('PUT', location, {
      'content-length': String(bytes.length),
      'x-amz-checksum-crc32': crc32Base64,
    }, 'UNSIGNED-PAYLOAD', bytes, query);
    await this.client.check(response, location, `UploadPart ${partNumber}`);
    await response.body.dump();
    const etag = response.headers.etag;
    if (typeof etag !== 'string') throw new S3RequestError(response.statusCode, null, `UploadPart ${partNumber}: no ETag in the answer`);
    return etag;
  }

  /** Unfinished uploads of exactly this key, oldest first. */
  async uploadsOf(location: S3Location): Promise<UploadInProgress[]> {
    const bucket = { bucket: location.bucket, key: '' };
    const found: UploadInProgress[] = [];
    let keyMarker = '';
    let uploadIdMarker = '';
    for (;;) {
      const params = [`prefix=${rfc3986(location.key)}`, 'uploads='];
      if (keyMarker) params.push(`key-marker=${rfc3986(keyMarker)}`, `upload-id-marker=${rfc3986(uploadIdMarker)}`);
      const response = await this.client.send('GET', bucket, {}, EMPTY_SHA256_HEX, undefined, params.join('&'));
      await this.client.check(response, location, 'ListMultipartUploads');
      const text = await response.body.text();
      for (const upload of xmlBlocks(text, 'Upload')) {
        if (xmlValue(upload, 'Key') === location.key) found.push({ uploadId: xmlValue(upload, 'UploadId')!, initiated: xmlValue(upload, 'Initiated') ?? '' });
      }
      if (xmlValue(text, 'IsTruncated') !== 'true') return found;
      keyMarker = xmlValue(text, 'NextKeyMarker') ?? '';
      uploadIdMarker = xmlValue(text, 'NextUploadIdMarker') ?? '';
      if (!keyMarker) return found;
    }
  }

  /** Every part of the upload, by part number (a NoSuchUpload S3RequestError when it is gone). */
  async parts(location: S3Location, uploadId: string): Promise<UploadedPart[]> {
    const parts: UploadedPart[] = [];
    let marker = 0;
    for (;;) {
      const query = `part-number-marker=${marker}&uploadId=${encodeURIComponent(uploadId)}`;
      const response = await this.client.send('GET', location, {}, EMPTY_SHA256_HEX, undefined, query);
      await this.client.check(response, location, 'ListParts');
      const text = await response.body.text();
      for (const part of xmlBlocks(text, 'Part')) {
        parts.push({
          partNumber: Number(xmlValue(part, 'PartNumber')),
          size: Number(xmlValue(part, 'Size')),
          etag: xmlValue(part, 'ETag') ?? '',
          crc32: xmlValue(part, 'ChecksumCRC32'),
        });
      }
      if (xmlValue(text, 'IsTruncated') !== 'true') return parts;
      const next = Number(xmlValue(text, 'NextPartNumberMarker'));
      if (!(next > marker)) return parts;
      marker = next;
    }
  }

  async complete(location: S3Location, uploadId: string, parts: readonly UploadedPart[]): Promise<void> {
    const body = `<CompleteMultipartUpload>${parts.map((part) => `<Part><PartNumber>${part.partNumber}</PartNumber><ETag>${escapeXml(part.etag)}</ETag>`
      + `${part.crc32 ? `<ChecksumCRC32>${part.crc32}</ChecksumCRC32>` : ''}</Part>`).join('')}</CompleteMultipartUpload>`;
    const hash = createHash('sha256').update(body).digest('hex');
    const response = await this.client.send('POST', location, { 'content-type': 'application/xml', 'content-length': String(Buffer.byteLength(body)) }, hash, body, `uploadId=${encodeURIComponent(uploadId)}`);
    await this.client.check(response, location, 'CompleteMultipartUpload');
    const text = await response.body.text();
    // S3 may answer 200 and put the error in the body.
    const code = /<Error>[\s\S]*<Code>([^<]*)<\/Code>/.exec(text)?.[1];
    if (code) throw new S3RequestError(200, code, `CompleteMultipartUpload: ${code}: ${xmlValue(text, 'Message') ?? ''}`);
  }

  async abort(location: S3Location, uploadId: string): Promise<void> {
    const response = await this.client.send('DELETE', location, {}, EMPTY_SHA256_HEX, undefined, `uploadId=${encodeURIComponent(uploadId)}`);
    await this.client.check(response, location, 'AbortMultipartUpload');
    await response.body.dump();
  }
}

function xmlBlocks(text: string, tag: string): string[] {
  return [...text.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((match) => match[1]!);
}

function xmlValue(text: string, tag: string): string | null {
  const match = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(text);
  return match ? unescapeXml(match[1]!) : null;
}

function unescapeXml(text: string): string {
  return text.replace(/&(quot|amp|lt|gt|apos|#(\d+)|#x([0-9a-fA-F]+));/g, (_, name: string, dec?: string, hex?: string) => {
    if (dec) return String.fromCodePoint(Number(dec));
    if (hex) return String.fromCodePoint(parseInt(hex, 16));
    return ({ quot: '"', amp: '&', lt: '<', gt: '>', apos: "'" } as Record<string, string>)[name]!;
  });
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}
