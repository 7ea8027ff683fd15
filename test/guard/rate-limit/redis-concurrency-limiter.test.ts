/** What only the Redis concurrency store has: the lease set's key, its expiry, and release by ZREM. */
import Redis from 'ioredis';
import { createConcurrencyLimiter } from '../../../guard/rate-limit';
import { testRedisUrl, uniquePrefix } from '../../support/test-redis';

let redis: Redis;
beforeAll(() => {
  redis = new Redis(testRedisUrl());
});
afterAll(async () => {
  await redis.quit();
});

test('leases live in one hash-tagged sorted set that expires with its last lease', async () => {
  const prefix = uniquePrefix('leases');
  const limiter = createConcurrencyLimiter(
    { algorithm: 'concurrency', maxInFlight: 3, leaseMs: 5000 },
    { redis, prefix, timeoutMs: 5000 },
  );
  const lease = await limiter.acquire('alice', 2);
  expect(lease.decision).toMatchObject({ allowed: true, remaining: 1, source: 'redis' });
  const key = `${prefix}:{alice}`;
  expect(await redis.zcard(key)).toBe(1);
  const ttl = await redis.pttl(key);
  expect(ttl).toBeGreaterThan(4000);
  expect(ttl).toBeLessThanOrEqual(5000);
  await lease.release();
  expect(await redis.zcard(key)).toBe(0);
  await limiter.close();
});

test('a refused acquire adds no lease', async () => {
  const prefix = uniquePrefix('refused-lease');
  const limiter = createConcurrencyLimiter(
    { algorithm: 'concurrency', maxInFlight: 1, leaseMs: 5000 },
    { redis, prefix, timeoutMs: 5000 },
  );
  await limiter.acquire('bob');
  const refused = await limiter.acquire('bob');
  expect(refused.decision).toMatchObject({ allowed: false, source: 'redis' });
  await refused.release(); // a no-op
  expect(await redis.zcard(`${prefix}:{bob}`)).toBe(1);
  await limiter.close();
});
