import { createHash } from 'node:crypto';
import type { ChecksumType, ChosenPart, UploadedPart } from '../../src/meta/multipart-types.ts';
import { createChecksum, isChecksumAlgorithm } from '../../src/s3/checksums/algorithms.ts';
import { S3Error } from '../../src/s3/errors.ts';
import { combineCrc, isCombinableCrc } from './crc-combine.ts';
import { MAX_PART_NUMBER, MIN_PART_BYTES } from './part-number.ts';

/** A part as CompleteMultipartUpload's body lists it. */
export interface RequestedPart {
  readonly partNumber: number;
  /** Without quotes. */
  readonly etag: string;
  /** `ChecksumCRC32` … given for the part: algorithm (lower case) → base64. */
  readonly checksums: Readonly<Record<string, string>>;
}

/** What Complete publishes once every listed part checked out. */
export interface CompletionPlan {
  readonly parts: readonly ChosenPart[];
  readonly size: number;
  /** Quoted `"<md5 of the parts' binary MD5s>-<count>"`. */
  readonly etag: string;
  /**
   * The object's checksum in the upload's algorithm, when every part has one: `…-<count>` for
   * COMPOSITE, the whole object's CRC for FULL_OBJECT.
   */
  readonly checksums: Record<string, string>;
}

/** The checksum an upload was created with. */
export interface UploadChecksum {
  readonly algorithm: string;
  readonly type: ChecksumType;
}

/** Folds the parts' checksums into the object's, as the upload's checksum type says. */
class ObjectChecksum {
  readonly #composite;
  #fullObject: Buffer | null = null;
  #complete = true;
  #parts = 0;

  constructor(private readonly checksum: UploadChecksum) {
    this.#composite = checksum.type === 'COMPOSITE' && isChecksumAlgorithm(checksum.algorithm) ? createChecksum(checksum.algorithm) : null;
  }

