/**
 * A 5xx names the one dependency that failed (`saleday-failed-dependency`), so the gate feeds that
 * dependency's breaker alone: an inventory (Redis) failure must not count against payments.
 */
import { startStorefront, type RunningStorefront } from '../../../storefront/server';
import { startRedisServer, type RedisServerHandle } from '../../support/redis-server';
import { call, checkout, operatorCall } from '../storefront-client';

const JSON_HEADERS = { 'content-type': 'application/json' };

describe('the dependency a failed checkout blames', () => {
  let redis: RedisServerHandle;
  let shop: RunningStorefront;
  beforeAll(async () => {
    redis = await startRedisServer();
    shop = await startStorefront({
      port: 0,
      operatorPort: 0,
      redisUrl: redis.url,
      seedIfEmpty: true,
      enableFaultInjection: true,
      random: () => 0,
      paymentTimeoutMs: 100,
    });
  });
  afterAll(async () => {
    await shop?.close();
    await redis?.kill();
  });
  afterEach(async () => {
    await operatorCall(shop, '/_faults', { method: 'DELETE' });
  });

  it('blames payments for a declined charge (502) and for one that timed out (503)', async () => {
    await operatorCall(shop, '/_faults', {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({ route: 'payments', errorRate: 1 }),
    });
    expect(await checkout(shop, 'u:pam', { productId: 'sku-001', quantity: 1 })).toMatchObject({
      status: 502,
      failedDependency: 'payments',
      body: { error: 'payment-failed' },
    });
    await operatorCall(shop, '/_faults', {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({ route: 'payments', latencyMs: 500 }),
    });
    expect(await checkout(shop, 'u:pam', { productId: 'sku-001', quantity: 1 })).toMatchObject({
      status: 503,
      failedDependency: 'payments',
      body: { error: 'payments-unavailable' },
    });
  });

  it('names no dependency on a success or a sold-out answer', async () => {
    const sold = await checkout(shop, 'u:sam', { productId: 'sku-002', quantity: 1 });
    expect(sold).toMatchObject({ status: 201, failedDependency: null });
    expect(await checkout(shop, 'u:sam', { productId: 'sku-002', quantity: 10 })).toMatchObject({
      status: 201,
      failedDependency: null,
    });
  });

  it('blames inventory, and only inventory, when Redis is gone: checkout, a product and the cart alike', async () => {
    await redis.kill();
    try {
      for (let attempt = 0; attempt < 4; attempt += 1) {
        expect(await checkout(shop, 'u:ivy', { productId: 'sku-003', quantity: 1 })).toMatchObject({
          status: 503,
          failedDependency: 'inventory',
          body: { error: 'inventory-unavailable' },
        });
      }
      expect(await call(shop, '/api/products/sku-003')).toMatchObject({ status: 503, failedDependency: 'inventory' });
      expect(await call(shop, '/api/cart', { headers: { 'saleday-user': 'u:ivy' } })).toMatchObject({
        status: 503,
        failedDependency: 'inventory',
      });
    } finally {
      redis = await redis.restart();
    }
  });
});
