import type { ConsoleContext, ConsoleDeps } from './console-context.ts';

/**
 * Appends one console action to the admin audit log (the MetaStore's `admin_audit` table) before
 * the action's answer goes out: an action the log cannot record fails with it (503 when the
 * database is down) rather than happening unrecorded.
 */
export async function auditConsoleAction(
  deps: ConsoleDeps, c: ConsoleContext, action: string, outcome: 'ok' | 'refused' | 'throttled', subject: string | null = null,
): Promise<void> {
  await deps.gateway.store.appendAdminAudit({
    at: deps.gateway.now(), action, outcome, subject, remoteAddress: c.env?.incoming?.socket?.remoteAddress ?? null,
  });
}
