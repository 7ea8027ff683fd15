/**
 * On a real Redis Cluster (what cluster-mode and serverless ElastiCache require): hash-tagged keys,
 * a batch split into one script call per slot (never CROSSSLOT), the script loaded on whichever
 * node lacks it, and decisions exact per key.
 */
import { Cluster, type Command } from 'ioredis';
import { clusterSlot, createConcurrencyLimiter, createRateLimiter, hashTaggedKey } from '../../../guard/rate-limit';
import { startRedisCluster, type RedisClusterHandle } from './fixtures/redis-cluster';

let cluster: RedisClusterHandle;
let client: Cluster;

beforeAll(async () => {
  cluster = await startRedisCluster();
  client = new Cluster(cluster.nodes);
  await client.ping();
}, 30_000);

afterAll(async () => {
  await client.quit();
  await cluster.stop();
});

test('a batch over many users is split by slot, and every decision is exact and from Redis', async () => {
  const prefix = 'saleday:rl:cart';
  const limiter = createRateLimiter(
    { algorithm: 'token-bucket', capacity: 2, refillPerSecond: 0.001 },
    { redis: client, prefix, timeoutMs: 5000 },
  );
  const sent: Command[] = [];
  const original = client.sendCommand.bind(client);
  client.sendCommand = ((command: Command, ...rest: unknown[]) => {
    sent.push(command);
    return (original as (...args: unknown[]) => unknown)(command, ...rest);
  }) as typeof client.sendCommand;
  const users = Array.from({ length: 12 }, (_, i) => `user-${i}`);
  const asks = [...users, ...users, ...users];
  const decisions = await Promise.all(asks.map((user) => limiter.consume(user)));
  client.sendCommand = original;

  for (let u = 0; u < users.length; u++) {
    const mine = decisions.filter((_, i) => i % users.length === u);
    expect(mine.map((d) => [d.allowed, d.source])).toEqual([
      [true, 'redis'],
      [true, 'redis'],
      [false, 'redis'],
    ]);
  }
  const slots = new Set(users.map((user) => clusterSlot(hashTaggedKey(prefix, user))));
  const scriptCalls = sent.filter((c) => c.name === 'evalsha');
  expect(scriptCalls).toHaveLength(slots.size);
  await limiter.close();
});

test('concurrency leases work on a cluster', async () => {
  const limiter = createConcurrencyLimiter(
    { algorithm: 'concurrency', maxInFlight: 1, leaseMs: 10_000 },
    { redis: client, prefix: 'saleday:cc', timeoutMs: 5000 },
  );
  const first = await limiter.acquire('alice');
  expect(first.decision).toMatchObject({ allowed: true, source: 'redis' });
  expect((await limiter.acquire('alice')).decision).toMatchObject({ allowed: false, source: 'redis' });
  await first.release();
  expect((await limiter.acquire('alice')).decision).toMatchObject({ allowed: true, source: 'redis' });
  await limiter.close();
});
