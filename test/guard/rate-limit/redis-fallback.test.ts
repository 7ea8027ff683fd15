/**
 * Static stability on a real, private redis-server that we kill, restart and pause: decisions fall
 * back to the in-process limiter at this process's share, a breaker stops paying for a dead Redis,
 * and a half-open probe brings decisions back to Redis.
 */
import type Redis from 'ioredis';
import {
  createConcurrencyLimiter,
  createRateLimiter,
  type RedisConcurrencyLimiter,
  type RedisRateLimiter,
  type RateLimitDecision,
} from '../../../guard/rate-limit';
import { createRedisConnection } from '../../../guard/redis/redis-connection';
import { startRedisServer, type RedisServerHandle } from '../../support/redis-server';

let server: RedisServerHandle;
let client: Redis;

beforeEach(async () => {
  server = await startRedisServer();
  client = createRedisConnection({ url: server.url, failFast: true, connectionName: 'rate-limit-fallback-test' });
  await ready(client);
});

async function ready(redis: Redis): Promise<void> {
  if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
}

afterEach(async () => {
  client.disconnect();
  await server.kill();
});

async function until<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('Redis rate limiter fallback', () => {
  test('Redis killed: local decisions at the local share, breaker open, then back to Redis after a restart', async () => {
    const limiter = createRateLimiter(
      { algorithm: 'token-bucket', capacity: 10, refillPerSecond: 0.001 },
      {
        redis: client,
        prefix: 'fallback',
        localShare: 0.3,
        timeoutMs: 100,
        breaker: { consecutiveFailures: 2, openMs: 200 },
      },
    ) as RedisRateLimiter<unknown>;
    expect(await limiter.consume('k')).toMatchObject({ allowed: true, source: 'redis', remaining: 9 });

    await server.kill();
    const started = Date.now();
    const decisions: RateLimitDecision[] = [];
    for (let i = 0; i < 6; i++) decisions.push(await limiter.consume('k'));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(decisions.every((d) => d.source === 'fallback')).toBe(true);
    // 30% of a capacity of 10: exactly 3 admitted locally.
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false, false, false]);
    expect(limiter.breaker.state()).toBe('open');
    // While open, a dead Redis costs nothing: no command is even attempted.
    const attempted: string[] = [];
    const original = client.sendCommand.bind(client);
    client.sendCommand = ((command: { name: string }, ...rest: unknown[]) => {
      attempted.push(command.name);
      return (original as (...args: unknown[]) => unknown)(command, ...rest);
    }) as typeof client.sendCommand;
    for (let i = 0; i < 20; i++) expect((await limiter.consume(`other-${i}`)).source).toBe('fallback');
    client.sendCommand = original;
    expect(attempted).toEqual([]);

    server = await server.restart();
    const back = await until(
      () => limiter.consume('k'),
      (d) => d.source === 'redis',
    );
    expect(back).toMatchObject({ source: 'redis', allowed: true });
    expect(limiter.breaker.state()).toBe('closed');
    await limiter.close();
  });

  test('Redis slower than the timeout: the decision is made locally within the timeout', async () => {
    const limiter = createRateLimiter(
      { algorithm: 'gcra', ratePerSecond: 10, burst: 4 },
      { redis: client, prefix: 'slow', localShare: 0.5, timeoutMs: 50 },
    ) as RedisRateLimiter<unknown>;
    expect((await limiter.consume('k')).source).toBe('redis');
    const admin = createRedisConnection({ url: server.url });
    try {
      await ready(admin);
      await admin.call('CLIENT', 'PAUSE', '1500', 'ALL');
      const started = Date.now();
      const decision = await limiter.consume('k');
      const elapsed = Date.now() - started;
      // The local limiter reports its own limit: half of a burst of 4.
      expect(decision).toMatchObject({ allowed: true, source: 'fallback', limit: 2, remaining: 1 });
      expect(elapsed).toBeLessThan(1000);
      await admin.call('CLIENT', 'UNPAUSE');
    } finally {
      admin.disconnect();
      await limiter.close();
    }
  });

  test('concurrency leases fall back locally and release locally', async () => {
    const limiter = createConcurrencyLimiter(
      { algorithm: 'concurrency', maxInFlight: 4, leaseMs: 10_000 },
      {
        redis: client,
        prefix: 'conc',
        localShare: 0.5,
        timeoutMs: 100,
        breaker: { consecutiveFailures: 1, openMs: 200 },
      },
    ) as RedisConcurrencyLimiter;
    const held = await limiter.acquire('k');
    expect(held.decision.source).toBe('redis');
    await server.kill();
    await held.release(); // Redis is gone: the lease would expire on its own; release must not throw
    const a = await limiter.acquire('k');
    const b = await limiter.acquire('k');
    const c = await limiter.acquire('k');
    expect([a, b, c].map((l) => [l.decision.allowed, l.decision.source])).toEqual([
      [true, 'fallback'],
      [true, 'fallback'],
      [false, 'fallback'],
    ]);
    await a.release();
    expect((await limiter.acquire('k')).decision).toMatchObject({ allowed: true, source: 'fallback' });
    server = await server.restart();
    const back = await until(
      () => limiter.acquire('other'),
      (lease) => lease.decision.source === 'redis',
    );
    expect(back.decision.allowed).toBe(true);
    await limiter.close();
  });
});
