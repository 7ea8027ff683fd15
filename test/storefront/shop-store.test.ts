/** One semantics table, run against both stores: the embedded one must behave exactly like Redis. */
import { createRedisConnection } from '../../guard/redis/redis-connection';
import { MemoryShopStore } from '../../storefront/memory-shop-store';
import { RedisShopStore } from '../../storefront/redis-shop-store';
import type { CheckoutReceipt, ReserveRequest, ShopStore } from '../../storefront/shop-store';
import { FakeClock } from '../support/fake-clock';
import { testRedisUrl, uniquePrefix } from '../support/test-redis';

const PRODUCTS = ['sku-001', 'sku-002'];

type StoreFactory = () => ShopStore;

const factories: [string, StoreFactory][] = [
  ['memory', () => new MemoryShopStore({ clock: new FakeClock() })],
  [
    'redis',
    () =>
      new RedisShopStore({
        redis: createRedisConnection({ url: testRedisUrl() }),
        keyPrefix: uniquePrefix('shop-store'),
      }),
  ],
];

let sequence = 0;
function request(overrides: Partial<ReserveRequest> = {}): ReserveRequest {
  sequence += 1;
  return {
    orderId: `ord-${sequence}`,
    productId: 'sku-001',
    quantity: 1,
    userId: 'u1',
    fingerprint: 'fp-a',
    now: 1_700_000_000_000,
    ...overrides,
  };
}

function receiptOf(orderId: string, remainingStock: number): CheckoutReceipt {
  return { orderId, productId: 'sku-001', quantity: 1, remainingStock, status: 'paid' };
}

