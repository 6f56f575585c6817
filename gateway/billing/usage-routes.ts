import type { Context, Handler } from 'hono';
import { priceTableJson } from '../../src/billing/price-table.ts';
import { parseUsageWindow, UsageParameterError } from '../../src/billing/usage-window.ts';
import type { Account } from '../../src/meta/types.ts';
import type { GatewayDeps, GatewayEnv } from '../context.ts';
import { computeInvoice, computePackingAdvice } from './usage-report.ts';

const DEFAULT_ADVICE_LIMIT = 10;
const MAX_ADVICE_LIMIT = 1000;

/**
 * `GET /_/admin/usage?account=NAME[&from=TIME][&to=TIME]`: the account's invoice as JSON line
 * items (see src/billing/invoice.ts). `from` defaults to the start of the current UTC month, `to`
 * to now. Requests metered but not yet written are flushed first, so the answer includes every
 * request that finished before it. Bad parameters: 400 `{ error, parameter, message }`.
 */
export function usageReportHandler(deps: GatewayDeps): Handler<GatewayEnv> {
  return async function usageReport(c) {
    try {
      checkParameters(c, ['account', 'from', 'to']);
      const account = await requireAccount(deps, c.req.query('account'));
      const window = parseUsageWindow({ from: c.req.query('from'), to: c.req.query('to') }, deps.now());
      await deps.usage?.flush();
      return c.json(await computeInvoice(deps.store, account, window, deps.config.prices));
    } catch (error) {
      return parameterError(c, error);
    }
  };
}

/**
 * `GET /_/admin/usage/advice[?account=NAME][&limit=N]`: the prefixes with the most objects below
 * the floor (of one account, or of all) and what packing each into one archive would save.
 */
export function packingAdviceHandler(deps: GatewayDeps): Handler<GatewayEnv> {
  return async function packingAdviceReport(c) {
    try {
      checkParameters(c, ['account', 'limit']);
      const accountParam = c.req.query('account');
      const account = accountParam === undefined ? null : await requireAccount(deps, accountParam);
      const limit = parseLimit(c.req.query('limit'));
      const { prices } = deps.config;
      const prefixes = await computePackingAdvice(deps.store, account?.id, limit, prices);
      return c.json({
        account: account && { id: account.id, name: account.name },
        currency: prices.currency,
        floorBytes: prices.floorBytes,
        prices: priceTableJson(prices),
        prefixes,
      });
    } catch (error) {
      return parameterError(c, error);
    }
  };
}

/** A misspelt parameter would silently mean "default": refuse it instead. */
/** Throws UsageParameterError naming the first query parameter not in `known`. */
export function checkParameters(c: Context<GatewayEnv>, known: readonly string[]): void {
  for (const name of Object.keys(c.req.queries())) {
    if (!known.includes(name)) throw new UsageParameterError(name, `unknown parameter ${name} (expected ${known.join(', ')})`);
  }
}

/** By name (what operators type), else by id. */
async function requireAccount(deps: GatewayDeps, value: string | undefined): Promise<Account> {
  if (value === undefined || value === '') throw new UsageParameterError('account', 'account is required: ?account=NAME');
  const account = (await deps.store.getAccountByName(value)) ?? (await deps.store.getAccount(value));
  if (!account) throw new UsageParameterError('account', `account "${value}" does not exist`);
  return account;
}

function parseLimit(value: string | undefined): number {
  if (value === undefined) return DEFAULT_ADVICE_LIMIT;
  const limit = Number(value);
  if (!/^\d+$/.test(value) || limit < 1 || limit > MAX_ADVICE_LIMIT) {
    throw new UsageParameterError('limit', `limit must be an integer from 1 to ${MAX_ADVICE_LIMIT}, got "${value}"`);
  }
  return limit;
}

/** 400 `{ error: 'InvalidParameter', parameter, message }` for a UsageParameterError; rethrows anything else. */
export function parameterError(c: Context<GatewayEnv>, error: unknown): Response {
  if (!(error instanceof UsageParameterError)) throw error;
  return c.json({ error: 'InvalidParameter', parameter: error.parameter, message: error.message }, 400);
}
