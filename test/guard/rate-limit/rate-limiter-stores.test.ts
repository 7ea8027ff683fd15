/**
 * The same table-driven cases against both stores: the in-process store and the Redis store (the
 * Lua scripts, on the real Redis). Redis is told the fake clock's time through the scripts'
 * test-only "now" argument, so both stores see identical time and must decide identically.
 */
import Redis from 'ioredis';
import type { RateLimitPolicy } from '../../../guard/rate-limit';
import {
  createConcurrencyLimiter,
  createRateLimiter,
  RETRY_NEVER,
  type ConcurrencyLimiter,
  type RateLimitDecision,
  type RateLimiter,
} from '../../../guard/rate-limit';
import { FakeClock } from '../../support/fake-clock';
import { testRedisUrl, uniquePrefix } from '../../support/test-redis';

type Step = { at: number; cost?: number; key?: string; expect: Partial<RateLimitDecision> } | { setClock: number };

interface RateCase {
  name: string;
  policy: RateLimitPolicy;
  steps: Step[];
}

const T0 = 1_700_000_000_000;
const tokenBucket: RateLimitPolicy = { algorithm: 'token-bucket', capacity: 5, refillPerSecond: 1 };
const gcra: RateLimitPolicy = { algorithm: 'gcra', ratePerSecond: 10, burst: 5 };
const fractional: RateLimitPolicy = { algorithm: 'gcra', ratePerSecond: 3, burst: 3 };

