/**
 * The Redis store for token bucket and GCRA, built to spend as little CPU per decision as possible
 * on both sides of the wire:
 *
 * - Batching: decisions asked for together go to Redis as ONE EVALSHA over all their keys; the
 *   script decides them in arrival order, so a key repeated in a batch is still exact. A batch is
 *   one command for Redis and one reply for Node, and on loopback or a VPC each command also costs
 *   a wake-up on both sides, so fewer, larger batches are what keep the CPU per decision low. When
 *   no batch is in flight the pending decisions leave once the current job and its promise
 *   continuations are done (process.nextTick: no added latency for a lone request, and cheaper than
 *   queueMicrotask, which wraps every callback in an async resource); while a batch is in flight
 *   they gather until it settles (like Nagle's algorithm: under load a batch holds everything that
 *   arrived during the previous round trip), but never longer than a tenth of `timeoutMs` (a slow
 *   Redis must not hold decisions back: each batch still gets its whole `timeoutMs`), or until
 *   `maxBatchSize` are waiting. On a cluster a batch is split by hash slot (a script may only touch
 *   one slot).
 * - Over-limit cache: a key Redis refused is answered locally (`cached`) until its retry time.
 * - Fallback: a batch that fails or takes longer than `timeoutMs` is decided by an in-process
 *   limiter at `localShare` of the global limit (`fallback`), and a breaker around the store makes a
 *   dead Redis cost nothing per request until a half-open probe finds it back.
 *
 * A batch that timed out may still be applied by Redis later: those requests were admitted (or not)
 * locally, so during a slow spell the fleet may admit up to its local shares on top of Redis's
 * count. That is the price of static stability, and it is bounded by the timeout.
 */
import type { ObservableCircuitBreaker } from '../breaker';
import { systemClock, type Clock } from '../clock';
import { clusterSlot } from './cluster-slot';
import { MemoryRateLimiter } from './memory-rate-limiter';
import { OverLimitCache } from './over-limit-cache';
import type { RateAlgorithm } from './rate-algorithm';
import { RATE_LIMIT_DEFAULTS } from './rate-limit-defaults';
import {
  checkCost,
  hashTaggedKey,
  requirePositiveFinite,
  requirePositiveInteger,
  validateLocalShare,
  validatePrefix,
} from './rate-limit-options';
import { RETRY_NEVER, type RateLimitDecision, type RateLimiter } from './rate-limiter';
import { runScript, type RedisClient } from './redis-script-runner';
import type { LuaScript } from './redis-scripts';
import { createStoreBreaker, type StoreBreakerOptions } from './store-breaker';

export interface RedisRateLimiterOptions {
  redis: RedisClient;
  /** Key prefix (no braces): keys are `<prefix>:{<user key>}`. */
  prefix: string;
  /** Local time: the over-limit cache, the fallback limiter and the breaker. @default systemClock */
  clock?: Clock;
  /** This process's share of the global limit when deciding locally. @default 1 */
  localShare?: number;
  /** A batch slower than this is decided locally. @default 50 */
  timeoutMs?: number;
  /** At most this many decisions per script call. @default 128 */
  maxBatchSize?: number;
  /** Answer keys Redis refused locally until their retry time. @default true */
  overLimitCache?: boolean;
  /** Bound on the keys the over-limit cache holds. @default 100_000 */
  overLimitCacheKeys?: number;
  /** Policy of the breaker around the store. @default STORE_BREAKER_DEFAULTS */
  breaker?: StoreBreakerOptions;
  /**
   * Tests only: pass this clock's time to the script instead of letting it read the server's TIME,
   * so the shared table-driven tests can move time on Redis without sleeping. Leave unset in production.
   */
  scriptClock?: Clock;
}

/** The script and its two limit arguments, as the algorithm-specific factories build them. */
export interface RedisRateScript<State> {
  script: LuaScript;
  limitArgs: [string, string];
  algorithm: RateAlgorithm<State>;
}

type Resolve = (decision: RateLimitDecision) => void;

/**
 * The longest pending decisions wait for the batch in flight to settle before leaving anyway, as a
 * share of `timeoutMs`: far above a healthy round trip (a fraction of a millisecond, but a busy
 * event loop turn can take a millisecond or two, and a timer that fires first would split the
 * batch), so under load batches gather a whole round trip's requests; and a slow Redis costs a
 * decision at most this share of its timeout more.
 */
const GATHER_BEHIND_SHARE = 0.1;

/** One script call: the decisions it carries and its outcome bookkeeping. */
class Batch {
  settled = false;
  timer: NodeJS.Timeout | undefined = undefined;
  constructor(
    readonly keys: string[],
    readonly costs: number[],
    readonly resolvers: Resolve[],
    readonly startedAtMs: number,
    readonly ticket: { success(latencyMs: number): void; failure(): void },
  ) {}
}

