/**
 * Redis killed under the storefront: the product list keeps serving from memory, checkout fails
 * fast with 503 inventory-unavailable + Retry-After instead of hanging, and the shop recovers
 * (stock re-seeded into the empty Redis) once Redis is back.
 */
import { startStorefront, type RunningStorefront } from '../../storefront/server';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server';

/** Loose: a hanging checkout would take the command timeout many times over, or forever. */
const FAST_FAILURE_BOUND_MS = 2000;

async function checkout(shop: RunningStorefront, productId: string) {
  const response = await fetch(`${shop.url}/api/checkout`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ productId, quantity: 1 }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await probe();
  while (!accept(last) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    last = await probe();
  }
  return last;
}

describe('storefront when Redis dies', () => {
  let redis: RedisServerHandle;
  let shop: RunningStorefront;

  beforeAll(async () => {
    redis = await startRedisServer();
    shop = await startStorefront({ port: 0, redisUrl: redis.url, stockPerProduct: 20, inventoryBreaker: { consecutiveFailures: 2, openMs: 300 } });
  });
  afterAll(async () => {
    await shop?.close();
    await redis?.kill();
  });

  it('keeps the product list, fails checkout fast with 503, and recovers after a restart', async () => {
    expect((await checkout(shop, 'sku-001')).status).toBe(201);

    await redis.kill();

    const list = await fetch(`${shop.url}/api/products`);
    expect(list.status).toBe(200);
    expect(((await list.json()) as { count: number }).count).toBe(50);

    const outcomes = [];
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const startedAt = performance.now();
      const outcome = await checkout(shop, 'sku-001');
      outcomes.push({ ...outcome, elapsedMs: performance.now() - startedAt });
    }
    for (const outcome of outcomes) {
      expect(outcome.status).toBe(503);
      expect(outcome.body).toMatchObject({ error: 'inventory-unavailable' });
      expect(Number(outcome.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(outcome.elapsedMs).toBeLessThan(FAST_FAILURE_BOUND_MS);
    }
    const health = (await (await fetch(`${shop.url}/healthz`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ status: 'ok', inventory: 'open' });
    expect((await fetch(`${shop.url}/api/products/sku-001`)).status).toBe(503);

    redis = await redis.restart();

    // The restarted Redis is empty: the storefront re-seeds on reconnect and checkout works again.
    const recovered = await eventually(() => checkout(shop, 'sku-002'), (outcome) => outcome.status === 201, 10_000);
    expect(recovered.status).toBe(201);
    expect(recovered.body).toMatchObject({ productId: 'sku-002', remainingStock: 19 });
    expect((await (await fetch(`${shop.url}/healthz`)).json()) as Record<string, unknown>).toMatchObject({ inventory: 'closed' });
  });
});

describe('storefront started while Redis is down', () => {
  it('serves the product list at once and checkout once Redis appears', async () => {
    const redis = await startRedisServer();
    await redis.kill();
    const shop = await startStorefront({ port: 0, redisUrl: redis.url, redisStartupTimeoutMs: 200, inventoryBreaker: { openMs: 200 } });
    let restarted: RedisServerHandle | undefined;
    try {
      expect((await fetch(`${shop.url}/api/products`)).status).toBe(200);
      expect((await checkout(shop, 'sku-003')).status).toBe(503);
      restarted = await redis.restart();
      const recovered = await eventually(() => checkout(shop, 'sku-003'), (outcome) => outcome.status === 201, 10_000);
      expect(recovered.status).toBe(201);
    } finally {
      await shop.close();
      await restarted?.kill();
    }
  });
});
