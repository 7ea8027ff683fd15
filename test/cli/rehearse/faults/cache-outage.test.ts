import { performance } from 'node:perf_hooks';
import { createRedisConnection } from '../../../../guard/redis/redis-connection';
import { cacheOutageFor } from '../../../../cli/rehearse/faults/cache-outage';
import { ChildSupervisor } from '../../../../cli/support/child-supervisor';
import { FailoverPair } from '../../../../cli/rehearse/fleet/failover-pair';
import { launchRedisServer, underSupervisor } from '../../../../cli/support/redis-launcher';
import { startRedisServer } from '../../../support/redis-server';

describe('cache outage', () => {
  it("kills the rehearsal's own redis-server and brings it back on the same port with its data", async () => {
    const supervisor = new ChildSupervisor();
    const server = await launchRedisServer({ persistent: true, spawn: underSupervisor(supervisor) });
    const client = createRedisConnection({ url: server.url, failFast: true, commandTimeoutMs: 500 });
    try {
      await new Promise((resolve) => client.once('ready', resolve));
      await client.set('stock:sku-001', '17');
      const outage = cacheOutageFor({ kind: 'local', url: server.url, server });
      const pid = server.pid;
      await outage.begin(1000);
      expect(server.isRunning()).toBe(false);
      await expect(client.get('stock:sku-001')).rejects.toThrow();
      await outage.end();
      expect(server.pid).not.toBe(pid);
      // The append-only file brings the stock back, like a replica promoted after a failover.
      let value: string | null = null;
      for (let attempt = 0; attempt < 40 && value === null; attempt += 1) {
        value = await client.get('stock:sku-001').catch(() => null);
        if (value === null) await new Promise((r) => setTimeout(r, 50));
      }
      expect(value).toBe('17');
    } finally {
      client.disconnect();
      await server.close();
      await supervisor.close();
    }
  });

  it('pauses a given Redis with CLIENT PAUSE instead of killing what is not ours', async () => {
    // A private server: pausing the shared test Redis would stall every other test file.
    const redis = await startRedisServer();
    const outage = cacheOutageFor({ kind: 'given', url: redis.url });
    const client = createRedisConnection({ url: redis.url });
    try {
      await client.ping();
      await outage.begin(1000);
      const started = performance.now();
      await client.ping();
      expect(performance.now() - started).toBeGreaterThan(300); // a paused Redis holds the command until the pause ends
      await outage.end();
      expect(await client.ping()).toBe('PONG');
    } finally {
      client.disconnect();
      await outage.close();
      await redis.kill();
    }
  });

  it('fails over a primary and a replica behind the relay without restarting either', async () => {
    const supervisor = new ChildSupervisor();
    const pair = await FailoverPair.start(supervisor);
    const client = createRedisConnection({ url: pair.url, commandTimeoutMs: 2000, log: () => undefined });
    try {
      await client.set('stock:sku-001', '17');
      const [primaryPort, replicaPort] = [pair.primaryPort, pair.replicaPort];
      const outage = cacheOutageFor({ kind: 'failover', url: pair.url, pair });
      expect(outage.instant).toBe(true);
      await outage.begin(1000);
      expect([pair.primaryPort, pair.replicaPort]).toEqual([replicaPort, primaryPort]);
      // The open connection reached the demoted node: its write is refused, it reconnects through the relay and lands.
      await client.set('stock:sku-001', '16');
      const promoted = createRedisConnection({ url: `redis://127.0.0.1:${replicaPort}` });
      expect(await promoted.get('stock:sku-001')).toBe('16');
      expect(await promoted.info('replication')).toContain('role:master');
      promoted.disconnect();
      expect(pair.relay.connectionsAccepted).toBeGreaterThanOrEqual(2);
    } finally {
      client.disconnect();
      await pair.close();
      await supervisor.close();
    }
  });

  it('has nothing to take down in the embedded mode, and says so', async () => {
    const outage = cacheOutageFor({ kind: 'embedded', notice: 'no redis' });
    expect(outage.unavailable).toMatch(/embedded mode has no cache/);
    await expect(outage.begin(10)).resolves.toBeUndefined();
  });
});