export class RedisRateLimiter<State> implements RateLimiter {
  readonly breaker: ObservableCircuitBreaker;
  readonly limit: number;
  private readonly redis: RedisClient;
  private readonly prefix: string;
  private readonly clock: Clock;
  private readonly scriptClock: Clock | undefined;
  private readonly timeoutMs: number;
  private readonly gatherBehindMs: number;
  private readonly maxBatchSize: number;
  private readonly script: LuaScript;
  private readonly limitArgs: [string, string];
  private readonly fallback: MemoryRateLimiter<State>;
  private readonly refusals: OverLimitCache | undefined;
  private readonly sweeper: NodeJS.Timeout;
  private pendingKeys: string[] = [];
  private pendingCosts: number[] = [];
  private pendingResolvers: Resolve[] = [];
  private flushScheduled = false;
  /** Bounds how long pending decisions wait behind a batch in flight. */
  private gatherTimer: NodeJS.Timeout | undefined = undefined;
  private batchesInFlight = 0;
  private closed = false;
  private readonly flush = (): void => this.flushPending();
  private readonly onTimeout = (batch: Batch): void => this.settleLocally(batch, true);

  constructor(definition: RedisRateScript<State>, options: RedisRateLimiterOptions) {
    this.redis = options.redis;
    this.prefix = validatePrefix(options.prefix);
    this.clock = options.clock ?? systemClock;
    this.scriptClock = options.scriptClock;
    this.timeoutMs = options.timeoutMs ?? RATE_LIMIT_DEFAULTS.timeoutMs;
    requirePositiveFinite('timeoutMs', this.timeoutMs);
    this.gatherBehindMs = Math.max(1, Math.round(this.timeoutMs * GATHER_BEHIND_SHARE));
    this.maxBatchSize = options.maxBatchSize ?? RATE_LIMIT_DEFAULTS.maxBatchSize;
    requirePositiveInteger('maxBatchSize', this.maxBatchSize);
    const localShare = validateLocalShare(options.localShare);
    this.script = definition.script;
    this.limitArgs = definition.limitArgs;
    this.limit = definition.algorithm.limit;
    this.fallback = new MemoryRateLimiter(definition.algorithm.scaled(localShare), {
      clock: this.clock,
      source: 'fallback',
    });
    this.refusals =
      options.overLimitCache === false
        ? undefined
        : new OverLimitCache(this.clock, options.overLimitCacheKeys ?? RATE_LIMIT_DEFAULTS.overLimitCacheKeys);
    this.breaker = createStoreBreaker(`rate-limit:${this.prefix}`, this.clock, options.breaker);
    this.sweeper = setInterval(() => this.refusals?.sweep(), 10_000);
    this.sweeper.unref();
  }

