/**
 * Failover without restarts: two real redis-servers (primary and replica) behind a local TCP relay
 * that stands in for ElastiCache's primary endpoint. The replica is promoted, the primary demoted
 * with REPLICAOF (it answers writes with READONLY), and the relay sends NEW connections to the new
 * primary while open ones keep reaching the demoted node. Nothing is restarted: the gate, the
 * storefront and the controller's flags store must each notice and reconnect.
 */
import { performance } from 'node:perf_hooks';
import { FailoverRelay } from '../../../cli/rehearse/fleet/failover-relay';
import { attachReplica, failOver } from '../../../cli/rehearse/fleet/redis-failover';
import { initialFlags } from '../../../contracts/flags/flags-document';
import { nextFlagsVersion } from '../../../contracts/flags/flags-version';
import { createJsonLogger } from '../../../gate/proxy/gate-logger';
import { createRedisConnection } from '../../../guard/redis/redis-connection';
import { startGate, type StartedGate } from '../../../gate/proxy/gate-server';
import { RedisFlagsStore } from '../../../lambda/flag-controller/redis-flags-store';
import { startStorefront, type RunningStorefront } from '../../../storefront/server';
import { startRedisServer, type RedisServerHandle } from '../../support/redis-server';
import { createTestHttpClient } from './fixtures/http-client';
import { testConfig } from './fixtures/test-config';

interface Snapshot {
  process: { redisFallback: boolean; flagsVersion: number };
  rateLimitSources: Record<string, number>;
}

const STOCK = 300;

