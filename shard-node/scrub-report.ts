/**
 * Sends what the scrub found to the gateway: `POST /_/nodes/scrub-report`, signed with the node
 * key in gateway time like a heartbeat, at most MAX_SCRUB_REPORT_SHARDS ids per request.
 */
import type { Logger } from '../src/log/logger.ts';
import { scrubReportMessage, signWithNodeKey } from '../src/node-protocol/node-key.ts';
import { MAX_SCRUB_REPORT_SHARDS, NODE_SCRUB_REPORT_PATH, type NodeScrubReport } from '../src/node-protocol/routes.ts';
import type { Clock } from './clock.ts';
import type { NodeIdentity } from './node-identity.ts';
import type { ScrubReporter } from './scrubber.ts';

export interface ScrubReportTarget {
  readonly gatewayUrl: string;
  readonly identity: NodeIdentity;
  /** Gateway time, as heartbeats are signed. */
  readonly gatewayClock: Clock;
  readonly logger: Logger;
  readonly fetch?: typeof fetch;
}

/** A reporter that resolves true once the gateway took every id (a refusal or a network error: false). */
export function scrubReporter(target: ScrubReportTarget): ScrubReporter {
  return async (shardIds) => {
    for (let start = 0; start < shardIds.length; start += MAX_SCRUB_REPORT_SHARDS) {
      const fields = { nodeId: target.identity.nodeId, signedAtMs: Math.round(target.gatewayClock.nowMs()), corruptShards: shardIds.slice(start, start + MAX_SCRUB_REPORT_SHARDS) };
      const report: NodeScrubReport = { ...fields, signature: signWithNodeKey(target.identity.privateKey, scrubReportMessage(fields)) };
      const response = await (target.fetch ?? fetch)(`${target.gatewayUrl}${NODE_SCRUB_REPORT_PATH}`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(report), signal: AbortSignal.timeout(10_000),
      });
      const answer = await response.text();
      if (!response.ok) {
        target.logger.warn('scrub_report_refused', { status: response.status, answer: answer.slice(0, 200) });
        return false;
      }
      target.logger.info('scrub_report_sent', { shards: fields.corruptShards.length, answer: answer.slice(0, 200) });
    }
    return true;
  };
}
