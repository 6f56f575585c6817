/**
 * `shardgate node earnings`: on a node operator's machine, asks the gateway for this node's own
 * payout statement, signed with the node's identity key from its data directory (as its
 * heartbeats are; see src/node-protocol/earnings.ts). Needs no admin token, and can read no other
 * node's figures. A signed time the gateway finds off (a skewed local clock) is corrected from the
 * gateway's answer and signed again, once.
 */
import { ConfigError, formatHelp, parseBoolean, readSettings, type SettingSpecs } from '../src/config/flags.ts';
import { earningsMessage, NODE_EARNINGS_PATH, type NodeEarningsRequest } from '../src/node-protocol/earnings.ts';
import { signWithNodeKey } from '../src/node-protocol/node-key.ts';
import { formatPayoutReport, type PayoutReportView } from '../src/rewards/payout-text.ts';
import { NodeIdentityError, readNodeIdentity, type NodeIdentity } from '../shard-node/node-identity.ts';
import { ShardPaths } from '../shard-node/shard-paths.ts';
import { AdminRequestError, parseEndpointUrl } from './admin-client.ts';

const SPECS = {
  gateway: { flag: 'gateway', env: 'SHARDGATE_GATEWAY_URL', kind: 'string', description: 'the gateway the node is registered with (required)' },
  dataDir: { flag: 'data-dir', env: 'SHARDGATE_NODE_DATA_DIR', kind: 'string', description: 'the node\'s data directory (node.json, node-key.pem)', defaultText: './data/node' },
  from: { flag: 'from', kind: 'string', description: 'window start, ISO 8601 (2025-01-01, 2025-01-01T12:00:00Z)', defaultText: 'start of this UTC month' },
  to: { flag: 'to', kind: 'string', description: 'window end (exclusive), ISO 8601', defaultText: 'now' },
  json: { flag: 'json', kind: 'boolean', description: 'print the gateway\'s answer as JSON' },
} as const satisfies SettingSpecs;

const HELP = formatHelp(
  'shardgate node earnings [--data-dir DIR] --gateway URL [--from TIME] [--to TIME] [--json]',
  'Prints this node\'s payout statement for a window, asked with the node\'s own key: stored GB-month, verified\negress, uptime and audits as the gateway observed them, and whether the period is paid or withheld.',
  SPECS,
);

export async function runNodeEarningsCli(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  try {
    const { values, help, positionals } = readSettings(SPECS, argv, env);
    if (help) {
      process.stdout.write(HELP);
      return;
    }
    if (positionals.length > 0) throw new ConfigError(`unexpected argument "${positionals[0]}" (see --help)`);
    if (!values.gateway) throw new ConfigError('--gateway (or SHARDGATE_GATEWAY_URL) is required');
    const gateway = parseEndpointUrl(values.gateway);
    const json = values.json !== undefined && parseBoolean('--json', values.json);
    const identity = await readNodeIdentity(new ShardPaths(values.dataDir ?? './data/node'));
    const report = await askForEarnings(gateway, identity, values.from ?? '', values.to ?? '');
    process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : formatPayoutReport(report));
  } catch (error) {
    if (error instanceof ConfigError || error instanceof AdminRequestError || error instanceof NodeIdentityError) {
      process.stderr.write(`shardgate node earnings: ${error.message}\n`);
      process.exitCode = error instanceof ConfigError ? 2 : 1;
      return;
    }
    throw error;
  }
}

/** One signed request; a SIGNED_AT_STALE answer carries the gateway's time, which the one retry signs with. */
async function askForEarnings(gateway: URL, identity: NodeIdentity, from: string, to: string): Promise<PayoutReportView> {
  let offsetMs = 0;
  for (let attempt = 0; ; attempt++) {
    const unsigned = { nodeId: identity.nodeId, from, to, signedAtMs: Date.now() + offsetMs };
    const request: NodeEarningsRequest = { ...unsigned, signature: signWithNodeKey(identity.privateKey, earningsMessage(unsigned)) };
    const url = new URL(NODE_EARNINGS_PATH, gateway);
    let response: Response;
    try {
      response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new AdminRequestError(`cannot reach the gateway at ${gateway.origin}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
    }
    const text = await response.text();
    let body: { error?: string; message?: string; gatewayTimeMs?: number } | PayoutReportView;
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new AdminRequestError(`POST ${NODE_EARNINGS_PATH} answered ${response.status} with a body that is not JSON`, response.status);
    }
    if (response.ok) return body as PayoutReportView;
    const refusal = body as { error?: string; message?: string; gatewayTimeMs?: number };
    if (refusal.error === 'SIGNED_AT_STALE' && typeof refusal.gatewayTimeMs === 'number' && attempt === 0) {
      offsetMs = refusal.gatewayTimeMs - Date.now() + 1;
      continue;
    }
    throw new AdminRequestError(`${response.status} ${refusal.message ?? text}`, response.status);
  }
}