  add(part: UploadedPart): void {
    const value = part.checksums[this.checksum.algorithm];
    this.#parts += 1;
    if (value === undefined) {
      this.#complete = false;
      return;
    }
    const digest = Buffer.from(value, 'base64');
    const { algorithm } = this.checksum;
    if (this.#composite) this.#composite.update(digest);
    else if (isCombinableCrc(algorithm)) this.#fullObject = this.#fullObject === null ? digest : combineCrc(algorithm, this.#fullObject, digest, part.size);
  }

  value(): string | null {
    if (!this.#complete) return null;
    if (this.#composite) return `${this.#composite.digest().toString('base64')}-${this.#parts}`;
    return this.#fullObject?.toString('base64') ?? null;
  }
}

const CHECKSUM_ELEMENT = /^Checksum([A-Z0-9]+)$/;

function malformed(message?: string): S3Error {
  return new S3Error('MalformedXML', message === undefined ? {} : { message });
}

function text(value: unknown): string | undefined {
  if (!Array.isArray(value) || value.length !== 1 || typeof value[0] !== 'string') return undefined;
  return value[0];
}

/** Strips the quotes (and a weak `W/`) clients may or may not send around an ETag. */
export function bareEtag(etag: string): string {
  return etag.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
}

/**
 * The parts of a CompleteMultipartUpload body (`parseXmlBody`'s tree), in the order given.
 * MalformedXML for a body that is not one; InvalidArgument for a part number out of 1…10000;
 * InvalidPartOrder unless the numbers strictly ascend.
 */
export function parseCompleteRequest(tree: unknown): RequestedPart[] {
  const root = (tree as { CompleteMultipartUpload?: unknown }).CompleteMultipartUpload;
  if (root === undefined || root === null || typeof root !== 'object') throw malformed();
  const entries = (root as { Part?: unknown }).Part;
  if (!Array.isArray(entries) || entries.length === 0) {
    throw malformed('You must specify at least one part.');
  }
  if (entries.length > MAX_PART_NUMBER) throw malformed(`A multipart upload has at most ${MAX_PART_NUMBER} parts.`);
  const parts: RequestedPart[] = [];
  for (const entry of entries) {
    if (entry === null || typeof entry !== 'object') throw malformed();
    const fields = entry as Record<string, unknown>;
    const numberText = text(fields.PartNumber)?.trim();
    const etag = text(fields.ETag);
    if (numberText === undefined || !/^-?\d+$/.test(numberText) || etag === undefined) throw malformed();
    const partNumber = Number(numberText);
    if (partNumber < 1 || partNumber > MAX_PART_NUMBER) {
      throw new S3Error('InvalidArgument', {
        message: `Part number must be an integer between 1 and ${MAX_PART_NUMBER}, inclusive`,
        extra: { ArgumentName: 'PartNumber', ArgumentValue: numberText },
      });
    }
    const checksums: Record<string, string> = {};
    for (const [name, value] of Object.entries(fields)) {
      const algorithm = CHECKSUM_ELEMENT.exec(name)?.[1]?.toLowerCase();
      if (algorithm === undefined || !isChecksumAlgorithm(algorithm)) continue;
      const checksum = text(value);
      if (checksum === undefined) throw malformed();
      checksums[algorithm] = checksum.trim();
    }
    const previous = parts.at(-1);
    if (previous !== undefined && partNumber <= previous.partNumber) throw new S3Error('InvalidPartOrder');
    parts.push({ partNumber, etag: bareEtag(etag), checksums });
  }
  return parts;
}

function invalidPart(part: RequestedPart, message?: string): S3Error {
  return new S3Error('InvalidPart', {
    ...(message === undefined ? {} : { message }),
    extra: { PartNumber: String(part.partNumber), ETag: part.etag },
  });
}

/**
 * Checks the requested parts against the uploaded ones, which `uploaded` yields in ascending part
 * number (a page at a time from the store): each must exist with that ETag (and the checksums the
 * request gives, if any), else InvalidPart; each but the last must have MIN_PART_BYTES, else
 * EntityTooSmall. Walks both lists once; holds one uploaded part at a time.
 */
export async function planCompletion(
  requested: readonly RequestedPart[],
  uploaded: AsyncIterable<UploadedPart>,
  checksum: UploadChecksum | null,
): Promise<CompletionPlan> {
  const etagDigest = createHash('md5');
  const objectChecksum = checksum === null ? null : new ObjectChecksum(checksum);
  const chosen: ChosenPart[] = [];
  let size = 0;
  const cursor = uploaded[Symbol.asyncIterator]();
  let current = await cursor.next();
  try {
    for (const [index, part] of requested.entries()) {
      while (!current.done && current.value.partNumber < part.partNumber) current = await cursor.next();
      const stored = current.done || current.value.partNumber !== part.partNumber ? null : current.value;
      if (stored === null || bareEtag(stored.etag) !== part.etag) throw invalidPart(part);
      for (const [algorithm, value] of Object.entries(part.checksums)) {
        if (stored.checksums[algorithm] !== value) {
          throw invalidPart(part, `The ${algorithm.toUpperCase()} checksum given for part ${part.partNumber} does not match the uploaded part.`);
        }
      }
      if (index < requested.length - 1 && stored.size < MIN_PART_BYTES) {
        throw new S3Error('EntityTooSmall', {
          extra: { ProposedSize: String(stored.size), MinSizeAllowed: String(MIN_PART_BYTES), PartNumber: String(part.partNumber), ETag: part.etag },
        });
      }
      etagDigest.update(Buffer.from(part.etag, 'hex'));
      objectChecksum?.add(stored);
      chosen.push({ partNumber: part.partNumber, etag: stored.etag });
      size += stored.size;
    }
  } finally {
    await cursor.return?.();
  }
  const checksums: Record<string, string> = {};
  const value = objectChecksum?.value() ?? null;
  if (value !== null) checksums[checksum!.algorithm] = value;
  return { parts: chosen, size, etag: `"${etagDigest.digest('hex')}-${chosen.length}"`, checksums };
}
