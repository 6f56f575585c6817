import { Hono } from 'hono';
import { parseUsageWindow, UsageParameterError } from '../../src/billing/usage-window.ts';
import { presignUrl } from '../../src/s3/sigv4-presign.ts';
import { computeInvoice } from '../billing/usage-report.ts';
import { auditConsoleAction } from './console-audit.ts';
import { consoleError, type ConsoleContext, type ConsoleDeps, type ConsoleEnv } from './console-context.ts';

const PAGE = 100;
const MAX_NAME_CHARS = 1024;

/**
 * Tenant data the console shows, behind a session; each call is one audited action:
 * `GET /api/accounts[?after=NAME]`, `GET /api/buckets?account=ID[&after=NAME]` (`list-buckets`),
 * `GET /api/objects?bucket=B[&prefix=P][&after=K][&limit=N]` (`list-objects`: keys and `/`
 * prefixes, 100 a page unless `limit` says 1–1000), `POST /api/download-link` `{bucket, key}` (`download-link`: a GET URL on the S3 listener
 * presigned by the console key, valid `--console-link-expiry`) and
 * `GET /api/usage?account=ID[&from][&to]` (`view-usage`: the account's invoice, as
 * `/_/admin/usage` computes it, small-object floor line included).
 */
export function consoleDataRoutes(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const { gateway } = deps;

  app.get('/api/accounts', async (c) => {
    const after = optionalText(c, 'after');
    const accounts = await gateway.store.listAccounts({ after, limit: PAGE });
    return c.json({
      accounts: accounts.map((account) => ({ id: account.id, name: account.name })),
      nextAfter: accounts.length === PAGE ? accounts.at(-1)!.name : null,
    });
  });

  app.get('/api/buckets', async (c) => {
    const account = await gateway.store.getAccount(requiredText(c, 'account'));
    if (!account) return consoleError(c, 404, 'NoSuchAccount', 'no account has this id');
    const buckets = await gateway.store.listBuckets(account.id, { after: optionalText(c, 'after'), limit: PAGE });
    await auditConsoleAction(deps, c, 'list-buckets', 'ok', account.name);
    return c.json({
      account: { id: account.id, name: account.name },
      buckets: buckets.map((bucket) => ({ name: bucket.name, acl: bucket.acl, createdAt: bucket.createdAt.toISOString() })),
      nextAfter: buckets.length === PAGE ? buckets.at(-1)!.name : null,
    });
  });

  app.get('/api/objects', async (c) => {
    const bucket = await gateway.store.getBucket(requiredText(c, 'bucket'));
    if (!bucket) return consoleError(c, 404, 'NoSuchBucket', 'no bucket has this name');
    const prefix = optionalText(c, 'prefix') ?? '';
    const page = await gateway.store.listObjects(bucket.name, { prefix, after: optionalText(c, 'after'), delimiter: '/', maxKeys: pageSize(c) });
    await auditConsoleAction(deps, c, 'list-objects', 'ok', `${bucket.name}/${prefix}`);
    return c.json({
      bucket: bucket.name,
      prefix,
      objects: page.objects.map((object) => ({
        key: object.key, size: object.size, etag: object.etag, contentType: object.contentType, lastModified: object.createdAt.toISOString(),
      })),
      prefixes: page.commonPrefixes,
      nextAfter: page.isTruncated ? page.nextAfter : null,
    });
  });

  app.post('/api/download-link', async (c) => {
    const body = await c.req.json<unknown>().catch(() => null) as { bucket?: unknown; key?: unknown } | null;
    if (!body || typeof body.bucket !== 'string' || typeof body.key !== 'string' || body.key === '' || body.key.length > MAX_NAME_CHARS) {
      return consoleError(c, 400, 'InvalidRequest', 'send {"bucket": "…", "key": "…"} as JSON');
    }
    const object = await gateway.store.getObject(body.bucket, body.key);
    if (!object) return consoleError(c, 404, 'NoSuchKey', 'no such object');
    const now = gateway.now();
    const expiresSeconds = gateway.config.consoleLinkExpirySeconds;
    const fileName = object.key.split('/').filter(Boolean).at(-1) ?? 'download';
    const url = presignUrl({
      method: 'GET', origin: deps.s3Url, bucket: object.bucket, key: object.key,
      query: { 'response-content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(fileName)}` },
      accessKeyId: gateway.consoleKey!.accessKeyId, secretKey: gateway.consoleKey!.secretKey,
      region: gateway.config.region, now, expiresSeconds,
    });
    await auditConsoleAction(deps, c, 'download-link', 'ok', `${object.bucket}/${object.key}`);
    return c.json({ url, expiresAt: new Date(now.getTime() + expiresSeconds * 1000).toISOString(), size: object.size });
  });

  app.get('/api/usage', async (c) => {
    const account = await gateway.store.getAccount(requiredText(c, 'account'));
    if (!account) return consoleError(c, 404, 'NoSuchAccount', 'no account has this id');
    try {
      const window = parseUsageWindow({ from: optionalText(c, 'from'), to: optionalText(c, 'to') }, gateway.now());
      await gateway.usage?.flush();
      const invoice = await computeInvoice(gateway.store, account, window, gateway.config.prices);
      await auditConsoleAction(deps, c, 'view-usage', 'ok', account.name);
      return c.json(invoice);
    } catch (error) {
      if (!(error instanceof UsageParameterError)) throw error;
      return c.json({ error: 'InvalidParameter', parameter: error.parameter, message: error.message }, 400);
    }
  });

  return app;
}

/** A query parameter that must be there and not empty (else 400 naming it). */
function requiredText(c: ConsoleContext, name: string): string {
  const value = optionalText(c, name);
  if (value === undefined || value === '') throw new ConsoleParameterError(name, `${name} is required`);
  return value;
}

/** `limit`: 1 to 1000 entries a page, default 100. */
function pageSize(c: ConsoleContext): number {
  const raw = c.req.query('limit');
  if (raw === undefined) return PAGE;
  const limit = Number(raw);
  if (!/^\d+$/.test(raw) || limit < 1 || limit > 1000) throw new ConsoleParameterError('limit', `limit must be an integer from 1 to 1000, got "${raw}"`);
  return limit;
}

function optionalText(c: ConsoleContext, name: string): string | undefined {
  const value = c.req.query(name);
  if (value !== undefined && value.length > MAX_NAME_CHARS) throw new ConsoleParameterError(name, `${name} is longer than ${MAX_NAME_CHARS} characters`);
  return value;
}

/** A bad query parameter of a console route: 400 `{error: "InvalidParameter", parameter, message}` (console-server.ts). */
export class ConsoleParameterError extends Error {
  readonly code = 'CONSOLE_INVALID_PARAMETER';
  override name = 'ConsoleParameterError';
  constructor(readonly parameter: string, message: string) {
    super(message);
  }
}
