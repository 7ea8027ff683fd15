/**
 * The guard library: rate limits (token bucket, GCRA, concurrency; in process or in Redis with a
 * local fallback), admission control (adaptive concurrency limit partitioned by priority, with
 * queues), circuit breakers, the flags document and its sources, and the gate proxy built on them.
 */
export { systemClock, type Clock } from './clock';
export { GuardError, InvalidOptionsError, isGuardError, isInvalidOptionsError } from './errors';
export { createRedisConnection, type RedisConnectionOptions } from './redis-connection';
export * from './rate-limit';
export * from './shed';
export * from './breaker';
export * from './flags/flags-document';
export type { FlagsSource } from './flags/flags-source';
export type { FlagsStore, FlagsWriteResult } from './flags/flags-store';
export { MemoryFlags } from './flags/memory-flags';
export { RedisFlagsSource, type RedisFlagsSourceOptions } from './flags/redis-flags-source';
export * from './metrics/gate-metrics';
export * from './proxy';
