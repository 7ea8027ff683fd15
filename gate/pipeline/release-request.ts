/**
 * The one place a request gives back what it holds: its concurrency permit (with the latency and
 * overload signal the record step noted), its per-key concurrency lease and its body memory.
 * Idempotent: each holding is cleared as it is released.
 */
import type { RequestContext } from './request-context';

const ignore = (): undefined => undefined;

export function releaseRequest(context: RequestContext): void {
  const { permit, lease, reservation } = context;
  if (permit !== undefined) {
    context.permit = undefined;
    permit.release({ latencyMs: context.latencyMs, dropped: context.dropped });
  }
  if (lease !== undefined) {
    context.lease = undefined;
    lease.release().catch(ignore);
  }
  if (reservation !== undefined) {
    context.reservation = undefined;
    reservation.release();
  }
}
