import { CommitPreconditionError } from '../../src/meta/store.ts';
import { S3Error } from '../../src/s3/errors.ts';
import { hasNulCharacter } from '../../src/s3/nul-character.ts';
import { deleteResultXml, type DeleteResultEntry } from '../../src/s3/xml-copy-delete.ts';
import { parseXmlBody } from '../../src/s3/xml.ts';
import { readVerifiedBody } from './verified-body.ts';
import { MAX_KEY_BYTES, type S3Request } from '../s3-request.ts';
import { accessDecision } from '../access/access-check.ts';
import { requireBucket } from '../access/bucket-access.ts';
import { xmlResponse } from './responses.ts';
import { deletePreconditionS3Error, normalizedEtag } from './write-conditions.ts';

/** S3's limit on keys per request. */
export const MAX_DELETE_KEYS = 1000;
/** 1000 keys of 1024 UTF-8 bytes, every one of them escaped, still fit. */
const MAX_DELETE_BODY_BYTES = 8 * 1024 * 1024;

interface DeleteRequest {
  readonly quiet: boolean;
  readonly objects: readonly { readonly key: string; readonly versionId?: string; readonly etag?: string }[];
}

function single(value: unknown): string | undefined {
  return Array.isArray(value) && value.length === 1 && typeof value[0] === 'string' ? value[0] : undefined;
}

/** The `<Delete>` body: 1 … 1000 `<Object><Key>` (MalformedXML otherwise, as S3), optional `<Quiet>`. */
export function parseDeleteRequest(tree: unknown): DeleteRequest {
  const root = (tree as { Delete?: unknown }).Delete;
  if (root === null || typeof root !== 'object') throw new S3Error('MalformedXML');
  const fields = root as { Object?: unknown; Quiet?: unknown };
  const entries = fields.Object;
  if (!Array.isArray(entries) || entries.length === 0 || entries.length > MAX_DELETE_KEYS) throw new S3Error('MalformedXML');
  const quietText = fields.Quiet === undefined ? 'false' : single(fields.Quiet)?.trim().toLowerCase();
  if (quietText !== 'true' && quietText !== 'false') throw new S3Error('MalformedXML');
  const objects = entries.map((entry: unknown) => {
    const object = (entry ?? {}) as { Key?: unknown; VersionId?: unknown; ETag?: unknown };
    const key = typeof entry === 'object' ? single(object.Key) : undefined;
    const versionId = object.VersionId === undefined ? undefined : single(object.VersionId);
    const etag = object.ETag === undefined ? undefined : single(object.ETag);
    if (key === undefined || (object.VersionId !== undefined && versionId === undefined) || (object.ETag !== undefined && etag === undefined)) {
      throw new S3Error('MalformedXML');
    }
    return { key, ...(versionId === undefined ? {} : { versionId }), ...(etag === undefined ? {} : { etag: normalizedEtag(etag) }) };
  });
  return { quiet: quietText === 'true', objects };
}

/**
 * DeleteObjects (POST `?delete`): the body must carry Content-MD5 or an `x-amz-checksum-*`
 * (verified) as S3 requires; each key is deleted on its own, a key that does not exist counts as
 * deleted, and a key that cannot be deleted gets its own `<Error>` while the others go on (an
 * `<ETag>` makes that key's delete conditional, as If-Match does for DeleteObject). Quiet
 * mode reports only the errors.
 */
export async function deleteObjects(request: S3Request): Promise<Response> {
  const { deps } = request;
  const bucket = await requireBucket(request, request.bucket);
  const body = await readVerifiedBody(request, { maxBytes: MAX_DELETE_BODY_BYTES, requireIntegrity: true });
  const { quiet, objects } = parseDeleteRequest(await parseXmlBody(body));
  const entries: DeleteResultEntry[] = [];
  let removedAny = false;
  for (const { key, versionId, etag } of objects) {
    const refuse = (code: string, message: string) => {
      entries.push({ kind: 'error', key, ...(versionId === undefined ? {} : { versionId }), code, message });
    };
    if (key === '') {
      refuse('InvalidArgument', 'The key must not be empty.');
    } else if (hasNulCharacter(key)) {
      refuse('InvalidArgument', 'Object keys may not contain the character U+0000.');
    } else if (Buffer.byteLength(key) > MAX_KEY_BYTES) {
      refuse('KeyTooLongError', 'Your key is too long.');
    } else if (!accessDecision(request, bucket, { action: 's3:DeleteObject', key }).allowed) {
      refuse('AccessDenied', 'Access Denied'); // each key is authorized on its own, as on S3
    } else if (versionId !== undefined && versionId !== 'null') {
      refuse('NoSuchVersion', 'The specified version does not exist.'); // buckets here are never versioned
    } else {
      try {
        removedAny = (await deps.store.deleteObject(bucket.name, key, etag)) !== null || removedAny;
        if (!quiet) entries.push({ kind: 'deleted', key, ...(versionId === undefined ? {} : { versionId }) });
      } catch (error) {
        if (error instanceof CommitPreconditionError) {
          const refusal = deletePreconditionS3Error(error);
          refuse(refusal.code, refusal.message);
          continue;
        }
        deps.logger.error('delete_objects_key_failed', { requestId: request.c.get('requestId'), bucket: bucket.name, key, error: (error as Error).message });
        refuse('InternalError', 'We encountered an internal error. Please try again.');
      }
    }
  }
  if (removedAny) deps.janitor.kick();
  return xmlResponse(deleteResultXml(entries));
}
