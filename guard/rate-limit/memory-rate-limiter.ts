/**
 * The in-process store for token bucket and GCRA: a Map of per-key state, decided synchronously by
 * the same pure step functions the Redis scripts mirror. Used on its own (one process, no Redis) and
 * as the fallback of the Redis limiter, at this process's share of the global limit.
 *
 * Idle keys are dropped by a sweep once their bucket is full again (then "no state" and "full
 * state" mean the same), so a flood of distinct keys cannot grow memory without bound.
 */
import { systemClock, type Clock } from '../clock';
import type { RateAlgorithm } from './rate-algorithm';
import { checkCost } from './rate-limit-options';
import type { RateLimitDecision, RateLimiter } from './rate-limiter';

export interface MemoryRateLimiterOptions {
  /** @default systemClock */
  clock?: Clock;
  /** How often idle (full) keys are dropped. @default 10_000 */
  sweepIntervalMs?: number;
  /** The `source` of its decisions: `memory`, or `fallback` when standing in for Redis. @default 'memory' */
  source?: 'memory' | 'fallback';
}

interface Entry<State> {
  state: State;
  expiresAtMs: number;
}

export class MemoryRateLimiter<State> implements RateLimiter {
  private readonly entries = new Map<string, Entry<State>>();
  private readonly clock: Clock;
  private readonly source: 'memory' | 'fallback';
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    readonly algorithm: RateAlgorithm<State>,
    options: MemoryRateLimiterOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.source = options.source ?? 'memory';
    this.sweeper = setInterval(() => this.sweep(), options.sweepIntervalMs ?? 10_000);
    this.sweeper.unref();
  }

  consume(key: string, cost = 1): Promise<RateLimitDecision> {
    try {
      return Promise.resolve(this.decide(key, cost));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The synchronous decision (the Redis limiter's fallback calls this directly). */
  decide(key: string, cost = 1): RateLimitDecision {
    checkCost(cost);
    const nowMs = this.clock.now();
    const entry = this.entries.get(key);
    const step = this.algorithm.step(entry?.state, nowMs, cost);
    if (step.allowed) {
      if (entry === undefined) {
        this.entries.set(key, { state: step.state, expiresAtMs: step.expiresAtMs });
      } else {
        entry.state = step.state;
        entry.expiresAtMs = step.expiresAtMs;
      }
    }
    return {
      allowed: step.allowed,
      limit: this.algorithm.limit,
      remaining: step.remaining,
      retryAfterMs: step.retryAfterMs,
      resetAfterMs: step.resetAfterMs,
      source: this.source,
    };
  }

  /** Keys currently holding state (for tests and metrics). */
  size(): number {
    return this.entries.size;
  }

  sweep(): void {
    const nowMs = this.clock.now();
    for (const [key, entry] of this.entries) {
      if (entry.expiresAtMs <= nowMs) this.entries.delete(key);
    }
  }

  close(): Promise<void> {
    clearInterval(this.sweeper);
    this.entries.clear();
    return Promise.resolve();
  }
}