describe('a Redis failover without restarting anything', () => {
  let primary: RedisServerHandle;
  let replica: RedisServerHandle;
  let relay: FailoverRelay;
  let shop: RunningStorefront;
  let gate: StartedGate;
  let flagsStore: RedisFlagsStore;
  const gateLogs: string[] = [];
  const shopLogs: string[] = [];
  const storeLogs: string[] = [];
  const http = createTestHttpClient();

  beforeAll(async () => {
    primary = await startRedisServer();
    replica = await startRedisServer();
    // A replica's full sync would write an RDB file into the working directory: load it from the socket instead.
    for (const server of [primary, replica]) {
      const admin = createRedisConnection({ url: server.url });
      await admin.config('SET', 'repl-diskless-load', 'swapdb');
      admin.disconnect();
    }
    await attachReplica({ primaryPort: primary.port, replicaPort: replica.port });
    relay = await FailoverRelay.start(primary.port);
    shop = await startStorefront({
      port: 0,
      operatorPort: 0,
      redisUrl: relay.url,
      stockPerProduct: STOCK,
      seedIfEmpty: true,
      logger: true,
      logStream: { write: (line) => shopLogs.push(line) },
    });
    const config = testConfig((raw) => {
      raw.gate.flagsPollMs = 200;
    });
    const logger = createJsonLogger({ write: (line) => gateLogs.push(line) });
    gate = await startGate({
      config,
      upstream: shop.url,
      port: 0,
      redisUrl: relay.url,
      logger,
      metricsSink: () => undefined,
    });
    flagsStore = new RedisFlagsStore({
      url: relay.url,
      commandTimeoutMs: 2000,
      log: (message) => storeLogs.push(message),
    });
  });

  afterAll(async () => {
    await http.close();
    await gate.close();
    await shop.close();
    await flagsStore.close();
    await relay.close();
    await primary.kill();
    await replica.kill();
  });

  let buyer = 0;
  /** A checkout through the gate by a new shopper each time (the checkout limit is per shopper). */
  const checkout = () => {
    buyer += 1;
    return http.send('POST', `${gate.url}/api/checkout`, {
      headers: {
        'content-type': 'application/json',
        'x-user-id': `buyer-${buyer}`,
        'idempotency-key': `failover-${buyer}`,
      },
      body: JSON.stringify({ productId: 'sku-001', quantity: 1 }),
    });
  };
  const snapshot = async () => (await http.get(`${gate.url}/_gate/metrics`)).json<Snapshot>();
  const waitFor = async (what: string, predicate: () => Promise<boolean>, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await predicate())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  it('serves checkout again within 5 s, back on Redis for limits, flags writable, nothing oversold', async () => {
    expect((await checkout()).status).toBe(201);
    const before = await flagsStore.write({
      ...initialFlags(new Date()),
      version: nextFlagsVersion(0, Date.now()),
      reason: 'before the failover',
    });
    expect(before.written).toBe(true);
    const pids = [primary.process.pid, replica.process.pid];

    // Shoppers keep checking out through the failover, as on a sale day: some are in flight when it happens.
    /** When the failover began, and when the roles were swapped (a checkout sent after that reached the demoted node or the new primary). */
    const marks: { failoverAt?: number; failedOverAt?: number } = {};
    let firstCheckoutMs: number | undefined;
    let stopAt = Infinity;
    const answers: Array<{ atMs: number; status: number }> = [];
    const shopper = async () => {
      while (performance.now() < stopAt) {
        const sentAt = performance.now();
        const answer = await checkout();
        const atMs = performance.now();
        answers.push({ atMs, status: answer.status });
        if (
          answer.status === 201 &&
          marks.failedOverAt !== undefined &&
          firstCheckoutMs === undefined &&
          sentAt > marks.failedOverAt
        ) {
          firstCheckoutMs = atMs - marks.failoverAt!;
          stopAt = atMs + 500;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    const traffic = Promise.all([shopper(), shopper(), shopper()]);
    await new Promise((r) => setTimeout(r, 300));
    marks.failoverAt = performance.now();
    await failOver({ primaryPort: primary.port, replicaPort: replica.port }, relay);
    marks.failedOverAt = performance.now();
    setTimeout(() => (stopAt = Math.min(stopAt, performance.now())), 15_000).unref();
    await traffic;
    const afterFailover = answers.filter((a) => a.atMs > marks.failoverAt!);
    const refused = afterFailover.filter((a) => a.status !== 201).length;
    process.stdout.write(
      `gate-failover: first 201 checkout ${Math.round(firstCheckoutMs ?? -1)} ms after the failover began; ${refused} of ${afterFailover.length} checkouts after it were not 201\n`,
    );
    expect(firstCheckoutMs).toBeLessThan(5000);

    // The gate's rate limits leave the local fallback and decide on Redis again.
    const redisDecisionsAfter = (await snapshot()).rateLimitSources.redis ?? 0;
    await waitFor(
      'the gate back on Redis for its limits',
      async () => {
        await http.get(`${gate.url}/api/products/sku-002`, { 'x-user-id': 'reader' });
        const now = await snapshot();
        return !now.process.redisFallback && (now.rateLimitSources.redis ?? 0) > redisDecisionsAfter;
      },
      5000,
    );

    // The controller's store writes on the new primary (its open connection reached the demoted node).
    const after = await flagsStore.write({
      ...initialFlags(new Date()),
      version: nextFlagsVersion(before.current.version, Date.now()),
      reason: 'after the failover',
    });
    expect(after.written).toBe(true);
    await waitFor(
      'the gate on the flags written after the failover',
      async () => (await snapshot()).process.flagsVersion === after.current.version,
      5000,
    );

    // Nothing oversold: the shop's own numbers (its operator listener), read from the new primary.
    let statsAnswer = await http.get(`${shop.operatorUrl!}/_stats`);
    await waitFor(
      'the shop statistics',
      async () => (statsAnswer = await http.get(`${shop.operatorUrl!}/_stats`)).status === 200,
      5000,
    );
    const stats = statsAnswer.json<{ unitsSold: number; oversold: boolean; stockByProduct: Record<string, number> }>();
    process.stdout.write(`gate-failover: sold ${stats.unitsSold} of ${STOCK}\n`);
    expect(stats.oversold).toBe(false);
    const created = answers.filter((a) => a.status === 201).length + 1;
    expect(stats.unitsSold).toBeLessThanOrEqual(STOCK);
    expect(stats.unitsSold).toBeGreaterThanOrEqual(created);
    expect(stats.stockByProduct['sku-001']).toBe(STOCK - stats.unitsSold);

    // Nothing was restarted, and the logs name the cause once per connection.
    expect([primary.process.pid, replica.process.pid]).toEqual(pids);
    expect(primary.process.exitCode).toBeNull();
    expect(shopLogs.filter((line) => line.includes('READONLY')).length).toBe(1);
    expect(storeLogs).toEqual([expect.stringContaining('READONLY')]);
    expect(gateLogs.some((line) => line.includes('READONLY') && line.includes('saleday-gate'))).toBe(true);
    expect(relay.connectionsAccepted).toBeGreaterThan(4);
  });
});
