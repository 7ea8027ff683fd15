/**
 * Oversell: many concurrent checkouts for a product with K units, over two storefront processes'
 * worth of servers sharing one Redis, give exactly K orders and leave the stock at zero.
 */
import { Agent, fetch } from 'undici';
import { startStorefront, type RunningStorefront } from '../../storefront/server';
import { testRedisUrl, uniquePrefix } from '../support/test-redis';

const UNITS = 37;
const ATTEMPTS = 200;

async function checkoutStatuses(
  shops: RunningStorefront[],
  productId: string,
  dispatcher: Agent,
): Promise<{ status: number; body: Record<string, unknown> }[]> {
  return Promise.all(
    Array.from({ length: ATTEMPTS }, async (_, attempt) => {
      const shop = shops[attempt % shops.length];
      const response = await fetch(`${shop.url}/api/checkout`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'saleday-user': `u:buyer-${attempt}`,
          'idempotency-key': `attempt-${attempt}`,
        },
        body: JSON.stringify({ productId, quantity: 1 }),
        dispatcher,
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    }),
  );
}

describe('no oversell under concurrency', () => {
  const dispatcher = new Agent({ connections: 64 });
  afterAll(async () => {
    await dispatcher.close();
  });

  it('two storefronts sharing Redis sell exactly K units to 200 concurrent buyers', async () => {
    const keyPrefix = uniquePrefix('oversell');
    const options = {
      port: 0,
      operatorPort: 0,
      redisUrl: testRedisUrl(),
      keyPrefix,
      stockPerProduct: UNITS,
      seedIfEmpty: true,
    };
    const shops = [await startStorefront(options), await startStorefront(options)];
    try {
      const results = await checkoutStatuses(shops, 'sku-005', dispatcher);
      const created = results.filter((result) => result.status === 201);
      const soldOut = results.filter((result) => result.status === 409);
      expect(created).toHaveLength(UNITS);
      expect(soldOut).toHaveLength(ATTEMPTS - UNITS);
      expect(soldOut.every((result) => result.body.error === 'sold-out')).toBe(true);
      expect(new Set(created.map((result) => result.body.orderId)).size).toBe(UNITS);
      // Each unit was handed out once: the remaining-stock values are K-1 … 0, no duplicates.
      expect(created.map((result) => result.body.remainingStock as number).sort((a, b) => a - b)).toEqual(
        Array.from({ length: UNITS }, (_, index) => index),
      );

      const stats = (await (await fetch(`${shops[1].operatorUrl}/_stats`, { dispatcher })).json()) as Record<
        string,
        unknown
      >;
      expect(stats).toMatchObject({
        orders: UNITS,
        unitsSold: UNITS,
        soldByProduct: { 'sku-005': UNITS },
        oversold: false,
      });
      expect((stats.stockByProduct as Record<string, number>)['sku-005']).toBe(0);
    } finally {
      await Promise.all(shops.map((shop) => shop.close()));
    }
  });

  it('the embedded store sells exactly K units too', async () => {
    const shop = await startStorefront({ port: 0, operatorPort: 0, stockPerProduct: UNITS });
    try {
      const results = await checkoutStatuses([shop], 'sku-006', dispatcher);
      expect(results.filter((result) => result.status === 201)).toHaveLength(UNITS);
      expect(results.filter((result) => result.status === 409)).toHaveLength(ATTEMPTS - UNITS);
      const stats = (await (await fetch(`${shop.operatorUrl}/_stats`, { dispatcher })).json()) as Record<
        string,
        unknown
      >;
      expect(stats).toMatchObject({ orders: UNITS, unitsSold: UNITS, oversold: false });
    } finally {
      await shop.close();
    }
  });

  it('concurrent retries with one Idempotency-Key create a single order', async () => {
    const shop = await startStorefront({
      port: 0,
      operatorPort: 0,
      redisUrl: testRedisUrl(),
      keyPrefix: uniquePrefix('idem-race'),
      stockPerProduct: 10,
      paymentLatencyMs: 20,
      seedIfEmpty: true,
    });
    try {
      const results = await Promise.all(
        Array.from({ length: 20 }, async () => {
          const response = await fetch(`${shop.url}/api/checkout`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'saleday-user': 'u:impatient',
              'idempotency-key': 'double-click',
            },
            body: JSON.stringify({ productId: 'sku-008', quantity: 1 }),
            dispatcher,
          });
          return { status: response.status, body: (await response.json()) as Record<string, unknown> };
        }),
      );
      const created = results.filter((result) => result.status === 201);
      expect(created.length).toBeGreaterThanOrEqual(1);
      expect(new Set(created.map((result) => result.body.orderId)).size).toBe(1);
      // The others found the first one mid-payment and were told to retry.
      expect(
        results
          .filter((result) => result.status !== 201)
          .every((result) => result.status === 409 && result.body.error === 'checkout-in-progress'),
      ).toBe(true);
      const stats = (await (await fetch(`${shop.operatorUrl}/_stats`, { dispatcher })).json()) as Record<
        string,
        unknown
      >;
      expect(stats).toMatchObject({ orders: 1, unitsSold: 1 });
    } finally {
      await shop.close();
    }
  });
});