describe.each(factories)('%s shop store', (_name, createStore) => {
  let store: ShopStore;
  beforeEach(async () => {
    store = createStore();
    await store.seedStock(PRODUCTS, 3);
  });
  afterEach(async () => {
    await store.close();
  });

  it('reserves stock, never below zero, then answers sold-out', async () => {
    const outcomes = [];
    for (let i = 0; i < 3; i += 1) outcomes.push(await store.reserve(request()));
    expect(outcomes.map((outcome) => outcome.kind)).toEqual(['reserved', 'reserved', 'reserved']);
    expect(outcomes.map((outcome) => (outcome.kind === 'reserved' ? outcome.remainingStock : -1))).toEqual([2, 1, 0]);
    expect(await store.reserve(request())).toEqual({ kind: 'sold-out', remainingStock: 0 });
    expect(await store.reserve(request({ productId: 'sku-002', quantity: 4 }))).toEqual({
      kind: 'sold-out',
      remainingStock: 3,
    });
    expect(await store.stockOf('sku-001')).toBe(0);
    const stats = await store.stats(PRODUCTS);
    expect(stats).toMatchObject({ orders: 3, unitsSold: 3, soldByProduct: { 'sku-001': 3 }, oversold: false });
    expect(stats.stockByProduct).toEqual({ 'sku-001': 0, 'sku-002': 3 });
    expect(stats.initialByProduct).toEqual({ 'sku-001': 3, 'sku-002': 3 });
  });

  it('answers not-stocked for a product that was never seeded', async () => {
    expect(await store.reserve(request({ productId: 'sku-999' }))).toEqual({ kind: 'not-stocked' });
    expect(await store.stockOf('sku-999')).toBeUndefined();
  });

  it('seeds with NX so a restart never refills, and resetStock does', async () => {
    await store.reserve(request());
    await store.seedStock(PRODUCTS, 100);
    expect(await store.stockOf('sku-001')).toBe(2);
    await store.resetStock(PRODUCTS, 7);
    expect(await store.stockOf('sku-001')).toBe(7);
    expect(await store.stats(PRODUCTS)).toMatchObject({ orders: 0, unitsSold: 0, cancelledOrders: 0, oversold: false });
  });

  it('records the order and confirms it as paid', async () => {
    const outcome = await store.reserve(request({ orderId: 'ord-paid', userId: 'alice' }));
    expect(outcome.kind).toBe('reserved');
    expect(await store.order('ord-paid')).toMatchObject({
      productId: 'sku-001',
      quantity: 1,
      userId: 'alice',
      status: 'reserved',
    });
    expect(await store.confirm(receiptOf('ord-paid', 2))).toEqual({ kind: 'confirmed' });
    expect((await store.order('ord-paid'))?.status).toBe('paid');
    expect(await store.confirm(receiptOf('ord-paid', 2))).toEqual({ kind: 'already-paid' });
    expect(await store.order('ord-missing')).toBeUndefined();
  });

  it('replays the receipt for a repeated idempotency key and creates no second order', async () => {
    const first = await store.reserve(request({ orderId: 'ord-idem', idempotencyKey: 'u1:k1' }));
    expect(first.kind).toBe('reserved');
    expect(await store.reserve(request({ idempotencyKey: 'u1:k1' }))).toEqual({
      kind: 'in-progress',
      orderId: 'ord-idem',
    });
    await store.confirm(receiptOf('ord-idem', 2), 'u1:k1');
    expect(await store.reserve(request({ idempotencyKey: 'u1:k1' }))).toEqual({
      kind: 'replay',
      receipt: receiptOf('ord-idem', 2),
    });
    expect(await store.reserve(request({ idempotencyKey: 'u1:k1', fingerprint: 'fp-other' }))).toEqual({
      kind: 'key-reused',
      orderId: 'ord-idem',
    });
    expect(await store.stats(PRODUCTS)).toMatchObject({ orders: 1, unitsSold: 1 });
  });

  it('releases a reservation exactly once, gives the units back and frees its idempotency key', async () => {
    await store.reserve(request({ orderId: 'ord-rel', idempotencyKey: 'u1:k2', quantity: 2 }));
    expect(await store.stockOf('sku-001')).toBe(1);
    expect(await store.release({ orderId: 'ord-rel', productId: 'sku-002' }, 'u1:k2')).toBe(false);
    expect(await store.release({ orderId: 'ord-rel', productId: 'sku-001' }, 'u1:k2')).toBe(true);
    expect(await store.release({ orderId: 'ord-rel', productId: 'sku-001' }, 'u1:k2')).toBe(false);
    expect(await store.stockOf('sku-001')).toBe(3);
    expect((await store.order('ord-rel'))?.status).toBe('cancelled');
    expect(await store.stats(PRODUCTS)).toMatchObject({ orders: 0, cancelledOrders: 1, unitsSold: 0, oversold: false });
    const retry = await store.reserve(request({ orderId: 'ord-retry', idempotencyKey: 'u1:k2', quantity: 2 }));
    expect(retry.kind).toBe('reserved');
  });

  it('does not confirm a released order: no receipt, the key stays free and the units stay given back', async () => {
    await store.reserve(request({ orderId: 'ord-late', idempotencyKey: 'u1:late', quantity: 2 }));
    expect(await store.release({ orderId: 'ord-late', productId: 'sku-001' })).toBe(true);
    // Released without the key (as if by a caller that did not know it): confirm frees it.
    expect(await store.reserve(request({ idempotencyKey: 'u1:late', quantity: 2 }))).toEqual({
      kind: 'in-progress',
      orderId: 'ord-late',
    });

    expect(await store.confirm({ ...receiptOf('ord-late', 1), quantity: 2 }, 'u1:late')).toEqual({
      kind: 'not-reserved',
      status: 'cancelled',
    });
    expect((await store.order('ord-late'))?.status).toBe('cancelled');
    expect(await store.stats(PRODUCTS)).toMatchObject({
      orders: 0,
      cancelledOrders: 1,
      unitsSold: 0,
      stockByProduct: { 'sku-001': 3 },
      oversold: false,
    });
    // The retry is a new order, not a replay of a receipt for units nobody holds.
    const retry = await store.reserve(request({ orderId: 'ord-late-retry', idempotencyKey: 'u1:late', quantity: 2 }));
    expect(retry.kind).toBe('reserved');
    expect(await store.release({ orderId: 'ord-late', productId: 'sku-001' })).toBe(false);
  });

  it('leaves the key alone when a newer checkout holds it, and reports a vanished order as missing', async () => {
    await store.reserve(request({ orderId: 'ord-old', idempotencyKey: 'u1:shared' }));
    expect(await store.release({ orderId: 'ord-old', productId: 'sku-001' }, 'u1:shared')).toBe(true);
    expect((await store.reserve(request({ orderId: 'ord-new', idempotencyKey: 'u1:shared' }))).kind).toBe('reserved');

    expect(await store.confirm(receiptOf('ord-old', 2), 'u1:shared')).toEqual({
      kind: 'not-reserved',
      status: 'cancelled',
    });
    expect(await store.reserve(request({ idempotencyKey: 'u1:shared' }))).toEqual({
      kind: 'in-progress',
      orderId: 'ord-new',
    });
    expect(await store.confirm(receiptOf('ord-new', 2), 'u1:shared')).toEqual({ kind: 'confirmed' });
    expect(await store.reserve(request({ idempotencyKey: 'u1:shared' }))).toEqual({
      kind: 'replay',
      receipt: receiptOf('ord-new', 2),
    });

    expect(await store.confirm(receiptOf('ord-never-reserved', 2))).toEqual({
      kind: 'not-reserved',
      status: 'missing',
    });
    expect(await store.order('ord-never-reserved')).toBeUndefined();
    expect(await store.stats(PRODUCTS)).toMatchObject({ orders: 1, cancelledOrders: 1, unitsSold: 1, oversold: false });
  });

  it('never releases a paid order', async () => {
    await store.reserve(request({ orderId: 'ord-keep' }));
    await store.confirm(receiptOf('ord-keep', 2));
    expect(await store.release({ orderId: 'ord-keep', productId: 'sku-001' })).toBe(false);
    expect(await store.stockOf('sku-001')).toBe(2);
  });

  it('keeps a cart per user, adding quantities per product', async () => {
    expect(await store.cart('alice')).toEqual([]);
    await store.addToCart('alice', 'sku-002', 1);
    expect(await store.addToCart('alice', 'sku-001', 2)).toEqual([
      { productId: 'sku-001', quantity: 2 },
      { productId: 'sku-002', quantity: 1 },
    ]);
    expect(await store.addToCart('alice', 'sku-001', 3)).toContainEqual({ productId: 'sku-001', quantity: 5 });
    expect(await store.cart('bob')).toEqual([]);
    expect(await store.cart('alice')).toHaveLength(2);
  });
});

