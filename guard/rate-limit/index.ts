/**
 * Rate limiting: token bucket, GCRA and concurrency limits, in process or centralized in Redis
 * with one round trip per decision, a local fallback at this process's share of the limit, and an
 * over-limit cache for abusive keys. `createRateLimiter` / `createConcurrencyLimiter` are the entry
 * points; the pure step functions are exported for tests and for anyone simulating a policy.
 */
export * from './rate-limiter';
export { createRateLimiter, createConcurrencyLimiter, type RateLimiterFactoryOptions } from './limiter-factory';
export type { RateLimitPolicy, TokenBucketPolicy, GcraPolicy, ConcurrencyPolicy } from './rate-limit-policy';
export { RATE_LIMIT_DEFAULTS } from './rate-limit-defaults';
export { stepTokenBucket, type TokenBucketLimits, type TokenBucketState, type LimitStep } from './token-bucket';
export { stepGcra, type GcraLimits, type GcraState } from './gcra';
export { stepAcquire, stepRelease, type ConcurrencyLimits, type Lease } from './concurrency';
export { MemoryRateLimiter, type MemoryRateLimiterOptions } from './memory-rate-limiter';
export { MemoryConcurrencyLimiter, type MemoryConcurrencyLimiterOptions } from './memory-concurrency-limiter';
export { RedisRateLimiter, type RedisRateLimiterOptions } from './redis-rate-limiter';
export { RedisConcurrencyLimiter, type RedisConcurrencyLimiterOptions } from './redis-concurrency-limiter';
export { tokenBucketAlgorithm, gcraAlgorithm, type RateAlgorithm } from './rate-algorithm';
export { hashTaggedKey } from './rate-limit-options';
export { clusterSlot } from './cluster-slot';
export { redisVersionProblem } from './redis-version';
export { STORE_BREAKER_DEFAULTS, type StoreBreakerOptions } from './store-breaker';
