/**
 * The guard library: rate limits (token bucket, GCRA, concurrency; in process or in Redis with a
 * local fallback), admission control (an adaptive concurrency limit partitioned by priority, with
 * CoDel-managed queues), circuit breakers, and the flags client. Every part takes its own options,
 * with defaults, validated at construction; see guard/README.md.
 */
export { systemClock, wallClock, type Clock } from './clock';
export { GuardError, InvalidOptionsError, isGuardError, isInvalidOptionsError } from './errors';
export { createRedisConnection, type RedisConnectionOptions } from './redis/redis-connection';
export { retryAcrossFailover, type RedisEventLog } from './redis/redis-reconnect';
export * from './rate-limit';
export * from './shed';
export * from './breaker';
export * from './flags';
