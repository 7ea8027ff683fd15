/**
 * The one place the gate's config becomes the guard library's options: pure functions from the
 * gate's config slice to each option object the gate builds a guard part with. The library knows
 * nothing of the config; when either side changes, this file (and its table test) is what changes.
 */
import { DEGRADED_RETRY_AFTER_MS } from '../../contracts/degraded-retry-after';
import type { GateConfig } from '../../contracts/config/gate-config-slice';
import type {
  PriorityClass as ConfigPriorityClass,
  RateLimitPolicy as RouteRateLimitPolicy,
} from '../../contracts/config/schema';
import type { BreakerRegistryOptions } from '../../guard/breaker';
import type { Clock } from '../../guard/clock';
import type { RedisFlagsSourceOptions } from '../../guard/flags/redis-flags-source';
import type { RateLimiterFactoryOptions, RateLimitPolicy } from '../../guard/rate-limit';
import type { AdmissionControllerOptions, PriorityClass } from '../../guard/shed';

/**
 * The library's class for each of the config's priority classes. They have the same names and
 * rank, so the gate hands a route's priority to admission control as is (the compiler checks that
 * the two unions stay equal wherever it does; the table test checks the ranks).
 */
export const GUARD_PRIORITY: Readonly<Record<ConfigPriorityClass, PriorityClass>> = {
  critical: 'critical',
  high: 'high',
  normal: 'normal',
  low: 'low',
};

/** Admission control: the adaptive limit's range, critical's reserve and the queues. */
export function admissionOptions(config: GateConfig, clock: Clock): AdmissionControllerOptions {
  const { concurrency, queue } = config.gate;
  return {
    concurrency: {
      initialLimit: concurrency.initialLimit,
      minLimit: concurrency.minLimit,
      maxLimit: concurrency.maxLimit,
      criticalReservedShare: concurrency.criticalReservedShare,
    },
    queue: {
      maxLengthPerClass: queue.maxLengthPerClass,
      targetDelayMs: queue.targetDelayMs,
      intervalMs: queue.intervalMs,
      maxWaitMs: queue.maxWaitMs,
    },
    degradedRetryAfterMs: DEGRADED_RETRY_AFTER_MS,
    clock,
  };
}

/** A route's rate-limit policy as the library takes it (without the gate's own `speculative` switch). */
export function rateLimitPolicy(policy: RouteRateLimitPolicy): RateLimitPolicy {
  switch (policy.algorithm) {
    case 'token-bucket':
      return { algorithm: 'token-bucket', capacity: policy.capacity, refillPerSecond: policy.refillPerSecond };
    case 'gcra':
      return { algorithm: 'gcra', ratePerSecond: policy.ratePerSecond, burst: policy.burst };
    case 'concurrency':
      return { algorithm: 'concurrency', maxInFlight: policy.maxInFlight, leaseMs: policy.leaseMs };
  }
}

/** Where one route's limiter keeps its state: decided by the gate, not by the config. */
export type RateLimiterSite = Pick<RateLimiterFactoryOptions, 'redis' | 'prefix' | 'clock'>;

/** A route limiter's options: the Redis timeout, and the local fallback's share of the limit. */
export function rateLimiterOptions(config: GateConfig, site: RateLimiterSite): RateLimiterFactoryOptions {
  // Without Redis each gate decides alone, so by default it allows its share of the planned fleet's limit.
  const localShare = config.gate.localShare ?? 1 / config.fleet.plannedTasks;
  return {
    redis: site.redis,
    prefix: site.prefix,
    clock: site.clock,
    localShare,
    timeoutMs: config.gate.redisTimeoutMs,
  };
}

/** The flags client: the poll interval (the backup to the channel) from the config. */
export function flagsSourceOptions(
  config: GateConfig,
  connection: Pick<RedisFlagsSourceOptions, 'url' | 'authToken' | 'clock'>,
): RedisFlagsSourceOptions {
  return {
    url: connection.url,
    authToken: connection.authToken,
    pollMs: config.gate.flagsPollMs,
    clock: connection.clock,
  };
}

/** One breaker per dependency the routes declare, created up front so metrics list them before their first call. */
export function breakerRegistryOptions(config: GateConfig, clock: Clock): BreakerRegistryOptions {
  return {
    defaults: { clock },
    dependencies: [...new Set(config.routes.flatMap((route) => route.dependencies))].sort(),
  };
}
