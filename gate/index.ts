/**
 * The guard library: rate limits (token bucket, GCRA, concurrency; in process or in Redis with a
 * local fallback), admission control (adaptive concurrency limit partitioned by priority, with
 * queues), circuit breakers, the flags document and its sources, and the gate proxy built on them.
 */
export { systemClock, type Clock } from '../guard/clock';
export { GuardError, InvalidOptionsError, isGuardError, isInvalidOptionsError } from '../guard/errors';
export { createRedisConnection, type RedisConnectionOptions } from '../guard/redis/redis-connection';
export * from '../guard/rate-limit';
export * from '../guard/shed';
export * from '../guard/breaker';
export * from '../contracts/flags/flags-document';
export type { FlagsSource } from '../guard/flags/flags-source';
export type { FlagsStore, FlagsWriteResult } from '../guard/flags/flags-store';
export { MemoryFlags } from '../guard/flags/memory-flags';
export { RedisFlagsSource, type RedisFlagsSourceOptions } from '../guard/flags/redis-flags-source';
export * from '../contracts/metrics/gate-metrics';
export * from './proxy';