describe('memory shop store expiry', () => {
  it('expires carts and idempotency records a day after their last write, on its clock', async () => {
    const clock = new FakeClock();
    const store = new MemoryShopStore({ clock });
    await store.seedStock(['sku-001'], 5);
    await store.addToCart('alice', 'sku-001', 1);
    await store.reserve(request({ orderId: 'ord-exp', idempotencyKey: 'u1:k3' }));
    await store.confirm(receiptOf('ord-exp', 4), 'u1:k3');
    clock.advance(24 * 60 * 60 * 1000 - 1);
    expect(await store.cart('alice')).toHaveLength(1);
    expect((await store.reserve(request({ idempotencyKey: 'u1:k3' }))).kind).toBe('replay');
    clock.advance(1);
    expect(await store.cart('alice')).toEqual([]);
    expect((await store.reserve(request({ idempotencyKey: 'u1:k3' }))).kind).toBe('reserved');
    await store.close();
  });
});

describe('pending idempotency keys', () => {
  it('memory: a key whose payment never finished is free again after 60 s, a receipt lasts a day', async () => {
    const clock = new FakeClock();
    const store = new MemoryShopStore({ clock });
    await store.seedStock(['sku-001'], 5);
    await store.reserve(request({ orderId: 'ord-stuck', idempotencyKey: 'u1:stuck' }));
    clock.advance(59_999);
    expect((await store.reserve(request({ idempotencyKey: 'u1:stuck' }))).kind).toBe('in-progress');
    clock.advance(1);
    expect((await store.reserve(request({ idempotencyKey: 'u1:stuck' }))).kind).toBe('reserved');
    await store.close();
  });

  it('redis: the record expires after 60 s while pending and after a day once it holds the receipt', async () => {
    const redis = createRedisConnection({ url: testRedisUrl() });
    const keyPrefix = uniquePrefix('pending');
    const store = new RedisShopStore({ redis, keyPrefix, ownsConnection: false });
    try {
      await store.seedStock(['sku-001'], 5);
      await store.reserve(request({ orderId: 'ord-ttl', idempotencyKey: 'u1:ttl' }));
      const recordKey = `{${keyPrefix}}:idem:u1:ttl`;
      expect(await redis.ttl(recordKey)).toBeGreaterThan(50);
      expect(await redis.ttl(recordKey)).toBeLessThanOrEqual(60);
      await store.confirm(receiptOf('ord-ttl', 4), 'u1:ttl');
      expect(await redis.ttl(recordKey)).toBeGreaterThan(24 * 60 * 60 - 10);
    } finally {
      await store.close();
      await redis.quit();
    }
  });
});

describe('redis shop store options', () => {
  it('rejects a key prefix with braces, naming the option', () => {
    const redis = createRedisConnection({ url: testRedisUrl() });
    try {
      expect(() => new RedisShopStore({ redis, keyPrefix: '{shop}' })).toThrow(/keyPrefix/);
    } finally {
      redis.disconnect();
    }
  });
});
