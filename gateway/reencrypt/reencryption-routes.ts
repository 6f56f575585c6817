import type { Context, Hono } from 'hono';
import type { GatewayDeps, GatewayEnv } from '../context.ts';
import { abortOnHangUp } from '../copy/request-abort.ts';
import { reencryptSegment, type ListedSegment } from './segment-reencryption.ts';

const MAX_LIST_LIMIT = 1000;
const DEFAULT_LIST_LIMIT = 100;

/**
 * `shardgate encrypt-existing`'s endpoints, registered on the admin app (behind its bearer-token
 * check). The CLI drives the job, so it can be interrupted anywhere and rerun:
 *
 * - `GET /_/admin/encrypt-existing`: what is left in the clear (`remaining: { segments, bytes }`;
 *   one count over the partial index, so asked once per run, not per page).
 * - `GET /_/admin/encrypt-existing/segments?after=<cursor>&limit=<n>`: the next page of segments
 *   in the clear (`segments`, each with `segmentId`, `cursor`, `placementVersion`, `length`) and
 *   `nextCursor` to resume after it.
 * - `POST /_/admin/encrypt-existing/segments` with a listed segment
 *   (`{ segmentId, cursor, placementVersion }`): re-encrypts it (segment-reencryption.ts) and
 *   answers its outcome: `encrypted` (with `newSegmentId`, `bytes`, `references`,
 *   `objectsEncrypted`), `gone` or `changed` (skipped). A failed read or write is 503 with the
 *   error's code; nothing is swapped then.
 *
 * Bad parameters are 400 `{ error: 'InvalidParameter', parameter, message }`.
 */
export function registerReencryptionRoutes(app: Hono<GatewayEnv>, deps: GatewayDeps): void {
  app.get('/_/admin/encrypt-existing', async (c) => c.json({ remaining: await deps.store.countUnencryptedSegments() }));

  app.get('/_/admin/encrypt-existing/segments', async (c) => {
    const after = integerParameter(c.req.query('after'), 0, 0, Number.MAX_SAFE_INTEGER);
    if (after === null) return invalid(c, 'after', 'after must be a cursor from a previous answer (an integer >= 0)');
    const limit = integerParameter(c.req.query('limit'), DEFAULT_LIST_LIMIT, 1, MAX_LIST_LIMIT);
    if (limit === null) return invalid(c, 'limit', `limit must be an integer from 1 to ${MAX_LIST_LIMIT}`);
    const page = await deps.store.scanUnencryptedSegments(after, limit);
    return c.json({
      segments: page.map((entry) => ({ segmentId: entry.segmentId, cursor: entry.cursor, placementVersion: entry.placementVersion, length: entry.length })),
      nextCursor: page.at(-1)?.cursor ?? after,
    });
  });

  app.post('/_/admin/encrypt-existing/segments', async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return invalid(c, 'body', 'send a JSON body: {"segmentId": "…", "cursor": N, "placementVersion": N} as listed');
    }
    const listed = listedSegment(body);
    if (!listed) return invalid(c, 'body', 'segmentId must be 32 hex digits, cursor an integer >= 1, placementVersion an integer >= 0');
    const hangUp = abortOnHangUp(c);
    try {
      return c.json(await reencryptSegment(deps, listed, hangUp.signal));
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code !== 'string') throw error;
      return c.json({ error: code, segmentId: listed.segmentId, message: (error as Error).message }, 503);
    } finally {
      hangUp.release();
    }
  });
}

function integerParameter(raw: string | undefined, fallback: number, min: number, max: number): number | null {
  if (raw === undefined) return fallback;
  if (!/^\d{1,16}$/.test(raw)) return null;
  const value = Number(raw);
  return value >= min && value <= max ? value : null;
}

function listedSegment(body: unknown): ListedSegment | null {
  const { segmentId, cursor, placementVersion } = (body ?? {}) as Record<string, unknown>;
  if (typeof segmentId !== 'string' || !/^[0-9a-f]{32}$/.test(segmentId)) return null;
  if (!Number.isSafeInteger(cursor) || (cursor as number) < 1) return null;
  if (!Number.isSafeInteger(placementVersion) || (placementVersion as number) < 0) return null;
  return { segmentId, cursor: cursor as number, placementVersion: placementVersion as number };
}

function invalid(c: Context<GatewayEnv>, parameter: string, message: string): Response {
  return c.json({ error: 'InvalidParameter', parameter, message }, 400);
}
