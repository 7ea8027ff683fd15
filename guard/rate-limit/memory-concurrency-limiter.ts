/**
 * The in-process store for the concurrency limit: a Map of per-key leases, decided by the pure
 * functions in concurrency.ts. Used on its own and as the fallback of the Redis concurrency limiter.
 */
import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '../clock';
import { stepAcquire, stepRelease, liveLeases, type ConcurrencyLimits, type Lease } from './concurrency';
import { checkCost } from './rate-limit-options';
import type { ConcurrencyLease, ConcurrencyLimiter, RateLimitDecision } from './rate-limiter';

export interface MemoryConcurrencyLimiterOptions {
  /** @default systemClock */
  clock?: Clock;
  /** How often keys whose leases all expired are dropped. @default 10_000 */
  sweepIntervalMs?: number;
  /** @default 'memory' */
  source?: 'memory' | 'fallback';
}

const NO_RELEASE = (): Promise<void> => Promise.resolve();

export class MemoryConcurrencyLimiter implements ConcurrencyLimiter {
  private readonly leases = new Map<string, Lease[]>();
  private readonly clock: Clock;
  private readonly source: 'memory' | 'fallback';
  private readonly sweeper: NodeJS.Timeout;
  /** Lease ids: unique per process without a random draw per acquire. */
  private readonly idPrefix = randomUUID().slice(0, 8) + ':';
  private nextId = 0;

  constructor(
    readonly limits: ConcurrencyLimits,
    options: MemoryConcurrencyLimiterOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.source = options.source ?? 'memory';
    this.sweeper = setInterval(() => this.sweep(), options.sweepIntervalMs ?? 10_000);
    this.sweeper.unref();
  }

  acquire(key: string, cost = 1): Promise<ConcurrencyLease> {
    try {
      return Promise.resolve(this.acquireNow(key, cost));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  acquireNow(key: string, cost = 1): ConcurrencyLease {
    checkCost(cost);
    const id = this.idPrefix + String(this.nextId++);
    const step = stepAcquire(this.limits, this.leases.get(key) ?? [], this.clock.now(), cost, id);
    if (step.leases.length === 0) this.leases.delete(key);
    else this.leases.set(key, step.leases);
    const decision: RateLimitDecision = {
      allowed: step.allowed,
      limit: this.limits.maxInFlight,
      remaining: step.remaining,
      retryAfterMs: step.retryAfterMs,
      resetAfterMs: step.resetAfterMs,
      source: this.source,
    };
    if (!step.allowed) return { decision, release: NO_RELEASE };
    let released = false;
    return {
      decision,
      release: () => {
        if (!released) {
          released = true;
          this.release(key, id);
        }
        return Promise.resolve();
      },
    };
  }

  /** Units currently held under `key` (expired leases excluded). */
  inFlight(key: string): number {
    let total = 0;
    for (const lease of liveLeases(this.leases.get(key) ?? [], this.clock.now())) total += lease.cost;
    return total;
  }

  sweep(): void {
    const nowMs = this.clock.now();
    for (const [key, leases] of this.leases) {
      const live = liveLeases(leases, nowMs);
      if (live.length === 0) this.leases.delete(key);
      else if (live.length !== leases.length) this.leases.set(key, live);
    }
  }

  close(): Promise<void> {
    clearInterval(this.sweeper);
    this.leases.clear();
    return Promise.resolve();
  }

  private release(key: string, id: string): void {
    const leases = this.leases.get(key);
    if (leases === undefined) return;
    const remaining = stepRelease(leases, id);
    if (remaining.length === 0) this.leases.delete(key);
    else this.leases.set(key, remaining);
  }
}