const rateCases: RateCase[] = [
  {
    name: 'token bucket: a full burst passes, the next request waits one refill',
    policy: tokenBucket,
    steps: [
      { at: 0, expect: { allowed: true, remaining: 4, retryAfterMs: 0, resetAfterMs: 1000, limit: 5 } },
      { at: 0, expect: { allowed: true, remaining: 3 } },
      { at: 0, expect: { allowed: true, remaining: 2 } },
      { at: 0, expect: { allowed: true, remaining: 1 } },
      { at: 0, expect: { allowed: true, remaining: 0, resetAfterMs: 5000 } },
      { at: 0, expect: { allowed: false, remaining: 0, retryAfterMs: 1000, resetAfterMs: 5000 } },
      { at: 999, expect: { allowed: false, retryAfterMs: 1 } },
      { at: 1000, expect: { allowed: true, remaining: 0 } },
      { at: 1000, expect: { allowed: false, retryAfterMs: 1000 } },
    ],
  },
  {
    name: 'token bucket: refill never exceeds capacity',
    policy: tokenBucket,
    steps: [
      { at: 0, cost: 5, expect: { allowed: true, remaining: 0 } },
      { at: 60_000, expect: { allowed: true, remaining: 4 } },
      { at: 60_000, cost: 5, expect: { allowed: false, retryAfterMs: 1000 } },
    ],
  },
  {
    name: 'token bucket: a cost above capacity is refused for good and consumes nothing',
    policy: tokenBucket,
    steps: [
      { at: 0, cost: 6, expect: { allowed: false, remaining: 0, retryAfterMs: RETRY_NEVER } },
      { at: 0, cost: 5, expect: { allowed: true, remaining: 0 } },
      { at: 0, cost: 6, expect: { allowed: false, retryAfterMs: RETRY_NEVER } },
    ],
  },
  {
    name: 'token bucket: costs above one take several tokens and wait for all of them',
    policy: tokenBucket,
    steps: [
      { at: 0, cost: 3, expect: { allowed: true, remaining: 2 } },
      { at: 0, cost: 3, expect: { allowed: false, retryAfterMs: 1000 } },
      { at: 0, cost: 2, expect: { allowed: true, remaining: 0 } },
      { at: 1500, cost: 3, expect: { allowed: false, retryAfterMs: 1500 } },
      { at: 3000, cost: 3, expect: { allowed: true, remaining: 0 } },
    ],
  },
  {
    name: 'token bucket: a clock that goes backwards mints no tokens',
    policy: tokenBucket,
    steps: [
      { at: 0, cost: 5, expect: { allowed: true } },
      { setClock: -10_000 },
      { at: -10_000, expect: { allowed: false, retryAfterMs: 11_000 } },
      { at: 999, expect: { allowed: false, retryAfterMs: 1 } },
      { at: 1000, expect: { allowed: true, remaining: 0 } },
      { at: 1000, expect: { allowed: false } },
    ],
  },
  {
    name: 'token bucket: keys are independent',
    policy: tokenBucket,
    steps: [
      { at: 0, cost: 5, key: 'a', expect: { allowed: true } },
      { at: 0, key: 'a', expect: { allowed: false } },
      { at: 0, key: 'b', expect: { allowed: true, remaining: 4 } },
    ],
  },
  {
    name: 'gcra: a full burst passes, then one per emission interval',
    policy: gcra,
    steps: [
      { at: 0, expect: { allowed: true, remaining: 4, resetAfterMs: 100, limit: 5 } },
      { at: 0, expect: { allowed: true, remaining: 3 } },
      { at: 0, expect: { allowed: true, remaining: 2 } },
      { at: 0, expect: { allowed: true, remaining: 1 } },
      { at: 0, expect: { allowed: true, remaining: 0, resetAfterMs: 500 } },
      { at: 0, expect: { allowed: false, retryAfterMs: 100, resetAfterMs: 500 } },
      { at: 99, expect: { allowed: false, retryAfterMs: 1 } },
      { at: 100, expect: { allowed: true, remaining: 0 } },
      { at: 1000, expect: { allowed: true, remaining: 4 } },
    ],
  },
  {
    name: 'gcra: costs above one and above the burst',
    policy: gcra,
    steps: [
      { at: 0, cost: 6, expect: { allowed: false, retryAfterMs: RETRY_NEVER } },
      { at: 0, cost: 4, expect: { allowed: true, remaining: 1 } },
      { at: 0, cost: 2, expect: { allowed: false, retryAfterMs: 100 } },
      { at: 0, cost: 1, expect: { allowed: true, remaining: 0 } },
      { at: 200, cost: 2, expect: { allowed: true, remaining: 0 } },
    ],
  },
  {
    name: 'gcra: a clock that goes backwards grants nothing extra',
    policy: gcra,
    steps: [
      { at: 0, cost: 5, expect: { allowed: true } },
      { setClock: -5_000 },
      { at: -5_000, expect: { allowed: false, retryAfterMs: 5_100 } },
      { at: 100, expect: { allowed: true, remaining: 0 } },
      { at: 100, expect: { allowed: false } },
    ],
  },
  {
    name: 'gcra: a fractional interval keeps its exact burst boundary',
    policy: fractional,
    steps: [
      { at: 0, expect: { allowed: true, remaining: 2 } },
      { at: 0, expect: { allowed: true, remaining: 1 } },
      { at: 0, expect: { allowed: true, remaining: 0 } },
      { at: 0, expect: { allowed: false, retryAfterMs: 334 } },
      { at: 334, expect: { allowed: true, remaining: 0 } },
    ],
  },
];

/** Redis refusals may be answered by the over-limit cache; a cost above the limit never needs Redis. */
function expectedSources(storeName: string, decision: RateLimitDecision): RateLimitDecision['source'][] {
  if (storeName === 'memory') return ['memory'];
  if (decision.allowed) return ['redis'];
  if (decision.retryAfterMs === RETRY_NEVER) return ['cached'];
  return storeName.includes('without') ? ['redis'] : ['redis', 'cached'];
}

interface StoreFixture {
  rate(policy: RateLimitPolicy, clock: FakeClock): RateLimiter;
  concurrency(policy: RateLimitPolicy, clock: FakeClock): ConcurrencyLimiter;
}

let redis: Redis;
beforeAll(() => {
  redis = new Redis(testRedisUrl());
});
afterAll(async () => {
  await redis.quit();
});

