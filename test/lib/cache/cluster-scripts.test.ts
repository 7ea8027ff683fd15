/**
 * Every Lua script saleday runs, on a real three-master Redis Cluster (what a cluster-mode cache
 * is), through the cluster client the components open for a `?cluster=1` URL: the gate's rate and
 * concurrency limiters, the storefront's stock scripts (reserve, confirm, release, reap) and the
 * flags compare-and-set with its publish to the gates. A script whose keys crossed hash slots would
 * fail here with CROSSSLOT.
 */
import type Redis from 'ioredis';
import { Cluster } from 'ioredis';
import { createRedisConnection } from '../../../guard/redis/redis-connection';
import { createConcurrencyLimiter, createRateLimiter } from '../../../guard/rate-limit';
import { RedisFlagsSource } from '../../../guard/flags/redis-flags-source';
import { FLAGS_KEY, initialFlags, type FlagsDocument } from '../../../contracts/flags/flags-document';
import { RedisFlagsStore } from '../../../lambda/flag-controller/redis-flags-store';
import { RedisShopStore } from '../../../storefront/redis-shop-store';
import { startRedisCluster, type RedisClusterHandle } from '../../guard/rate-limit/fixtures/redis-cluster';

let cluster: RedisClusterHandle;
let url: string;
const opened: Redis[] = [];

function connect(): Redis {
  const client = createRedisConnection({ url, commandTimeoutMs: 5000 });
  opened.push(client);
  return client;
}

beforeAll(async () => {
  cluster = await startRedisCluster();
  url = `redis://${cluster.nodes[0]!.host}:${cluster.nodes[0]!.port}/?cluster=1`;
}, 60_000);

afterAll(async () => {
  await Promise.all(opened.map((c) => c.quit().catch(() => c.disconnect())));
  await cluster.stop();
});

it('opens a cluster client for a ?cluster=1 URL', async () => {
  const client = connect();
  expect(client).toBeInstanceOf(Cluster);
  expect(await client.ping()).toBe('PONG');
});

describe('the gate limiters', () => {
  it.each([
    ['token-bucket', { algorithm: 'token-bucket', capacity: 3, refillPerSecond: 0.001 }],
    ['gcra', { algorithm: 'gcra', ratePerSecond: 0.001, burst: 3 }],
  ] as const)('%s decides in Redis for many users across slots', async (_, policy) => {
    const limiter = createRateLimiter(policy, {
      redis: connect(),
      prefix: `saleday:rl:cluster-${policy.algorithm}`,
      timeoutMs: 5000,
    });
    const users = Array.from({ length: 10 }, (_, i) => `user-${i}`);
    const decisions = await Promise.all([...users, ...users, ...users, ...users].map((u) => limiter.consume(u)));
    expect(new Set(decisions.map((d) => d.source))).toEqual(new Set(['redis']));
    for (const user of users) {
      const mine = decisions.filter((_, i) => users[i % users.length] === user);
      expect(mine.filter((d) => d.allowed)).toHaveLength(3);
    }
    await limiter.close();
  });

  it('concurrency leases are taken and given back in Redis', async () => {
    const limiter = createConcurrencyLimiter(
      { algorithm: 'concurrency', maxInFlight: 2, leaseMs: 10_000 },
      { redis: connect(), prefix: 'saleday:rl:cluster-concurrency', timeoutMs: 5000 },
    );
    const leases = await Promise.all(['a', 'a', 'a', 'b'].map((k) => limiter.acquire(k)));
    expect(leases.map((l) => [l.decision.allowed, l.decision.source])).toEqual([
      [true, 'redis'],
      [true, 'redis'],
      [false, 'redis'],
      [true, 'redis'],
    ]);
    await Promise.all(leases.map((l) => l.release()));
    expect((await limiter.acquire('a')).decision).toMatchObject({ allowed: true, source: 'redis' });
    await limiter.close();
  });
});

describe('the storefront stock scripts', () => {
  it('reserve, confirm, release and reap keep the stock exact', async () => {
    const store = new RedisShopStore({ redis: connect(), keyPrefix: 'saleday:shop:cluster', ownsConnection: false });
    await store.seedStock(['p1', 'p2'], 5);
    const reserve = (orderId: string, productId: string, idempotencyKey?: string, now = 1_000) =>
      store.reserve({
        orderId,
        productId,
        quantity: 2,
        userId: 'u1',
        idempotencyKey,
        fingerprint: `body-${productId}`,
        now,
      });
    expect(await reserve('o1', 'p1', 'k1')).toMatchObject({ kind: 'reserved', remainingStock: 3 });
    expect(
      await store.confirm({ orderId: 'o1', productId: 'p1', quantity: 2, remainingStock: 3, status: 'paid' }, 'k1'),
    ).toEqual({ kind: 'confirmed' });
    expect(await reserve('o1-retry', 'p1', 'k1')).toMatchObject({ kind: 'replay', receipt: { orderId: 'o1' } });
    expect(await reserve('o1-other', 'p2', 'k1')).toMatchObject({ kind: 'key-reused' });
    expect(await reserve('o2', 'p2')).toMatchObject({ kind: 'reserved', remainingStock: 3 });
    expect(await store.release({ orderId: 'o2', productId: 'p2' })).toBe(true);
    expect(await store.stockOf('p2')).toBe(5);
    await reserve('o3', 'p2', 'k3', 500);
    const reaped = await store.releaseExpiredReservations(600, 10);
    expect(reaped.released.map((r) => r.orderId)).toEqual(['o3']);
    expect(await store.stockOf('p2')).toBe(5);
    expect(await store.stockOf('p1')).toBe(3);
    expect(await store.addToCart('u1', 'p1', 1)).toEqual([{ productId: 'p1', quantity: 1 }]);
  });
});

describe('the flags', () => {
  it('the controller compare-and-set stores, refuses an older version, and its publish reaches a gate subscribed through the cluster', async () => {
    const source = new RedisFlagsSource({ connect: () => connect(), pollMs: 60_000, readTimeoutMs: 5000 });
    await source.start();
    // The subscription is set up on the cluster's ready event: wait for it rather than for a time.
    for (const deadline = Date.now() + 10_000; !source.status().subscribed;) {
      if (Date.now() > deadline) throw new Error('the flags subscriber never subscribed');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const seen = new Promise<FlagsDocument>((resolve) => source.onChange(resolve));
    const store = new RedisFlagsStore({ client: connect() });
    const doc: FlagsDocument = {
      ...initialFlags(new Date('2026-11-30T08:00:00Z')),
      version: 7,
      level: 2,
      reason: 'cluster test',
    };
    expect(await store.write(doc)).toEqual({ written: true, current: doc });
    expect(await store.write({ ...doc, version: 6, level: 0 })).toMatchObject({
      written: false,
      current: { version: 7, level: 2 },
    });
    expect(await store.read()).toEqual(doc);
    expect(await seen).toMatchObject({ version: 7, level: 2 });
    expect(source.status().subscribed).toBe(true);
    expect(FLAGS_KEY).toBe('saleday:flags');
    await source.close();
  });
});
