/**
 * The Redis store for the concurrency limit: one sorted set of leases per key (member
 * "<cost>:<lease id>", score = expiry), acquired in one EVALSHA that first drops expired leases, so
 * a crashed holder's slot comes back after `leaseMs` without anyone releasing it. Release is one
 * ZREM. When Redis fails, is slower than `timeoutMs`, or its breaker is open, leases come from an
 * in-process limiter at `localShare` of the limit (`fallback`), and are released there.
 */
import { randomUUID } from 'node:crypto';
import { Command } from 'ioredis';
import type { ObservableCircuitBreaker } from '../breaker';
import { systemClock, type Clock } from '../clock';
import type { ConcurrencyLimits } from './concurrency';
import { MemoryConcurrencyLimiter } from './memory-concurrency-limiter';
import { RATE_LIMIT_DEFAULTS } from './rate-limit-defaults';
import {
  checkCost,
  hashTaggedKey,
  requirePositiveFinite,
  validateLocalShare,
  validatePrefix,
} from './rate-limit-options';
import { RETRY_NEVER, type ConcurrencyLease, type ConcurrencyLimiter, type RateLimitDecision } from './rate-limiter';
import { runScript, type RedisClient } from './redis-script-runner';
import { SCRIPTS } from './redis-scripts';
import { createStoreBreaker, type StoreBreakerOptions } from './store-breaker';

export interface RedisConcurrencyLimiterOptions {
  redis: RedisClient;
  prefix: string;
  /** @default systemClock */
  clock?: Clock;
  /** This process's share of the global limit when deciding locally. @default 1 */
  localShare?: number;
  /** A Redis call slower than this is decided locally. @default 50 */
  timeoutMs?: number;
  /** Policy of the breaker around the store. @default STORE_BREAKER_DEFAULTS */
  breaker?: StoreBreakerOptions;
  /** Tests only: the script's "now" instead of the server's TIME (see redis-scripts.ts). */
  scriptClock?: Clock;
}

const NO_RELEASE = (): Promise<void> => Promise.resolve();

export class RedisConcurrencyLimiter implements ConcurrencyLimiter {
  readonly breaker: ObservableCircuitBreaker;
  private readonly redis: RedisClient;
  private readonly prefix: string;
  private readonly clock: Clock;
  private readonly scriptClock: Clock | undefined;
  private readonly timeoutMs: number;
  private readonly fallback: MemoryConcurrencyLimiter;
  private readonly idPrefix = randomUUID().slice(0, 12) + ':';
  private nextId = 0;

  constructor(
    readonly limits: ConcurrencyLimits,
    options: RedisConcurrencyLimiterOptions,
  ) {
    this.redis = options.redis;
    this.prefix = validatePrefix(options.prefix);
    this.clock = options.clock ?? systemClock;
    this.scriptClock = options.scriptClock;
    this.timeoutMs = options.timeoutMs ?? RATE_LIMIT_DEFAULTS.timeoutMs;
    requirePositiveFinite('timeoutMs', this.timeoutMs);
    const share = validateLocalShare(options.localShare);
    this.fallback = new MemoryConcurrencyLimiter(
      { maxInFlight: Math.max(1, Math.floor(limits.maxInFlight * share)), leaseMs: limits.leaseMs },
      { clock: this.clock, source: 'fallback' },
    );
    this.breaker = createStoreBreaker(`concurrency:${this.prefix}`, this.clock, options.breaker);
  }

  async acquire(key: string, cost = 1): Promise<ConcurrencyLease> {
    checkCost(cost);
    if (cost > this.limits.maxInFlight) {
      return {
        decision: {
          allowed: false,
          limit: this.limits.maxInFlight,
          remaining: 0,
          retryAfterMs: RETRY_NEVER,
          resetAfterMs: 0,
          source: 'cached',
        },
        release: NO_RELEASE,
      };
    }
    const ticket = this.breaker.tryPass();
    if (ticket === undefined) return this.fallback.acquireNow(key, cost);
    const redisKey = hashTaggedKey(this.prefix, key);
    const leaseId = this.idPrefix + String(this.nextId++);
    const args = [
      SCRIPTS.concurrencyAcquire.sha,
      1,
      redisKey,
      this.scriptClock === undefined ? '' : String(this.scriptClock.now()),
      this.limits.maxInFlight,
      this.limits.leaseMs,
      cost,
      leaseId,
    ];
    const startedAtMs = this.clock.now();
    let reply: number[];
    try {
      reply = (await withTimeout(runScript(this.redis, SCRIPTS.concurrencyAcquire, args), this.timeoutMs)) as number[];
    } catch {
      ticket.failure();
      return this.fallback.acquireNow(key, cost);
    }
    ticket.success(this.clock.now() - startedAtMs);
    const [remaining, retryAfterMs, resetAfterMs] = reply as [number, number, number];
    const decision: RateLimitDecision =
      remaining >= 0
        ? { allowed: true, limit: this.limits.maxInFlight, remaining, retryAfterMs: 0, resetAfterMs, source: 'redis' }
        : { allowed: false, limit: this.limits.maxInFlight, remaining: 0, retryAfterMs, resetAfterMs, source: 'redis' };
    if (!decision.allowed) return { decision, release: NO_RELEASE };
    const member = `${cost}:${leaseId}`;
    let released = false;
    return {
      decision,
      release: async () => {
        if (released) return;
        released = true;
        // A release that cannot reach Redis is not an error: the lease expires on its own.
        const command = new Command('zrem', [redisKey, member]);
        this.redis.sendCommand(command);
        await withTimeout(command.promise as Promise<unknown>, this.timeoutMs).catch(() => undefined);
      },
    };
  }

  async close(): Promise<void> {
    this.breaker.close();
    await this.fallback.close();
  }
}

/** Rejects after `ms` (the late reply is ignored); the timer never holds the process open. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
    timer.unref();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
