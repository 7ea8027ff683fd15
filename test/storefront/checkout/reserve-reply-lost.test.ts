/**
 * A reserve whose reply comes too late (the script ran in Redis, the storefront's command timed
 * out) is settled before the client gets its 503: the reservation is found and released, so the
 * same Idempotency-Key retried at once places the order instead of meeting 409
 * checkout-in-progress while the units stay held.
 */
import { startStorefront, type RunningStorefront } from '../../../storefront/server';
import { startRedisServer, type RedisServerHandle } from '../../support/redis-server';
import { call, checkout, operatorCall } from '../storefront-client';
import { startStallingRelay, type StallingRelay } from '../stalling-relay';

/** Generous on both sides: the reserve times out at 1.5 s, the stall ends at 2.5 s, the release's own timeout is at 3 s. */
const COMMAND_TIMEOUT_MS = 1500;
const STALL_MS = 2500;

describe('a reserve whose reply timed out', () => {
  let redis: RedisServerHandle;
  let relay: StallingRelay;
  let shop: RunningStorefront;

  beforeAll(async () => {
    redis = await startRedisServer();
    relay = await startStallingRelay(redis.port);
    shop = await startStorefront({
      port: 0,
      operatorPort: 0,
      redisUrl: relay.url,
      seedIfEmpty: true,
      stockPerProduct: 3,
      redisCommandTimeoutMs: COMMAND_TIMEOUT_MS,
      replicaWaitMs: 0,
      reaperIntervalMs: 3_600_000,
      inventoryBreaker: { consecutiveFailures: 5, slowCallMs: 10_000 },
    });
  });
  afterAll(async () => {
    await shop?.close();
    await relay?.close();
    await redis?.kill();
  });

  it('is released before the 503, so the same key retried at once gets its order, not 409', async () => {
    // Loads the scripts into Redis first, so the stalled command is the reserve itself.
    expect((await checkout(shop, 'u:warm', { productId: 'sku-001', quantity: 1 }, 'warm-up')).status).toBe(201);

    relay.stallRepliesAfter('stock:sku-002', STALL_MS);
    const lost = await checkout(shop, 'u:tim', { productId: 'sku-002', quantity: 2 }, 'lost-reply');
    expect(relay.stallStarted()).toBe(true);
    expect(lost).toMatchObject({
      status: 503,
      failedDependency: 'inventory',
      body: { error: 'inventory-unavailable' },
    });
    // Settled: the units are back before the client even hears of the failure.
    expect((await call(shop, '/api/products/sku-002')).body).toMatchObject({ stock: 3 });

    const retried = await checkout(shop, 'u:tim', { productId: 'sku-002', quantity: 2 }, 'lost-reply');
    expect(retried).toMatchObject({ status: 201, body: { productId: 'sku-002', quantity: 2, remainingStock: 1 } });

    const stats = (await operatorCall(shop, '/_stats')).body as Record<string, unknown> & {
      thisProcess: { checkouts: Record<string, number> };
    };
    expect(stats).toMatchObject({ orders: 2, cancelledOrders: 1, unitsSold: 3, oversold: false });
    expect(stats.thisProcess.checkouts).toMatchObject({ reserveSettled: 1, created: 2, conflicts: 0 });
  });
});
