/**
 * Concurrency limit as pure functions over a list of leases: at most `maxInFlight` units held at
 * once per key. Every lease expires after `leaseMs`, so a holder that crashed (and never released)
 * gives its slot back on its own. The Redis store keeps the same leases in a sorted set scored by
 * expiry.
 *
 * A clock that goes backwards only makes leases live longer (stricter), never frees a slot early.
 */
import { RETRY_NEVER } from './rate-limiter';
import { ceilMs } from './token-bucket';

export interface ConcurrencyLimits {
  maxInFlight: number;
  leaseMs: number;
}

export interface Lease {
  id: string;
  cost: number;
  expiresAtMs: number;
}

export interface AcquireStep {
  allowed: boolean;
  remaining: number;
  retryAfterMs: number;
  resetAfterMs: number;
  /** The live leases after this step (expired ones dropped, the new one appended when allowed). */
  leases: Lease[];
}

export function liveLeases(leases: readonly Lease[], nowMs: number): Lease[] {
  return leases.filter((lease) => lease.expiresAtMs > nowMs);
}

export function inFlight(leases: readonly Lease[]): number {
  let total = 0;
  for (const lease of leases) total += lease.cost;
  return total;
}

export function stepAcquire(
  limits: ConcurrencyLimits,
  previous: readonly Lease[],
  nowMs: number,
  cost: number,
  leaseId: string,
): AcquireStep {
  const live = liveLeases(previous, nowMs);
  const held = inFlight(live);
  if (cost <= limits.maxInFlight && held + cost <= limits.maxInFlight) {
    const leases = [...live, { id: leaseId, cost, expiresAtMs: nowMs + limits.leaseMs }];
    return {
      allowed: true,
      remaining: limits.maxInFlight - held - cost,
      retryAfterMs: 0,
      resetAfterMs: ceilMs(lastExpiry(leases) - nowMs),
      leases,
    };
  }
  const retryAfterMs =
    cost > limits.maxInFlight ? RETRY_NEVER : ceilMs(expiryFreeing(live, held + cost - limits.maxInFlight) - nowMs);
  return {
    allowed: false,
    remaining: 0,
    retryAfterMs,
    resetAfterMs: live.length === 0 ? 0 : ceilMs(lastExpiry(live) - nowMs),
    leases: live,
  };
}

export function stepRelease(previous: readonly Lease[], leaseId: string): Lease[] {
  return previous.filter((lease) => lease.id !== leaseId);
}

function lastExpiry(leases: readonly Lease[]): number {
  let last = 0;
  for (const lease of leases) if (lease.expiresAtMs > last) last = lease.expiresAtMs;
  return last;
}

/** When enough leases will have expired (at the latest, if nobody releases early) to free `needed` units. */
function expiryFreeing(leases: readonly Lease[], needed: number): number {
  const byExpiry = [...leases].sort((a, b) => a.expiresAtMs - b.expiresAtMs);
  let freed = 0;
  for (const lease of byExpiry) {
    freed += lease.cost;
    if (freed >= needed) return lease.expiresAtMs;
  }
  return lastExpiry(leases);
}
