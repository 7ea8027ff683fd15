/** Bad policies and options throw at construction, naming the option, the value and what was expected. */
import Redis from 'ioredis';
import type { RateLimitPolicy } from '../../../guard/rate-limit';
import { isInvalidOptionsError } from '../../../guard/errors';
import {
  createConcurrencyLimiter,
  createRateLimiter,
  MemoryRateLimiter,
  tokenBucketAlgorithm,
} from '../../../guard/rate-limit';
import { FakeClock } from '../../support/fake-clock';
import { testRedisUrl } from '../../support/test-redis';

const bucket: RateLimitPolicy = { algorithm: 'token-bucket', capacity: 10, refillPerSecond: 1 };

describe('validation at construction', () => {
  test.each<[string, () => unknown, string]>([
    [
      'capacity',
      () => createRateLimiter({ ...bucket, capacity: 0 }, { prefix: 'p' }),
      'capacity: got 0; expected a positive integer',
    ],
    [
      'capacity (fraction)',
      () => createRateLimiter({ ...bucket, capacity: 1.5 }, { prefix: 'p' }),
      'capacity: got 1.5',
    ],
    [
      'refillPerSecond',
      () => createRateLimiter({ ...bucket, refillPerSecond: -1 }, { prefix: 'p' }),
      'refillPerSecond: got -1; expected a positive finite number',
    ],
    [
      'ratePerSecond',
      () =>
        createRateLimiter({ algorithm: 'gcra', ratePerSecond: Number.POSITIVE_INFINITY, burst: 1 }, { prefix: 'p' }),
      'ratePerSecond',
    ],
    [
      'burst',
      () => createRateLimiter({ algorithm: 'gcra', ratePerSecond: 1, burst: 0 }, { prefix: 'p' }),
      'burst: got 0',
    ],
    [
      'maxInFlight',
      () => createConcurrencyLimiter({ algorithm: 'concurrency', maxInFlight: 0, leaseMs: 1000 }, { prefix: 'p' }),
      'maxInFlight: got 0',
    ],
    [
      'leaseMs',
      () => createConcurrencyLimiter({ algorithm: 'concurrency', maxInFlight: 1, leaseMs: 0 }, { prefix: 'p' }),
      'leaseMs: got 0',
    ],
    ['prefix (empty)', () => createRateLimiter(bucket, { prefix: '' }), 'prefix: got ""'],
    ['prefix (brace)', () => createRateLimiter(bucket, { prefix: 'rl:{x}' }), 'without { or }'],
    [
      'localShare',
      () => createRateLimiter(bucket, { prefix: 'p', localShare: 1.5 }),
      'localShare: got 1.5; expected a number in (0, 1]',
    ],
    [
      'algorithm (rate factory)',
      () => createRateLimiter({ algorithm: 'concurrency', maxInFlight: 1, leaseMs: 1 }, { prefix: 'p' }),
      'policy.algorithm: got "concurrency"',
    ],
    [
      'algorithm (concurrency factory)',
      () => createConcurrencyLimiter(bucket, { prefix: 'p' }),
      'policy.algorithm: got "token-bucket"',
    ],
  ])('%s', (_option, build, message) => {
    let thrown: unknown;
    try {
      build();
    } catch (error) {
      thrown = error;
    }
    expect(isInvalidOptionsError(thrown)).toBe(true);
    expect((thrown as Error).message).toContain(message);
  });

  test.each([
    ['timeoutMs', { timeoutMs: 0 }, 'timeoutMs: got 0'],
    ['maxBatchSize', { maxBatchSize: 0.5 }, 'maxBatchSize: got 0.5'],
  ])('%s (Redis store)', async (_option, extra, message) => {
    const redis = new Redis(testRedisUrl(), { lazyConnect: true });
    expect(() => createRateLimiter(bucket, { prefix: 'p', redis, ...extra })).toThrow(message);
    redis.disconnect();
  });

  test('a bad cost is refused per call without touching the bucket', async () => {
    const limiter = createRateLimiter(bucket, { prefix: 'p', clock: new FakeClock() });
    await expect(limiter.consume('k', 0)).rejects.toThrow('cost: got 0; expected a positive integer');
    await expect(limiter.consume('k', 1.5)).rejects.toThrow('cost: got 1.5');
    expect(await limiter.consume('k')).toMatchObject({ allowed: true, remaining: 9 });
    await limiter.close();
  });
});

describe('in-process store housekeeping', () => {
  test('keys whose bucket is full again are swept, so a flood of distinct keys does not grow memory', async () => {
    const clock = new FakeClock();
    const limiter = new MemoryRateLimiter(tokenBucketAlgorithm({ capacity: 2, refillPerSecond: 1 }), { clock });
    for (let i = 0; i < 100; i++) await limiter.consume(`k${i}`);
    await limiter.consume('busy', 2);
    expect(limiter.size()).toBe(101);
    clock.advance(1000);
    limiter.sweep();
    expect(limiter.size()).toBe(1); // 'busy' needs 2 s to be full again
    clock.advance(1000);
    limiter.sweep();
    expect(limiter.size()).toBe(0);
    await limiter.close();
  });

  test('the fallback share scales capacity and rate, never below one unit', () => {
    const scaled = tokenBucketAlgorithm({ capacity: 3, refillPerSecond: 2 }).scaled(0.1);
    expect(scaled.limit).toBe(1);
    const step = scaled.step(undefined, 0, 1);
    expect(step).toMatchObject({ allowed: true, remaining: 0, resetAfterMs: 5000 }); // 0.2 tokens per second
  });
});

describe('defaults of the library policy', () => {
  test('a concurrency policy without leaseMs lets an unreleased lease expire after 30 s', async () => {
    const clock = new FakeClock();
    const limiter = createConcurrencyLimiter({ algorithm: 'concurrency', maxInFlight: 1 }, { prefix: 'p', clock });
    expect((await limiter.acquire('k')).decision.allowed).toBe(true);
    clock.advance(29_999);
    expect((await limiter.acquire('k')).decision.allowed).toBe(false);
    clock.advance(1);
    expect((await limiter.acquire('k')).decision.allowed).toBe(true);
    await limiter.close();
  });
});