  consume(key: string, cost = 1): Promise<RateLimitDecision> {
    if (cost !== 1) {
      try {
        checkCost(cost);
      } catch (error) {
        return Promise.reject(error);
      }
      if (cost > this.limit) return Promise.resolve(this.neverDecision());
    }
    if (this.refusals !== undefined && this.refusals.size !== 0) {
      const nowMs = this.clock.now();
      const retryAfterMs = this.refusals.retryAfterMs(key, cost, nowMs);
      if (retryAfterMs > 0) {
        return Promise.resolve({
          allowed: false,
          limit: this.limit,
          remaining: 0,
          retryAfterMs,
          resetAfterMs: this.refusals.resetAfterMs(key, nowMs),
          source: 'cached',
        });
      }
    }
    if (this.closed) return Promise.resolve(this.fallback.decide(key, cost));
    return new Promise<RateLimitDecision>((resolve) => {
      this.pendingKeys.push(key);
      this.pendingCosts.push(cost);
      this.pendingResolvers.push(resolve);
      if (this.pendingKeys.length >= this.maxBatchSize) {
        this.flushPending();
      } else if (!this.flushScheduled) {
        this.flushScheduled = true;
        if (this.batchesInFlight === 0) {
          process.nextTick(this.flush);
        } else {
          // The batch in flight flushes these when it settles (flushGathered), or this timer does.
          this.gatherTimer = setTimeout(this.flush, this.gatherBehindMs);
          this.gatherTimer.unref();
        }
      }
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.flushPending();
    clearInterval(this.sweeper);
    this.refusals?.clear();
    this.breaker.close();
    await this.fallback.close();
  }

  private flushPending(): void {
    // A flush that finds nothing left (an earlier flush at maxBatchSize took it all) is harmless.
    this.flushScheduled = false;
    if (this.gatherTimer !== undefined) {
      clearTimeout(this.gatherTimer);
      this.gatherTimer = undefined;
    }
    const keys = this.pendingKeys;
    if (keys.length === 0) return;
    const costs = this.pendingCosts;
    const resolvers = this.pendingResolvers;
    this.pendingKeys = [];
    this.pendingCosts = [];
    this.pendingResolvers = [];
    if (this.closed) {
      for (let i = 0; i < keys.length; i++) resolvers[i]!(this.fallback.decide(keys[i]!, costs[i]!));
      return;
    }
    if (!this.redis.isCluster) {
      this.send(keys, costs, resolvers);
      return;
    }
    const bySlot = new Map<number, [string[], number[], Resolve[]]>();
    for (let i = 0; i < keys.length; i++) {
      const slot = clusterSlot(hashTaggedKey(this.prefix, keys[i]!));
      let group = bySlot.get(slot);
      if (group === undefined) {
        group = [[], [], []];
        bySlot.set(slot, group);
      }
      group[0].push(keys[i]!);
      group[1].push(costs[i]!);
      group[2].push(resolvers[i]!);
    }
    for (const [groupKeys, groupCosts, groupResolvers] of bySlot.values())
      this.send(groupKeys, groupCosts, groupResolvers);
  }

  private send(keys: string[], costs: number[], resolvers: Resolve[]): void {
    const ticket = this.breaker.tryPass();
    const n = keys.length;
    if (ticket === undefined) {
      for (let i = 0; i < n; i++) resolvers[i]!(this.fallback.decide(keys[i]!, costs[i]!));
      return;
    }
    // Built by push: a packed array is cheaper for ioredis to flatten and serialize than a holey one.
    const args: (string | number)[] = [this.script.sha, n];
    for (let i = 0; i < n; i++) args.push(this.prefix + ':{' + keys[i] + '}');
    args.push(
      this.scriptClock === undefined ? '' : String(this.scriptClock.now()),
      this.limitArgs[0],
      this.limitArgs[1],
    );
    // Costs travel only when one differs from 1: the script reads a missing list as all 1.
    let uniformCost = true;
    for (let i = 0; i < n && uniformCost; i++) uniformCost = costs[i] === 1;
    if (!uniformCost) for (let i = 0; i < n; i++) args.push(costs[i]!);
    const batch = new Batch(keys, costs, resolvers, this.clock.now(), ticket);
    this.batchesInFlight++;
    batch.timer = setTimeout(this.onTimeout, this.timeoutMs, batch);
    batch.timer.unref();
    runScript(this.redis, this.script, args).then(
      (reply) => this.settleFromRedis(batch, reply as number[]),
      () => this.settleLocally(batch, false),
    );
  }

  private settleFromRedis(batch: Batch, reply: number[]): void {
    if (batch.settled) return;
    batch.settled = true;
    this.batchesInFlight--;
    clearTimeout(batch.timer);
    batch.ticket.success(this.clock.now() - batch.startedAtMs);
    this.flushGathered();
    const { keys, costs, resolvers } = batch;
    const limit = this.limit;
    const refusals = this.refusals;
    for (let i = 0, r = 0; i < keys.length; i++, r += 3) {
      const remaining = reply[r]!;
      if (remaining >= 0) {
        resolvers[i]!({
          allowed: true,
          limit,
          remaining,
          retryAfterMs: 0,
          resetAfterMs: reply[r + 2]!,
          source: 'redis',
        });
      } else {
        const retryAfterMs = reply[r + 1]!;
        const resetAfterMs = reply[r + 2]!;
        if (refusals !== undefined) refusals.remember(keys[i]!, costs[i]!, retryAfterMs, resetAfterMs);
        resolvers[i]!({ allowed: false, limit, remaining: 0, retryAfterMs, resetAfterMs, source: 'redis' });
      }
    }
  }

  private settleLocally(batch: Batch, timedOut: boolean): void {
    if (batch.settled) return;
    batch.settled = true;
    this.batchesInFlight--;
    if (!timedOut) clearTimeout(batch.timer);
    batch.ticket.failure();
    this.flushGathered();
    const { keys, costs, resolvers } = batch;
    for (let i = 0; i < keys.length; i++) resolvers[i]!(this.fallback.decide(keys[i]!, costs[i]!));
  }

  /**
   * Sends what gathered while the last batch in flight was out, in this event-loop turn's check
   * phase: requests read in the same poll as the reply join it rather than wait for the next one.
   */
  private flushGathered(): void {
    if (this.batchesInFlight === 0 && this.flushScheduled) setImmediate(this.flush);
  }

  /** A cost above the limit can never pass: known without asking Redis, hence `cached`. */
  private neverDecision(): RateLimitDecision {
    return {
      allowed: false,
      limit: this.limit,
      remaining: 0,
      retryAfterMs: RETRY_NEVER,
      resetAfterMs: 0,
      source: 'cached',
    };
  }
}
