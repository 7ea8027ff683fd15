/**
 * The deadline the app is told about, and what a client hears when the app missed it. The gate
 * gives up on a request `timeoutMs` after sending it; `saleday-deadline` (epoch ms) tells the app
 * when, so it does not start a side effect (a reservation, a charge) it cannot finish in time.
 * A critical route's side effect may still have happened when the gate gave up (the order may be
 * paid), so its 502/504 tells the client to retry with the same Idempotency-Key, never without it.
 */
import { SALEDAY_DEADLINE_HEADER } from '../../contracts/request-headers';
import type { RouteConfig } from '../../contracts/config/schema';

export function setDeadlineHeader(headers: Record<string, string | string[]>, deadlineMs: number): void {
  headers[SALEDAY_DEADLINE_HEADER] = String(Math.floor(deadlineMs));
}

export const SAME_IDEMPOTENCY_KEY_ADVICE =
  'the order may have gone through: retry with the same Idempotency-Key to get its receipt (a retry without it may buy twice)';

/** The status and JSON body of an upstream failure without a fallback answer. */
export function upstreamFailureAnswer(
  route: RouteConfig,
  kind: 'timeout' | 'unreachable',
): { status: number; body: string } {
  const timedOut = kind === 'timeout';
  const error = timedOut ? `the app did not answer within ${route.timeoutMs} ms` : 'the app is unreachable';
  const body = route.priority === 'critical' ? { error, retry: SAME_IDEMPOTENCY_KEY_ADVICE } : { error };
  return { status: timedOut ? 504 : 502, body: JSON.stringify(body) };
}
