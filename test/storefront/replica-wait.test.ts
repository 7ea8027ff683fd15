/**
 * After the reserve and confirm writes, a storefront whose Redis has a replica waits for one
 * replica's acknowledgement (`WAIT 1 <ms>`), so a failover loses fewer acknowledged orders; a wait
 * that times out is counted, never a failed checkout. Two real redis-servers, one REPLICAOF the other.
 */
import Redis from 'ioredis';
import { startStorefront } from '../../storefront/server';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server';
import { checkout, operatorCall } from './storefront-client';

async function waitCalls(redis: Redis): Promise<number> {
  const stats = await redis.info('commandstats');
  return Number(/^cmdstat_wait:calls=(\d+)/m.exec(stats)?.[1] ?? 0);
}

async function until(probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('waiting for a replica after checkout writes', () => {
  const servers: RedisServerHandle[] = [];
  const clients: Redis[] = [];
  afterAll(async () => {
    for (const client of clients) client.disconnect();
    for (const server of servers) {
      server.process.kill('SIGCONT');
      await server.kill();
    }
  });

  async function server(): Promise<{ handle: RedisServerHandle; client: Redis }> {
    const handle = await startRedisServer();
    servers.push(handle);
    const client = new Redis(handle.url, { lazyConnect: false });
    clients.push(client);
    // A full resync through the socket on both ends: no RDB file lands in the working directory.
    await client.config(
      'SET',
      'repl-diskless-sync',
      'yes',
      'repl-diskless-sync-delay',
      '0',
      'repl-diskless-load',
      'on-empty-db',
    );
    return { handle, client };
  }

  it('issues WAIT after reserve and confirm when the server has a replica, and counts a wait that times out without failing the checkout', async () => {
    const primary = await server();
    const replica = await server();
    await replica.client.call('REPLICAOF', '127.0.0.1', String(primary.handle.port));
    await until(
      async () =>
        /master_link_status:up/.test(await replica.client.info('replication')) &&
        /connected_slaves:1/.test(await primary.client.info('replication')),
      10_000,
    );

    // A generous wait, so a busy machine's replica still acknowledges in time while it runs.
    const shop = await startStorefront({
      port: 0,
      operatorPort: 0,
      redisUrl: primary.handle.url,
      seedIfEmpty: true,
      stockPerProduct: 5,
      redisCommandTimeoutMs: 3000,
      replicaWaitMs: 1000,
    });
    try {
      const before = await waitCalls(primary.client);
      expect((await checkout(shop, 'u:rita', { productId: 'sku-001', quantity: 1 })).status).toBe(201);
      expect((await waitCalls(primary.client)) - before).toBe(2);
      // The replica has the order: it acknowledged before the client got its 201.
      expect(await replica.client.get('{saleday:shop}:stock:sku-001')).toBe('4');

      // A replica that stops answering: the wait times out, the checkout still succeeds.
      replica.handle.process.kill('SIGSTOP');
      try {
        expect((await checkout(shop, 'u:rita', { productId: 'sku-002', quantity: 1 })).status).toBe(201);
      } finally {
        replica.handle.process.kill('SIGCONT');
      }
      const stats = (await operatorCall(shop, '/_stats')).body as {
        thisProcess: { replicaWait: Record<string, number> };
      };
      expect(stats.thisProcess.replicaWait).toEqual({ replicas: 1, waits: 4, timeouts: 2, failures: 0 });
    } finally {
      await shop.close();
    }
  });

  it('issues no WAIT on a server without replicas', async () => {
    const alone = await server();
    const shop = await startStorefront({
      port: 0,
      operatorPort: 0,
      redisUrl: alone.handle.url,
      seedIfEmpty: true,
      stockPerProduct: 5,
    });
    try {
      expect((await checkout(shop, 'u:solo', { productId: 'sku-001', quantity: 1 })).status).toBe(201);
      expect(await waitCalls(alone.client)).toBe(0);
      const stats = (await operatorCall(shop, '/_stats')).body as {
        thisProcess: { replicaWait: Record<string, number> };
      };
      expect(stats.thisProcess.replicaWait).toEqual({ replicas: 0, waits: 0, timeouts: 0, failures: 0 });
    } finally {
      await shop.close();
    }
  });

  it('refuses a replica wait that is not below the Redis command timeout, naming the option', async () => {
    await expect(startStorefront({ port: 0, redisCommandTimeoutMs: 500, replicaWaitMs: 500 })).rejects.toThrow(
      /replicaWaitMs/,
    );
  });
});
