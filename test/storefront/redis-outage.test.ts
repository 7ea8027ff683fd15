/**
 * Redis killed under the storefront: the product list keeps serving from memory, checkout fails
 * fast with 503 inventory-unavailable + Retry-After instead of hanging. A Redis that comes back
 * EMPTY (kill -9 and a restart without data) is never re-seeded by the shop: a sold-out product
 * must not sell again, so checkout answers 503 (catalog missing, logged and counted) until an
 * operator seeds or restores it.
 */
import { seedCatalogInRedis } from '../../storefront/seed-catalog';
import { startStorefront, type RunningStorefront } from '../../storefront/server';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server';
import { checkout as checkoutAs, operatorCall } from './storefront-client';

/** Loose: a hanging checkout would take the command timeout many times over, or forever. */
const FAST_FAILURE_BOUND_MS = 2000;

async function checkout(shop: RunningStorefront, productId: string) {
  const response = await fetch(`${shop.url}/api/checkout`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'saleday-user': 'ip:203.0.113.5' },
    body: JSON.stringify({ productId, quantity: 1 }),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
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
  const logLines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    shop = await startStorefront({
      port: 0,
      operatorPort: 0,
      redisUrl: redis.url,
      stockPerProduct: 2,
      seedIfEmpty: true,
      // Open long enough that the checkouts and the health read below all meet it open on a busy machine.
      inventoryBreaker: { consecutiveFailures: 2, openMs: 2000 },
      logger: true,
      logStream: { write: (line) => logLines.push(JSON.parse(line) as Record<string, unknown>) },
    });
  });
  afterAll(async () => {
    await shop?.close();
    await redis?.kill();
  });

  it('keeps the product list, fails checkout fast with 503, and never re-creates stock in the Redis that came back empty', async () => {
    // sku-001 sells out before the crash.
    expect((await checkout(shop, 'sku-001')).status).toBe(201);
    expect((await checkout(shop, 'sku-001')).status).toBe(201);
    expect((await checkout(shop, 'sku-001')).body).toMatchObject({ error: 'sold-out' });

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

    // Redis answers again (the breaker closes), but without its data: the sold-out product must not sell again.
    const answered = await eventually(
      () => checkout(shop, 'sku-001'),
      (outcome) => outcome.body.message !== 'the inventory store is unavailable; try again shortly',
      10_000,
    );
    expect(answered.status).toBe(503);
    expect(answered.body).toMatchObject({
      error: 'inventory-unavailable',
      message: expect.stringContaining('missing from the inventory store'),
    });
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const again = await checkoutAs(shop, 'ip:203.0.113.6', { productId: 'sku-001', quantity: 1 });
      expect(again).toMatchObject({ status: 503, failedDependency: 'inventory' });
    }
    expect((await checkout(shop, 'sku-002')).status).toBe(503);
    expect((await fetch(`${shop.url}/api/products/sku-001`)).status).toBe(503);

    // The evidence: the store says its catalog is gone, this process counts the refusals, the log says why.
    const stats = (await operatorCall(shop, '/_stats')).body as {
      catalogPresent: boolean;
      thisProcess: { checkouts: Record<string, number> };
    };
    expect(stats.catalogPresent).toBe(false);
    expect(stats.thisProcess.checkouts.catalogMissing).toBeGreaterThanOrEqual(4);
    expect(stats.thisProcess.checkouts.created).toBe(2);
    expect(
      logLines.some(
        (line) =>
          typeof line.msg === 'string' &&
          line.msg.includes('catalog is missing') &&
          line.msg.includes('saleday storefront seed'),
      ),
    ).toBe(true);

    // The operator's explicit step brings checkout back.
    expect(await seedCatalogInRedis({ redisUrl: redis.url, stockPerProduct: 5 })).toEqual({
      kind: 'seeded',
      products: 50,
      units: 5,
    });
    expect((await checkout(shop, 'sku-002')).body).toMatchObject({ productId: 'sku-002', remainingStock: 4 });
  });
});

describe('storefront started while Redis is down', () => {
  it('serves the product list at once, and with --seed-if-empty seeds and sells once Redis first appears', async () => {
    const redis = await startRedisServer();
    await redis.kill();
    const shop = await startStorefront({
      port: 0,
      redisUrl: redis.url,
      redisStartupTimeoutMs: 200,
      seedIfEmpty: true,
      inventoryBreaker: { openMs: 200 },
    });
    let restarted: RedisServerHandle | undefined;
    try {
      expect((await fetch(`${shop.url}/api/products`)).status).toBe(200);
      expect((await checkout(shop, 'sku-003')).status).toBe(503);
      restarted = await redis.restart();
      const recovered = await eventually(
        () => checkout(shop, 'sku-003'),
        (outcome) => outcome.status === 201,
        10_000,
      );
      expect(recovered.status).toBe(201);
    } finally {
      await shop.close();
      await restarted?.kill();
    }
  });
});
