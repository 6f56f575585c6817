/**
 * The operator commands' client for a running gateway's admin API (`/_/admin/*`, bearer admin
 * token). Every failure is an AdminRequestError with a one-line message fit for stderr.
 */

export class AdminRequestError extends Error {
  readonly code = 'ADMIN_REQUEST_FAILED';
  override name = 'AdminRequestError';
  constructor(message: string, readonly status: number | null = null) {
    super(message);
  }
}

export interface AdminEndpoint {
  readonly url: URL;
  readonly adminToken: string;
}

/** `http://host:port` (or https) → URL; anything else is an AdminRequestError. */
export function parseEndpointUrl(raw: string): URL {
  try {
    const url = new URL(raw);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url;
  } catch {
    // fall through to the one-line error
  }
  throw new AdminRequestError(`--endpoint must be an http(s) URL such as http://127.0.0.1:9000, got "${raw}"`);
}

/** One admin call; resolves with the JSON answer of a 2xx, else rejects with the gateway's message. */
export async function adminRequest<T>(
  endpoint: AdminEndpoint,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  options: { query?: URLSearchParams; body?: unknown } = {},
): Promise<T> {
  const url = new URL(path, endpoint.url);
  if (options.query) url.search = options.query.toString();
  const headers: Record<string, string> = { authorization: `Bearer ${endpoint.adminToken}` };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(url, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new AdminRequestError(`cannot reach the gateway at ${endpoint.url.origin}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new AdminRequestError(`${method} ${url.pathname} answered ${response.status} with a body that is not JSON`, response.status);
  }
  if (!response.ok) {
    const message = (body as { message?: unknown } | null)?.message;
    throw new AdminRequestError(`${response.status} ${typeof message === 'string' ? message : text}`, response.status);
  }
  return body as T;
}