const stores: [string, StoreFixture][] = [
  [
    'memory',
    {
      rate: (policy, clock) => createRateLimiter(policy, { prefix: 'mem', clock }),
      concurrency: (policy, clock) => createConcurrencyLimiter(policy, { prefix: 'mem', clock }),
    },
  ],
  [
    'redis',
    {
      rate: (policy, clock) =>
        createRateLimiter(policy, { redis, prefix: uniquePrefix('rl'), clock, scriptClock: clock, timeoutMs: 5000 }),
      concurrency: (policy, clock) =>
        createConcurrencyLimiter(policy, {
          redis,
          prefix: uniquePrefix('cl'),
          clock,
          scriptClock: clock,
          timeoutMs: 5000,
        }),
    },
  ],
  [
    'redis without over-limit cache',
    {
      rate: (policy, clock) =>
        createRateLimiter(policy, {
          redis,
          prefix: uniquePrefix('rl'),
          clock,
          scriptClock: clock,
          timeoutMs: 5000,
          overLimitCache: false,
        }),
      concurrency: (policy, clock) =>
        createConcurrencyLimiter(policy, {
          redis,
          prefix: uniquePrefix('cl'),
          clock,
          scriptClock: clock,
          timeoutMs: 5000,
        }),
    },
  ],
];

describe.each(stores)('%s store', (storeName, store) => {
  test.each(rateCases.map((c) => [c.name, c] as const))('%s', async (_name, rateCase) => {
    const clock = new FakeClock(T0);
    const limiter = store.rate(rateCase.policy, clock);
    try {
      for (const [index, step] of rateCase.steps.entries()) {
        if ('setClock' in step) {
          clock.set(T0 + step.setClock);
          continue;
        }
        clock.set(T0 + step.at);
        const decision = await limiter.consume(step.key ?? 'user-1', step.cost);
        expect({ step: index, ...decision }).toMatchObject({ step: index, ...step.expect });
        expect(expectedSources(storeName, decision)).toContain(decision.source);
      }
    } finally {
      await limiter.close();
    }
  });

  describe('concurrency', () => {
    const policy: RateLimitPolicy = { algorithm: 'concurrency', maxInFlight: 2, leaseMs: 1000 };

    test('holds at most maxInFlight, and a release gives the slot back', async () => {
      const clock = new FakeClock(T0);
      const limiter = store.concurrency(policy, clock);
      const first = await limiter.acquire('user-1');
      const second = await limiter.acquire('user-1');
      const third = await limiter.acquire('user-1');
      expect([first.decision.allowed, second.decision.allowed, third.decision.allowed]).toEqual([true, true, false]);
      expect(first.decision).toMatchObject({ remaining: 1, limit: 2, resetAfterMs: 1000 });
      expect(third.decision).toMatchObject({ remaining: 0, retryAfterMs: 1000 });
      await first.release();
      await first.release(); // twice is harmless
      const fourth = await limiter.acquire('user-1');
      expect(fourth.decision).toMatchObject({ allowed: true, remaining: 0 });
      expect((await limiter.acquire('user-2')).decision.allowed).toBe(true);
      await limiter.close();
    });

    test('an unreleased lease expires, so a crashed holder never leaks a slot', async () => {
      const clock = new FakeClock(T0);
      const limiter = store.concurrency(policy, clock);
      await limiter.acquire('user-1', 2);
      clock.advance(600);
      const refused = await limiter.acquire('user-1');
      expect(refused.decision).toMatchObject({ allowed: false, retryAfterMs: 400 });
      clock.advance(400);
      expect((await limiter.acquire('user-1', 2)).decision).toMatchObject({ allowed: true, remaining: 0 });
      await limiter.close();
    });

    test('a cost above maxInFlight is refused for good', async () => {
      const clock = new FakeClock(T0);
      const limiter = store.concurrency(policy, clock);
      expect((await limiter.acquire('user-1', 3)).decision).toMatchObject({
        allowed: false,
        retryAfterMs: RETRY_NEVER,
      });
      expect((await limiter.acquire('user-1', 2)).decision.allowed).toBe(true);
      await limiter.close();
    });

    test('a clock that goes backwards frees no slot early', async () => {
      const clock = new FakeClock(T0);
      const limiter = store.concurrency(policy, clock);
      await limiter.acquire('user-1', 2);
      clock.set(T0 - 5000);
      expect((await limiter.acquire('user-1')).decision).toMatchObject({ allowed: false, retryAfterMs: 6000 });
      clock.set(T0 + 1000);
      expect((await limiter.acquire('user-1')).decision.allowed).toBe(true);
      await limiter.close();
    });
  });
});
