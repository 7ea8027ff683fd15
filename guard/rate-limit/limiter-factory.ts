/**
 * The two entry points of rate limiting: a policy and where its state lives (in process, or in
 * Redis with a local fallback) give a ready limiter. Options are validated here, once.
 */
import { systemClock, type Clock } from '../clock';
import { InvalidOptionsError } from '../errors';
import { MemoryConcurrencyLimiter } from './memory-concurrency-limiter';
import { MemoryRateLimiter } from './memory-rate-limiter';
import { gcraAlgorithm, tokenBucketAlgorithm, type RateAlgorithm } from './rate-algorithm';
import {
  validateConcurrencyLimits,
  validateGcraLimits,
  validateLocalShare,
  validatePrefix,
  validateTokenBucketLimits,
} from './rate-limit-options';
import type { RateLimitPolicy } from './rate-limit-policy';
import type { ConcurrencyLimiter, RateLimiter } from './rate-limiter';
import { RedisConcurrencyLimiter } from './redis-concurrency-limiter';
import { RedisRateLimiter, type RedisRateScript } from './redis-rate-limiter';
import type { RedisClient } from './redis-script-runner';
import { SCRIPTS } from './redis-scripts';
import type { StoreBreakerOptions } from './store-breaker';

export interface RateLimiterFactoryOptions {
  /** A Redis (or Cluster) connection; without it the limiter is in-process only. Not closed by close(). @default undefined (in process) */
  redis?: RedisClient;
  /** Key prefix, e.g. `myapp:rl:<route>` (no braces): keys are `<prefix>:{<user key>}`. Required. */
  prefix: string;
  /** @default systemClock */
  clock?: Clock;
  /** This process's share of the global limit for the local fallback, in (0, 1] (e.g. 1 / the number of processes). @default 1 */
  localShare?: number;
  /** Redis decisions slower than this fall back locally, ms. @default 50 */
  timeoutMs?: number;
  /** Redis store only: decisions per script call. @default 128 */
  maxBatchSize?: number;
  /** Redis store only: answer refused keys locally until their retry time. @default true */
  overLimitCache?: boolean;
  /** Redis store only: the breaker around the store. @default STORE_BREAKER_DEFAULTS */
  breaker?: StoreBreakerOptions;
  /** Tests only: the Redis scripts use this clock's time instead of the server's TIME. */
  scriptClock?: Clock;
}

/** A token-bucket or GCRA limiter for one policy. */
export function createRateLimiter(policy: RateLimitPolicy, options: RateLimiterFactoryOptions): RateLimiter {
  validatePrefix(options.prefix);
  validateLocalShare(options.localShare);
  const clock = options.clock ?? systemClock;
  if (policy.algorithm === 'token-bucket') {
    const limits = validateTokenBucketLimits(policy);
    const algorithm = tokenBucketAlgorithm(limits);
    return build(
      algorithm,
      {
        script: SCRIPTS.tokenBucket,
        limitArgs: [String(limits.capacity), String(limits.refillPerSecond / 1000)],
        algorithm,
      },
      options,
      clock,
    );
  }
  if (policy.algorithm === 'gcra') {
    const limits = validateGcraLimits(policy);
    const algorithm = gcraAlgorithm(limits);
    return build(
      algorithm,
      { script: SCRIPTS.gcra, limitArgs: [String(1000 / limits.ratePerSecond), String(limits.burst)], algorithm },
      options,
      clock,
    );
  }
  throw new InvalidOptionsError(
    'policy.algorithm',
    policy.algorithm,
    "'token-bucket' or 'gcra' (use createConcurrencyLimiter for 'concurrency')",
  );
}

function build<State>(
  algorithm: RateAlgorithm<State>,
  script: RedisRateScript<State>,
  options: RateLimiterFactoryOptions,
  clock: Clock,
): RateLimiter {
  if (options.redis === undefined) return new MemoryRateLimiter(algorithm, { clock });
  return new RedisRateLimiter(script, { ...options, redis: options.redis, clock });
}

/** A concurrency limiter (at most maxInFlight per key, leases expiring after leaseMs). */
export function createConcurrencyLimiter(
  policy: RateLimitPolicy,
  options: RateLimiterFactoryOptions,
): ConcurrencyLimiter {
  if (policy.algorithm !== 'concurrency') {
    throw new InvalidOptionsError(
      'policy.algorithm',
      policy.algorithm,
      "'concurrency' (use createRateLimiter for token-bucket and gcra)",
    );
  }
  validatePrefix(options.prefix);
  validateLocalShare(options.localShare);
  const limits = validateConcurrencyLimits(policy);
  const clock = options.clock ?? systemClock;
  if (options.redis === undefined) return new MemoryConcurrencyLimiter(limits, { clock });
  return new RedisConcurrencyLimiter(limits, { ...options, redis: options.redis, clock });
}
