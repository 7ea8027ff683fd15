/** What only the Redis store has: key layout and expiry, batching into one script call, script reloading, the over-limit cache. */
import Redis, { type Command } from 'ioredis';
import { createRateLimiter, hashTaggedKey, type RateLimitDecision } from '../../../guard/rate-limit';
import { FakeClock } from '../../support/fake-clock';
import { startRedisServer } from '../../support/redis-server';
import { testRedisUrl, uniquePrefix } from '../../support/test-redis';

const T0 = 1_700_000_000_000;
let redis: Redis;
beforeAll(() => {
  redis = new Redis(testRedisUrl());
});
afterAll(async () => {
  await redis.quit();
});

/** Counts the commands the limiter sends on a real connection (a spy, not a mock: every command still goes to Redis). */
function countCommands(client: Redis): { names: string[]; restore(): void } {
  const names: string[] = [];
  const original = client.sendCommand.bind(client);
  client.sendCommand = ((command: Command, ...rest: unknown[]) => {
    names.push(command.name);
    return (original as (...args: unknown[]) => unknown)(command, ...rest);
  }) as typeof client.sendCommand;
  return { names, restore: () => (client.sendCommand = original) };
}

describe('Redis rate limiter', () => {
  test.each([
    ['token-bucket', { algorithm: 'token-bucket', capacity: 10, refillPerSecond: 2 }, 5000],
    ['gcra', { algorithm: 'gcra', ratePerSecond: 2, burst: 10 }, 5000],
  ] as const)(
    '%s: keys are hash-tagged and expire once the bucket would be full again',
    async (_name, policy, fillMs) => {
      const prefix = uniquePrefix('layout');
      const limiter = createRateLimiter(policy, { redis, prefix, timeoutMs: 5000 });
      await limiter.consume('alice@example.com', 2);
      const key = `${prefix}:{alice@example.com}`;
      expect(hashTaggedKey(prefix, 'alice@example.com')).toBe(key);
      expect(await redis.exists(key)).toBe(1);
      const ttl = await redis.pttl(key);
      // Armed at the full time (2 tokens = 1000 ms away) plus one fill period of slack, never less.
      expect(ttl).toBeGreaterThan(900);
      expect(ttl).toBeLessThanOrEqual(1000 + fillMs + 2);
      await limiter.close();
    },
  );

  test('a refused request writes nothing, so a flood cannot keep a key alive', async () => {
    const prefix = uniquePrefix('refused');
    const limiter = createRateLimiter(
      { algorithm: 'token-bucket', capacity: 1, refillPerSecond: 1 },
      { redis, prefix, timeoutMs: 5000, overLimitCache: false },
    );
    expect((await limiter.consume('k', 2)).allowed).toBe(false);
    expect(await redis.exists(`${prefix}:{k}`)).toBe(0);
    await limiter.close();
  });

  test('decisions asked for together go to Redis as one script call and stay exact per key', async () => {
    const prefix = uniquePrefix('batch');
    const limiter = createRateLimiter(
      { algorithm: 'token-bucket', capacity: 3, refillPerSecond: 0.001 },
      { redis, prefix, timeoutMs: 5000 },
    );
    await limiter.consume('warm-up'); // loads the script
    const spy = countCommands(redis);
    const keys = Array.from({ length: 50 }, (_, i) => `user-${i % 10}`);
    const decisions = await Promise.all(keys.map((key) => limiter.consume(key)));
    spy.restore();
    expect(spy.names).toEqual(['evalsha']);
    // 10 keys asked 5 times each: exactly 3 admitted per key, in arrival order.
    for (let user = 0; user < 10; user++) {
      const mine = decisions.filter((_, i) => i % 10 === user);
      expect(mine.map((d) => d.allowed)).toEqual([true, true, true, false, false]);
      expect(mine.map((d) => d.remaining)).toEqual([2, 1, 0, 0, 0]);
    }
    await limiter.close();
  });

  test.each([
    ['token-bucket', { algorithm: 'token-bucket', capacity: 5, refillPerSecond: 0.001 }],
    ['gcra', { algorithm: 'gcra', ratePerSecond: 0.001, burst: 5 }],
  ] as const)(
    '%s: one script call mixing costs (the only calls that carry the cost list) charges each decision its own cost',
    async (_name, policy) => {
      const limiter = createRateLimiter(policy, { redis, prefix: uniquePrefix('costs'), timeoutMs: 5000 });
      await limiter.consume('warm-up');
      const spy = countCommands(redis);
      // One key: 1 + 3 fits in 5, the next 3 does not, the last 1 still does. A lost cost list would read all as 1.
      const decisions = await Promise.all([1, 3, 3, 1].map((cost) => limiter.consume('mixed', cost)));
      spy.restore();
      expect(spy.names).toEqual(['evalsha']);
      expect(decisions.map((d) => d.allowed)).toEqual([true, true, false, true]);
      expect(decisions.map((d) => d.remaining)).toEqual([4, 1, 0, 0]);
      await limiter.close();
    },
  );

  test.each([
    ['token-bucket', { algorithm: 'token-bucket', capacity: 3, refillPerSecond: 1 }],
    ['gcra', { algorithm: 'gcra', ratePerSecond: 1, burst: 3 }],
  ] as const)(
    '%s: one call mixing keys with and without state decides each as the memory store does, and every key it creates expires',
    async (_name, policy) => {
      const clock = new FakeClock(T0);
      const prefix = uniquePrefix('fresh');
      const limiter = createRateLimiter(policy, {
        redis,
        prefix,
        clock,
        scriptClock: clock,
        timeoutMs: 5000,
        overLimitCache: false,
      });
      const memory = createRateLimiter(policy, { prefix: 'memory', clock });
      const stored = Array.from({ length: 12 }, (_, i) => `stored-${i}`);
      await Promise.all(stored.map((key) => limiter.consume(key)));
      for (const key of stored) await memory.consume(key);
      clock.advance(250);
      // Twelve keys with state first (the script turns from writing first to reading first), then
      // fresh keys among stored ones (back to writing first), one of them asked until refused.
      const keys = [
        ...stored,
        'fresh-1',
        'stored-0',
        'fresh-2',
        'fresh-1',
        'fresh-3',
        'fresh-1',
        'fresh-4',
        'stored-1',
        'fresh-5',
        'fresh-1',
        'stored-0',
        'fresh-6',
      ];
      const spy = countCommands(redis);
      const fromRedis = await Promise.all(keys.map((key) => limiter.consume(key)));
      spy.restore();
      expect(spy.names).toEqual(['evalsha']);
      const fromMemory: RateLimitDecision[] = [];
      for (const key of keys) fromMemory.push(await memory.consume(key));
      const answer = ({ allowed, remaining, retryAfterMs, resetAfterMs }: RateLimitDecision) => ({
        allowed,
        remaining,
        retryAfterMs,
        resetAfterMs,
      });
      expect(fromRedis.map(answer)).toEqual(fromMemory.map(answer));
      expect(fromRedis.filter((d) => !d.allowed).length).toBeGreaterThan(0);
      for (const fresh of ['fresh-1', 'fresh-2', 'fresh-3', 'fresh-4', 'fresh-5', 'fresh-6'])
        expect(await redis.pttl(`${prefix}:{${fresh}}`)).toBeGreaterThan(0);
      await limiter.close();
      await memory.close();
    },
  );

  test('maxBatchSize splits a burst into several script calls', async () => {
    const limiter = createRateLimiter(
      { algorithm: 'gcra', ratePerSecond: 100, burst: 100 },
      { redis, prefix: uniquePrefix('split'), timeoutMs: 5000, maxBatchSize: 8 },
    );
    await limiter.consume('warm-up');
    const spy = countCommands(redis);
    await Promise.all(Array.from({ length: 20 }, (_, i) => limiter.consume(`k${i}`)));
    spy.restore();
    expect(spy.names).toEqual(['evalsha', 'evalsha', 'evalsha']);
    await limiter.close();
  });

  test('after SCRIPT FLUSH (a restart or failover) the script is loaded again and the decision still comes from Redis', async () => {
    // A private server: a SCRIPT FLUSH on the shared one would hit the suites running beside this one.
    const server = await startRedisServer();
    const privateRedis = new Redis(server.url);
    const limiter = createRateLimiter(
      { algorithm: 'gcra', ratePerSecond: 10, burst: 2 },
      { redis: privateRedis, prefix: uniquePrefix('noscript'), timeoutMs: 5000 },
    );
    try {
      await limiter.consume('k');
      await privateRedis.script('FLUSH');
      const spy = countCommands(privateRedis);
      const decision = await limiter.consume('k');
      spy.restore();
      expect(decision).toMatchObject({ allowed: true, remaining: 0, source: 'redis' });
      expect(spy.names).toEqual(['evalsha', 'script', 'evalsha']);
    } finally {
      await limiter.close();
      await privateRedis.quit();
      await server.kill();
    }
  });

  test('a key Redis refused is answered locally until its retry time, then asks Redis again', async () => {
    const clock = new FakeClock(T0);
    const limiter = createRateLimiter(
      { algorithm: 'token-bucket', capacity: 2, refillPerSecond: 1 },
      { redis, prefix: uniquePrefix('cache'), clock, scriptClock: clock, timeoutMs: 5000 },
    );
    await limiter.consume('bot', 2);
    expect(await limiter.consume('bot')).toMatchObject({ allowed: false, retryAfterMs: 1000, source: 'redis' });
    const spy = countCommands(redis);
    clock.advance(400);
    const cached: RateLimitDecision[] = [];
    for (let i = 0; i < 100; i++) cached.push(await limiter.consume('bot'));
    expect(spy.names).toEqual([]);
    expect(cached.every((d) => !d.allowed && d.source === 'cached' && d.retryAfterMs === 600)).toBe(true);
    expect((await limiter.consume('someone-else')).source).toBe('redis');
    clock.advance(600);
    expect(await limiter.consume('bot')).toMatchObject({ allowed: true, source: 'redis' });
    spy.restore();
    await limiter.close();
  });

  test('a cached refusal for a large cost does not refuse a smaller request that fits', async () => {
    const clock = new FakeClock(T0);
    const limiter = createRateLimiter(
      { algorithm: 'token-bucket', capacity: 5, refillPerSecond: 1 },
      { redis, prefix: uniquePrefix('cache-cost'), clock, scriptClock: clock, timeoutMs: 5000 },
    );
    await limiter.consume('k', 3);
    expect(await limiter.consume('k', 4)).toMatchObject({ allowed: false, retryAfterMs: 2000, source: 'redis' });
    expect(await limiter.consume('k', 5)).toMatchObject({ allowed: false, source: 'cached' });
    expect(await limiter.consume('k', 2)).toMatchObject({ allowed: true, remaining: 0, source: 'redis' });
    await limiter.close();
  });

  test('a cost above the limit is refused without a round trip', async () => {
    const limiter = createRateLimiter(
      { algorithm: 'gcra', ratePerSecond: 1, burst: 3 },
      { redis, prefix: uniquePrefix('never'), timeoutMs: 5000 },
    );
    const spy = countCommands(redis);
    expect(await limiter.consume('k', 4)).toMatchObject({ allowed: false, retryAfterMs: -1, source: 'cached' });
    spy.restore();
    expect(spy.names).toEqual([]);
    await limiter.close();
  });

  test('production decisions use the server clock, whatever the client clock says', async () => {
    const skewed = new FakeClock(0); // a client clock in 1970
    const limiter = createRateLimiter(
      { algorithm: 'token-bucket', capacity: 2, refillPerSecond: 1 },
      { redis, prefix: uniquePrefix('time'), clock: skewed, timeoutMs: 5000, overLimitCache: false },
    );
    const decisions = [await limiter.consume('k'), await limiter.consume('k'), await limiter.consume('k')];
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, false]);
    expect(decisions[2]!.retryAfterMs).toBeGreaterThan(900);
    expect(decisions[2]!.retryAfterMs).toBeLessThanOrEqual(1000);
    await limiter.close();
  });
});
