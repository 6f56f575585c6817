import { S3Error } from '../src/s3/errors.ts';
import { hasNulCharacter } from '../src/s3/nul-character.ts';
import type { GatewayContext } from './context.ts';

/** Which bucket and key a request addresses, and how it named them. */
export interface BucketAddress {
  /** Empty for service-level requests (ListBuckets). */
  readonly bucket: string;
  /** Decoded; empty for bucket-level requests. */
  readonly key: string;
  readonly style: 'path' | 'virtual-hosted';
}

/**
 * The raw request target as the client sent it, split at `?`: SigV4 signs the path exactly as
 * sent, and WHATWG URL parsing would resolve `..` and re-encode characters.
 */
export function rawRequestTarget(c: GatewayContext): { rawPath: string; rawQuery: string } {
  const target = c.env?.incoming?.url ?? new URL(c.req.url).pathname + new URL(c.req.url).search;
  const queryStart = target.indexOf('?');
  return queryStart === -1
    ? { rawPath: target, rawQuery: '' }
    : { rawPath: target.slice(0, queryStart), rawQuery: target.slice(queryStart + 1) };
}

/** The bucket and key of a request to the S3 API. */
export function requestAddress(c: GatewayContext, baseDomains: readonly string[]): BucketAddress {
  return resolveAddress(c.req.header('host'), rawRequestTarget(c).rawPath, baseDomains);
}

/**
 * S3's two addressing styles (S3 user guide, "Virtual hosting of buckets"):
 * - virtual-hosted: the Host is `<bucket>.<base domain>` for one of the configured base domains;
 *   the bucket is everything before the domain (dots included, lower-cased as DNS names are) and
 *   the whole path is the key: `Host: photos.s3.example.com` + `/2024/a.jpg`.
 * - path-style otherwise (the Host is a base domain, an IP, anything else): the first path
 *   segment is the bucket, the rest the key: `/photos/2024/a.jpg`.
 * The longest matching base domain wins, so `s3.example.com` and `example.com` can both be
 * configured. S3's third form, a CNAME whose whole Host names the bucket, is not supported: a
 * gateway reached by IP or by an unlisted name must keep answering path-style requests.
 */
export function resolveAddress(hostHeader: string | undefined, rawPath: string, baseDomains: readonly string[]): BucketAddress {
  const hostname = hostnameOf(hostHeader);
  const domain = hostname === '' ? undefined : longestSuffix(hostname, baseDomains);
  if (domain !== undefined) {
    const bucket = hostname.slice(0, hostname.length - domain.length - 1);
    const path = rawPath.startsWith('/') ? rawPath.slice(1) : rawPath;
    return { bucket, key: decodePathPart(path), style: 'virtual-hosted' };
  }
  const path = rawPath.startsWith('/') ? rawPath.slice(1) : rawPath;
  const slash = path.indexOf('/');
  return {
    bucket: decodePathPart(slash === -1 ? path : path.slice(0, slash)),
    key: decodePathPart(slash === -1 ? '' : path.slice(slash + 1)),
    style: 'path',
  };
}

/** `Host` without port, lower-case, without a trailing dot; '' when absent. IPv6 literals stay bracketed. */
export function hostnameOf(hostHeader: string | undefined): string {
  if (hostHeader === undefined) return '';
  const host = hostHeader.trim().toLowerCase();
  const withoutPort = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d*$/, '');
  return withoutPort.replace(/\.$/, '');
}

function longestSuffix(hostname: string, baseDomains: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const domain of baseDomains) {
    const normalised = domain.toLowerCase().replace(/\.$/, '');
    if (hostname.length > normalised.length + 1 && hostname.endsWith(`.${normalised}`)) {
      if (best === undefined || normalised.length > best.length) best = normalised;
    }
  }
  return best;
}

function decodePathPart(raw: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    throw new S3Error('InvalidArgument', { message: 'The request path is not valid percent-encoded UTF-8.' });
  }
  if (hasNulCharacter(decoded)) throw new S3Error('InvalidArgument', { message: 'Bucket names and object keys may not contain the character U+0000.' });
  return decoded;
}

/**
 * The base domains a gateway answers virtual-hosted requests for when none are configured: the
 * host it listens on (unless a wildcard address) and `localhost`.
 */
export function defaultBaseDomains(listenHost: string): string[] {
  const wildcard = listenHost === '0.0.0.0' || listenHost === '::' || listenHost === '';
  const domains = wildcard ? [] : [listenHost.toLowerCase()];
  if (!domains.includes('localhost')) domains.push('localhost');
  return domains;
}
