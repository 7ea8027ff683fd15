/** The gate's config → the guard library's options, one table per guard part. */
import { gateConfigSlice, type GateConfig } from '../../../contracts/config/gate-config-slice';
import {
  PRIORITY_CLASSES as CONFIG_PRIORITY_CLASSES,
  type RateLimitPolicy as RouteRateLimitPolicy,
} from '../../../contracts/config/schema';
import { BreakerRegistry } from '../../../guard/breaker';
import { createConcurrencyLimiter, createRateLimiter, type RateLimitPolicy } from '../../../guard/rate-limit';
import { createAdmissionController, PRIORITY_CLASSES } from '../../../guard/shed';
import {
  admissionOptions,
  breakerRegistryOptions,
  flagsSourceOptions,
  GUARD_PRIORITY,
  rateLimiterOptions,
  rateLimitPolicy,
} from '../../../gate/proxy/guard-options';
import { FakeClock } from '../../support/fake-clock';
import { DEGRADED_RETRY_AFTER_MS } from '../../../contracts/degraded-retry-after';
import { testConfig } from './fixtures/test-config';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the fixture edits raw JSON
const gateConfig = (edit: (raw: Record<string, any>) => void = () => undefined): GateConfig =>
  gateConfigSlice(testConfig(edit));
const clock = new FakeClock();

describe('admission options', () => {
  it.each<[string, GateConfig, object]>([
    [
      'the example config',
      gateConfig(),
      {
        concurrency: { initialLimit: 64, minLimit: 8, maxLimit: 512, criticalReservedShare: 0.2 },
        queue: { maxLengthPerClass: 100, targetDelayMs: 5, intervalMs: 100, maxWaitMs: 1000 },
      },
    ],
    [
      'a tuned gate section',
      gateConfig((raw) => {
        raw.gate.concurrency = { initialLimit: 20, minLimit: 4, maxLimit: 40, criticalReservedShare: 0.5 };
        raw.gate.queue = { maxLengthPerClass: 7, targetDelayMs: 9, intervalMs: 300, maxWaitMs: 2500 };
      }),
      {
        concurrency: { initialLimit: 20, minLimit: 4, maxLimit: 40, criticalReservedShare: 0.5 },
        queue: { maxLengthPerClass: 7, targetDelayMs: 9, intervalMs: 300, maxWaitMs: 2500 },
      },
    ],
  ])('%s', (_name, config, expected) => {
    const options = admissionOptions(config, clock);
    expect(options).toEqual({ ...expected, degradedRetryAfterMs: DEGRADED_RETRY_AFTER_MS, clock });
    const controller = createAdmissionController(options);
    expect(controller.snapshot().limit).toBe(config.gate.concurrency.initialLimit);
    controller.close();
  });

  it('maps every config priority class onto the library class of the same rank', () => {
    expect(CONFIG_PRIORITY_CLASSES.map((cls) => GUARD_PRIORITY[cls])).toEqual([...PRIORITY_CLASSES]);
  });
});

describe('rate-limit policies', () => {
  it.each<[string, RouteRateLimitPolicy, RateLimitPolicy]>([
    [
      'token bucket',
      { algorithm: 'token-bucket', capacity: 5, refillPerSecond: 0.5 },
      { algorithm: 'token-bucket', capacity: 5, refillPerSecond: 0.5 },
    ],
    [
      'GCRA, speculative reads are the gate’s business',
      { algorithm: 'gcra', ratePerSecond: 10, burst: 20, speculative: true },
      { algorithm: 'gcra', ratePerSecond: 10, burst: 20 },
    ],
    [
      'concurrency',
      { algorithm: 'concurrency', maxInFlight: 2, leaseMs: 10_000 },
      { algorithm: 'concurrency', maxInFlight: 2, leaseMs: 10_000 },
    ],
  ])('%s', (_name, policy, expected) => {
    expect(rateLimitPolicy(policy)).toEqual(expected);
  });

  it('every route policy of the example config builds a limiter', async () => {
    const config = gateConfig();
    for (const route of config.routes) {
      if (!route.rateLimit) continue;
      const policy = rateLimitPolicy(route.rateLimit);
      const options = rateLimiterOptions(config, { prefix: `test:${route.name}`, clock });
      const limiter =
        policy.algorithm === 'concurrency'
          ? createConcurrencyLimiter(policy, options)
          : createRateLimiter(policy, options);
      await limiter.close();
    }
  });
});

describe('rate limiter options', () => {
  it.each<[string, GateConfig, { localShare: number; timeoutMs: number }]>([
    ['no localShare: the share of the planned fleet', gateConfig(), { localShare: 1 / 12, timeoutMs: 50 }],
    [
      'an explicit localShare wins',
      gateConfig((raw) => (raw.gate.localShare = 0.5)),
      { localShare: 0.5, timeoutMs: 50 },
    ],
    [
      'a larger planned fleet, a smaller share',
      gateConfig((raw) => (raw.fleet.plannedTasks = 20)),
      { localShare: 1 / 20, timeoutMs: 50 },
    ],
    ['the Redis timeout', gateConfig((raw) => (raw.gate.redisTimeoutMs = 80)), { localShare: 1 / 12, timeoutMs: 80 }],
  ])('%s', (_name, config, expected) => {
    expect(rateLimiterOptions(config, { prefix: 'saleday:rl:x', clock })).toEqual({
      redis: undefined,
      prefix: 'saleday:rl:x',
      clock,
      ...expected,
    });
  });
});

describe('flags source and breaker options', () => {
  it.each<[string, GateConfig, number]>([
    ['the example poll interval', gateConfig(), 2000],
    ['a tuned poll interval', gateConfig((raw) => (raw.gate.flagsPollMs = 500)), 500],
  ])('flags: %s', (_name, config, pollMs) => {
    expect(flagsSourceOptions(config, { url: 'redis://127.0.0.1:1', authToken: 't', clock })).toEqual({
      url: 'redis://127.0.0.1:1',
      authToken: 't',
      pollMs,
      clock,
    });
  });

  it.each<[string, GateConfig, string[]]>([
    ['the example routes’ dependencies, once each, sorted', gateConfig(), ['inventory', 'payments', 'recommender']],
    [
      'no dependencies',
      { ...gateConfig(), routes: gateConfig().routes.map((route) => ({ ...route, dependencies: [] })) },
      [],
    ],
  ])('breakers: %s', (_name, config, dependencies) => {
    const options = breakerRegistryOptions(config, clock);
    expect(options).toEqual({ defaults: { clock }, dependencies });
    const registry = new BreakerRegistry(options);
    expect(registry.names()).toEqual(dependencies);
    registry.close();
  });
});
