/**
 * The guard library's objects the gate runs on, built in one place from the gate's config: the
 * Redis connection, the flags source, the admission controller, the breakers and each route's
 * rate limiter. The runtime owns them and closes them (closeGuards).
 */
import type Redis from 'ioredis';
import type { GateConfig } from '../../contracts/config/gate-config-slice';
import { BreakerRegistry } from '../../guard/breaker';
import type { Clock } from '../../guard/clock';
import type { FlagsSource } from '../../guard/flags/flags-source';
import { MemoryFlags } from '../../guard/flags/memory-flags';
import { RedisFlagsSource } from '../../guard/flags/redis-flags-source';
import { createConcurrencyLimiter, createRateLimiter } from '../../guard/rate-limit';
import { createRedisConnection } from '../../guard/redis/redis-connection';
import { createAdmissionController, type PriorityAdmissionController } from '../../guard/shed';
import type { GateLogger } from '../proxy/gate-logger';
import {
  admissionOptions,
  breakerRegistryOptions,
  flagsSourceOptions,
  rateLimiterOptions,
  rateLimitPolicy,
} from '../proxy/guard-options';
import { SpeculativeReads } from '../proxy/speculative-reads';
import { throttle } from '../proxy/throttle';
import type { RouteLimiter } from '../pipeline/route-limiter';
import { resolveWallClock, type GateOptions } from './gate-options';

export interface GuardObjects {
  redis: Redis | undefined;
  flags: FlagsSource;
  /** The gate built the flags source (and closes it); a given one belongs to the caller. */
  ownsFlags: boolean;
  admission: PriorityAdmissionController;
  breakers: BreakerRegistry;
  /** Route name → its rate limit. */
  limiters: Map<string, RouteLimiter>;
}

/** `onFlagsKeyMissing` hears when the flags key goes missing from Redis for too long, and when it is back. */
export function createGuards(
  options: GateOptions,
  clock: Clock,
  logger: GateLogger,
  gateId: string,
  onFlagsKeyMissing: (missing: boolean) => void,
): GuardObjects {
  const { config } = options;
  const redis: Redis | undefined = options.redisUrl
    ? createRedisConnection({
        url: options.redisUrl,
        authToken: options.redisAuthToken,
        connectionName: `saleday-gate:${gateId}`,
        failFast: true,
        log: (m, f) => logger.warn(m, f),
      })
    : undefined;
  return {
    redis,
    flags: options.flags ?? createFlagsSource(options, clock, logger, onFlagsKeyMissing),
    ownsFlags: options.flags === undefined,
    admission: createAdmissionController(admissionOptions(config, clock)),
    breakers: new BreakerRegistry(breakerRegistryOptions(config, clock)),
    limiters: createRouteLimiters(config, redis, options.rateLimitPrefix ?? `saleday:rl:${config.saleName}`, clock),
  };
}

/** Every dependency a route names, once, sorted. */
export function routeDependencies(config: GateConfig): string[] {
  return [...new Set(config.routes.flatMap((r) => r.dependencies))].sort();
}

export async function closeGuards(guards: GuardObjects): Promise<void> {
  guards.admission.close();
  guards.breakers.close();
  await Promise.all([...guards.limiters.values()].map((l) => (l.rate ?? l.concurrency)?.close()));
  if (guards.ownsFlags) await guards.flags.close();
  const redis = guards.redis;
  if (redis) await redis.quit().catch(() => redis.disconnect());
}

function createFlagsSource(
  options: GateOptions,
  clock: Clock,
  logger: GateLogger,
  onFlagsKeyMissing: (missing: boolean) => void,
): FlagsSource {
  if (!options.redisUrl) return new MemoryFlags();
  const flagsWarn = throttle(
    (message: string, fields: Record<string, unknown>) => logger.warn(message, fields),
    5000,
    clock,
  );
  return new RedisFlagsSource({
    ...flagsSourceOptions(options.config, { url: options.redisUrl, authToken: options.redisAuthToken, clock }),
    log: (m, f) => logger.warn(m, f),
    onError: (error) => flagsWarn('flags unavailable; keeping the last-known document', { error: error.message }),
    onKeyMissing: (event) => {
      onFlagsKeyMissing(event.missing);
      if (event.missing)
        logger.warn('flags key missing from Redis; keeping the last-known document until the controller rewrites it', {
          polls: event.polls,
          // sinceMs is on the monotonic clock; a reader of the log wants the wall time it stands for.
          since: new Date(resolveWallClock(options).now() - (clock.now() - event.sinceMs)).toISOString(),
        });
      else logger.info('flags key back in Redis', { missingPolls: event.polls });
    },
  });
}

function createRouteLimiters(
  config: GateConfig,
  redis: Redis | undefined,
  rateLimitPrefix: string,
  clock: Clock,
): Map<string, RouteLimiter> {
  const limiters = new Map<string, RouteLimiter>();
  for (const route of config.routes) {
    const policy = route.rateLimit;
    if (!policy) continue;
    const limiterOptions = rateLimiterOptions(config, { redis, prefix: `${rateLimitPrefix}:${route.name}`, clock });
    const edgeCached = route.cache !== 'none';
    if (policy.algorithm === 'concurrency') {
      limiters.set(route.name, {
        policy,
        concurrency: createConcurrencyLimiter(rateLimitPolicy(policy), limiterOptions),
        edgeCached,
      });
    } else {
      const speculation = policy.speculative === true && redis !== undefined ? new SpeculativeReads(clock) : undefined;
      limiters.set(route.name, {
        policy,
        rate: createRateLimiter(rateLimitPolicy(policy), limiterOptions),
        speculation,
        edgeCached,
      });
    }
  }
  return limiters;
}
