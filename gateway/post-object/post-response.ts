import { postResponseXml } from '../../src/s3/xml-post-object.ts';

export interface PostedObject {
  readonly bucket: string;
  readonly key: string;
  /** Quoted. */
  readonly etag: string;
  /** The object's URL. */
  readonly location: string;
}

/**
 * What a successful POST Object answers, as S3 does: `success_action_redirect` (or the older
 * `redirect`) holding an absolute http(s) URL → 303 to it with `bucket`, `key` and `etag` added to
 * its query; else `success_action_status` 200 or 204 → that status with an empty body, 201 → the
 * PostResponse XML; anything else (or nothing) → 204. ETag and Location headers always.
 */
export function postObjectResponse(fields: ReadonlyMap<string, string>, posted: PostedObject, extraHeaders: Record<string, string>): Response {
  const headers: Record<string, string> = { etag: posted.etag, location: posted.location, ...extraHeaders };
  const redirect = redirectUrl(fields.get('success_action_redirect') ?? fields.get('redirect'));
  if (redirect) {
    redirect.searchParams.append('bucket', posted.bucket);
    redirect.searchParams.append('key', posted.key);
    redirect.searchParams.append('etag', posted.etag);
    return new Response(null, { status: 303, headers: { ...headers, location: redirect.href } });
  }
  const status = fields.get('success_action_status');
  if (status === '201') {
    return new Response(postResponseXml(posted), { status: 201, headers: { ...headers, 'content-type': 'application/xml' } });
  }
  return new Response(null, { status: status === '200' ? 200 : 204, headers });
}

function redirectUrl(text: string | undefined): URL | null {
  if (text === undefined) return null;
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}
