/**
 * The reservation reaper against both stores (one table, a real Redis and the embedded store) on a
 * fake clock: stranded reservations come back exactly once, paid and young ones are left alone,
 * and two reapers sweeping one shop at once never release an order twice.
 */
import { createRedisConnection } from '../../guard/redis/redis-connection';
import { InvalidOptionsError } from '../../guard/errors';
import { MemoryShopStore } from '../../storefront/memory-shop-store';
import { RedisShopStore } from '../../storefront/redis-shop-store';
import {
  defaultReservationTtlMs,
  ReservationReaper,
  resolveReaperSettings,
  type ReaperSweepOutcome,
} from '../../storefront/reservation-reaper';
import type { CheckoutReceipt, ReserveRequest, ShopStore } from '../../storefront/shop-store';
import { FakeClock } from '../support/fake-clock';
import { testRedisUrl, uniquePrefix } from '../support/test-redis';

const PRODUCTS = ['sku-001', 'sku-002'];
const PAYMENT_TIMEOUT_MS = 2000;
/** max(30 s, 3 × 2 s) */
const TTL_MS = 30_000;

/** Two handles on one shop: for Redis two connections (two storefront processes), for memory the same store. */
interface Shop {
  first: ShopStore;
  second: ShopStore;
  close(): Promise<void>;
}

const shops: [string, () => Shop][] = [
  [
    'memory',
    () => {
      const store = new MemoryShopStore({ clock: new FakeClock() });
      return { first: store, second: store, close: () => store.close() };
    },
  ],
  [
    'redis',
    () => {
      const keyPrefix = uniquePrefix('reaper');
      const first = new RedisShopStore({ redis: createRedisConnection({ url: testRedisUrl() }), keyPrefix });
      const second = new RedisShopStore({ redis: createRedisConnection({ url: testRedisUrl() }), keyPrefix });
      return { first, second, close: async () => void (await Promise.all([first.close(), second.close()])) };
    },
  ],
];

let sequence = 0;
function reserveRequest(now: number, overrides: Partial<ReserveRequest> = {}): ReserveRequest {
  sequence += 1;
  return {
    orderId: `ord-reap-${sequence}`,
    productId: 'sku-001',
    quantity: 1,
    userId: 'u1',
    fingerprint: 'fp-a',
    now,
    ...overrides,
  };
}

async function reserve(store: ShopStore, request: ReserveRequest): Promise<string> {
  const outcome = await store.reserve(request);
  if (outcome.kind !== 'reserved') throw new Error(`expected a reservation, got ${outcome.kind}`);
  return outcome.order.orderId;
}

function receiptOf(request: ReserveRequest): CheckoutReceipt {
  return {
    orderId: request.orderId,
    productId: request.productId,
    quantity: request.quantity,
    remainingStock: 0,
    status: 'paid',
  };
}

describe.each(shops)('reservation reaper on the %s store', (_name, createShop) => {
  let shop: Shop;
  let clock: FakeClock;
  const reaperOn = (store: ShopStore, options: { batchSize?: number; maxBatchesPerSweep?: number } = {}) =>
    new ReservationReaper({ store, clock, paymentTimeoutMs: PAYMENT_TIMEOUT_MS, ...options });

  beforeEach(async () => {
    shop = createShop();
    clock = new FakeClock();
    await shop.first.seedStock(PRODUCTS, 3);
  });
  afterEach(async () => {
    await shop.close();
  });

  it('releases a reservation older than the TTL once, so its units and its idempotency key can be used again', async () => {
    const stranded = reserveRequest(clock.now(), { quantity: 2, idempotencyKey: 'u1|crashed' });
    await reserve(shop.first, stranded);
    expect((await shop.first.reserve(reserveRequest(clock.now(), { quantity: 2 }))).kind).toBe('sold-out');
    const reaper = reaperOn(shop.first);
    clock.advance(TTL_MS);

    expect(await reaper.sweep()).toEqual([
      { orderId: stranded.orderId, productId: 'sku-001', quantity: 2, createdAt: stranded.now },
    ]);
    expect(await reaper.sweep()).toEqual([]);
    expect(reaper.counters()).toEqual({ sweeps: 2, failedSweeps: 0, releasedOrders: 1, releasedUnits: 2 });
    expect((await shop.first.order(stranded.orderId))?.status).toBe('cancelled');
    expect(await shop.first.stockOf('sku-001')).toBe(3);
    expect(await shop.first.stats(PRODUCTS)).toMatchObject({
      orders: 0,
      cancelledOrders: 1,
      unitsSold: 0,
      oversold: false,
    });

    // The client's retry with the same key is a new checkout, not "in progress" forever.
    expect(
      (await shop.first.reserve(reserveRequest(clock.now(), { quantity: 2, idempotencyKey: 'u1|crashed' }))).kind,
    ).toBe('reserved');
    expect((await shop.first.reserve(reserveRequest(clock.now(), { quantity: 1 }))).kind).toBe('reserved');
    expect(await shop.first.stockOf('sku-001')).toBe(0);
  });

  it('a checkout whose payment completes after its order was reaped cannot confirm it, and its retry is a new order', async () => {
    const stalled = reserveRequest(clock.now(), { quantity: 2, idempotencyKey: 'u1|stalled' });
    await reserve(shop.first, stalled);
    clock.advance(TTL_MS);
    expect(await reaperOn(shop.second).sweep()).toHaveLength(1);
    // The released units are sold to someone else before the stalled checkout's payment returns.
    const other = reserveRequest(clock.now(), { quantity: 3, userId: 'u2' });
    await reserve(shop.second, other);
    expect(await shop.second.confirm(receiptOf(other))).toEqual({ kind: 'confirmed' });

    expect(await shop.first.confirm(receiptOf(stalled), 'u1|stalled')).toEqual({
      kind: 'not-reserved',
      status: 'cancelled',
    });
    expect((await shop.first.order(stalled.orderId))?.status).toBe('cancelled');
    expect(await shop.first.stats(PRODUCTS)).toMatchObject({
      orders: 1,
      cancelledOrders: 1,
      unitsSold: 3,
      stockByProduct: { 'sku-001': 0 },
      oversold: false,
    });
    // The key was not turned into a replay of a receipt for units someone else bought.
    expect(
      await shop.first.reserve(reserveRequest(clock.now(), { quantity: 2, idempotencyKey: 'u1|stalled' })),
    ).toEqual({ kind: 'sold-out', remainingStock: 0 });
  });

  it('never touches a paid order, however old', async () => {
    const paid = reserveRequest(clock.now(), { idempotencyKey: 'u1|paid' });
    await reserve(shop.first, paid);
    await shop.first.confirm(receiptOf(paid), 'u1|paid');
    clock.advance(10 * TTL_MS);

    expect(await reaperOn(shop.first).sweep()).toEqual([]);
    expect((await shop.first.order(paid.orderId))?.status).toBe('paid');
    expect(await shop.first.stockOf('sku-001')).toBe(2);
    expect((await shop.first.reserve(reserveRequest(clock.now(), { idempotencyKey: 'u1|paid' }))).kind).toBe('replay');
    expect(await shop.first.stats(PRODUCTS)).toMatchObject({
      orders: 1,
      cancelledOrders: 0,
      unitsSold: 1,
      oversold: false,
    });
  });

  it('does not give back again the units of a reservation checkout already released', async () => {
    const failed = reserveRequest(clock.now(), { quantity: 3 });
    await reserve(shop.first, failed);
    expect(await shop.first.release(failed)).toBe(true);
    clock.advance(TTL_MS);

    expect(await reaperOn(shop.first).sweep()).toEqual([]);
    expect(await shop.first.stockOf('sku-001')).toBe(3);
    expect(await shop.first.stats(PRODUCTS)).toMatchObject({ orders: 0, cancelledOrders: 1, oversold: false });
  });

  it.each([
    ['one millisecond younger than the TTL is left alone', TTL_MS - 1, false],
    ['exactly the TTL old is released', TTL_MS, true],
  ])('a reservation %s', async (_case, ageMs, released) => {
    const order = reserveRequest(clock.now());
    await reserve(shop.first, order);
    clock.advance(ageMs);
    expect(await reaperOn(shop.first).sweep()).toHaveLength(released ? 1 : 0);
    expect((await shop.first.order(order.orderId))?.status).toBe(released ? 'cancelled' : 'reserved');
    expect(await shop.first.stockOf('sku-001')).toBe(released ? 3 : 2);
  });

  it('releases only the old reservations when young, old and paid ones are mixed', async () => {
    const old = reserveRequest(clock.now(), { productId: 'sku-002', quantity: 2 });
    const paid = reserveRequest(clock.now());
    await reserve(shop.first, old);
    await reserve(shop.first, paid);
    await shop.first.confirm(receiptOf(paid));
    clock.advance(TTL_MS / 2);
    const young = reserveRequest(clock.now());
    await reserve(shop.first, young);
    clock.advance(TTL_MS / 2);

    expect((await reaperOn(shop.first).sweep()).map((order) => order.orderId)).toEqual([old.orderId]);
    expect(await shop.first.stats(PRODUCTS)).toMatchObject({
      orders: 2,
      stockByProduct: { 'sku-001': 1, 'sku-002': 3 },
      oversold: false,
    });
    clock.advance(TTL_MS / 2);
    expect((await reaperOn(shop.first).sweep()).map((order) => order.orderId)).toEqual([young.orderId]);
  });

  it('drains a backlog in batches, at most maxBatchesPerSweep × batchSize per sweep', async () => {
    await shop.first.resetStock(PRODUCTS, 10);
    for (let i = 0; i < 7; i += 1) await reserve(shop.first, reserveRequest(clock.now()));
    clock.advance(TTL_MS);
    const reaper = reaperOn(shop.first, { batchSize: 2, maxBatchesPerSweep: 2 });
    expect(await reaper.sweep()).toHaveLength(4);
    expect(await reaper.sweep()).toHaveLength(3);
    expect(await reaper.sweep()).toHaveLength(0);
    expect(await shop.first.stockOf('sku-001')).toBe(10);
  });

  it('two reapers sweeping at once release each stranded order exactly once', async () => {
    // 20 orders of 1 to 3 units that use up the stock exactly, created a millisecond apart.
    const quantities = Array.from({ length: 20 }, (_, i) => 1 + (i % 3));
    const units = quantities.reduce((sum, quantity) => sum + quantity, 0);
    await shop.first.resetStock(PRODUCTS, units);
    const orderIds: string[] = [];
    for (const [i, quantity] of quantities.entries())
      orderIds.push(await reserve(shop.first, reserveRequest(clock.now() + i, { quantity })));
    expect(await shop.first.stockOf('sku-001')).toBe(0);
    clock.advance(TTL_MS + 20);
    const options = { batchSize: 3, maxBatchesPerSweep: 50 };
    const [a, b] = [reaperOn(shop.first, options), reaperOn(shop.second, options)];

    const [byA, byB] = await Promise.all([a.sweep(), b.sweep()]);
    const released = [...byA, ...byB].map((order) => order.orderId);
    expect(released).toHaveLength(orderIds.length);
    expect(new Set(released)).toEqual(new Set(orderIds));
    expect(a.counters().releasedUnits + b.counters().releasedUnits).toBe(units);
    expect(await shop.second.stockOf('sku-001')).toBe(units);
    expect(await shop.second.stats(PRODUCTS)).toMatchObject({
      orders: 0,
      cancelledOrders: 20,
      unitsSold: 0,
      oversold: false,
    });
    expect([...(await a.sweep()), ...(await b.sweep())]).toEqual([]);
  });
});

describe('the Redis index of reserved orders', () => {
  const redis = createRedisConnection({ url: testRedisUrl() });
  afterAll(async () => {
    await redis.quit();
  });

  it('holds exactly the orders still reserved, and an entry whose order vanished is dropped by the sweep', async () => {
    const keyPrefix = uniquePrefix('reaper-index');
    const store = new RedisShopStore({ redis, keyPrefix, ownsConnection: false });
    const index = `{${keyPrefix}}:reserved`;
    const clock = new FakeClock();
    await store.seedStock(PRODUCTS, 5);
    const paid = reserveRequest(clock.now());
    const released = reserveRequest(clock.now());
    const pending = reserveRequest(clock.now());
    for (const request of [paid, released, pending]) await reserve(store, request);
    // Scored by createdAt (ties in member order), under the shop's hash tag.
    const expected = [paid, released, pending].map((request) => request.orderId).sort();
    expect(await redis.zrange(index, '0', '-1', 'WITHSCORES')).toEqual(
      expected.flatMap((orderId) => [orderId, String(clock.now())]),
    );
    await store.confirm(receiptOf(paid));
    await store.release(released);
    expect(await redis.zrange(index, '0', '-1')).toEqual([pending.orderId]);

    await redis.zadd(index, clock.now(), 'ord-without-hash');
    clock.advance(TTL_MS);
    const reaper = new ReservationReaper({ store, clock, paymentTimeoutMs: PAYMENT_TIMEOUT_MS });
    expect((await reaper.sweep()).map((order) => order.orderId)).toEqual([pending.orderId]);
    expect(await redis.zcard(index)).toBe(0);
    expect(await store.stats(PRODUCTS)).toMatchObject({ orders: 1, cancelledOrders: 2, oversold: false });
    await store.close();
  });
});

describe('reservation reaper timer and failures', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('sweeps every interval once started, and not after close()', async () => {
    // Only the interval is fake: the store's promises still settle on their own.
    jest.useFakeTimers({
      doNotFake: [
        'Date',
        'hrtime',
        'nextTick',
        'performance',
        'queueMicrotask',
        'setImmediate',
        'clearImmediate',
        'setTimeout',
        'clearTimeout',
      ],
    });
    const clock = new FakeClock();
    const store = new MemoryShopStore({ clock });
    await store.seedStock(PRODUCTS, 3);
    await reserve(store, reserveRequest(clock.now()));
    const reaper = new ReservationReaper({ store, clock, paymentTimeoutMs: PAYMENT_TIMEOUT_MS, intervalMs: 1000 });
    const outcomes: ReaperSweepOutcome[] = [];
    reaper.onSweep((outcome) => outcomes.push(outcome));
    reaper.start();
    clock.advance(TTL_MS);

    await jest.advanceTimersByTimeAsync(999);
    expect(outcomes).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(outcomes).toEqual([
      { ok: true, released: [expect.objectContaining({ productId: 'sku-001', quantity: 1 })] },
    ]);
    await jest.advanceTimersByTimeAsync(2000);
    expect(outcomes).toHaveLength(3);

    await reaper.close();
    expect(jest.getTimerCount()).toBe(0);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(outcomes).toHaveLength(3);
    expect(await reaper.sweep()).toEqual([]);
    expect(await store.stockOf('sku-001')).toBe(3);
  });

  it('reports a failed sweep to its listeners and counters, and the next sweep works again', async () => {
    class FlakyStore extends MemoryShopStore {
      failing = true;
      override async releaseExpiredReservations(reservedAtOrBefore: number, limit: number) {
        if (this.failing) throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
        return super.releaseExpiredReservations(reservedAtOrBefore, limit);
      }
    }
    const clock = new FakeClock();
    const store = new FlakyStore({ clock });
    await store.seedStock(PRODUCTS, 3);
    await reserve(store, reserveRequest(clock.now()));
    clock.advance(TTL_MS);
    const reaper = new ReservationReaper({ store, clock, paymentTimeoutMs: PAYMENT_TIMEOUT_MS });
    const outcomes: ReaperSweepOutcome[] = [];
    reaper.onSweep((outcome) => outcomes.push(outcome));

    await expect(reaper.sweep()).rejects.toThrow(/ECONNREFUSED/);
    expect(outcomes).toEqual([{ ok: false, released: [], error: expect.any(Error) }]);
    store.failing = false;
    expect(await reaper.sweep()).toHaveLength(1);
    expect(reaper.counters()).toEqual({ sweeps: 2, failedSweeps: 1, releasedOrders: 1, releasedUnits: 1 });
    await reaper.close();
  });

  it('joins a sweep already in progress instead of starting a second one', async () => {
    const store = new MemoryShopStore();
    const reaper = new ReservationReaper({ store, paymentTimeoutMs: PAYMENT_TIMEOUT_MS });
    const first = reaper.sweep();
    expect(reaper.sweep()).toBe(first);
    await first;
    expect(reaper.counters().sweeps).toBe(1);
  });
});

describe('reservation reaper options', () => {
  it.each([
    [100, 30_000],
    [2000, 30_000],
    [10_000, 30_000],
    [20_000, 60_000],
    [1000.5, 30_000],
    [12_000.5, 36_002],
  ])('with a payment timeout of %p ms the TTL defaults to %p ms', (paymentTimeoutMs, expected) => {
    expect(defaultReservationTtlMs(paymentTimeoutMs)).toBe(expected);
    expect(resolveReaperSettings({ paymentTimeoutMs }).reservationTtlMs).toBe(expected);
  });

  it('defaults to a 5 s interval', () => {
    expect(resolveReaperSettings({ paymentTimeoutMs: 2000 })).toEqual({
      paymentTimeoutMs: 2000,
      reservationTtlMs: 30_000,
      intervalMs: 5000,
      batchSize: 100,
      maxBatchesPerSweep: 10,
    });
  });

  it.each([
    [{ reservationTtlMs: 3999 }, /reservationTtlMs: got 3999; expected .*at least 2 × paymentTimeoutMs \(4000\)/],
    [{ reservationTtlMs: 40_000.5 }, /reservationTtlMs: got 40000.5/],
    [{ reservationTtlMs: Number.NaN }, /reservationTtlMs/],
    [{ intervalMs: 0 }, /reaperIntervalMs: got 0; expected a positive integer/],
    [{ intervalMs: 1.5 }, /reaperIntervalMs/],
    [{ batchSize: -1 }, /reaperBatchSize/],
    [{ maxBatchesPerSweep: 0 }, /reaperMaxBatchesPerSweep/],
  ])('rejects %p, naming the option, its value and what was expected', (options, message) => {
    const attempt = () => new ReservationReaper({ store: new MemoryShopStore(), paymentTimeoutMs: 2000, ...options });
    expect(attempt).toThrow(message);
    expect(attempt).toThrow(InvalidOptionsError);
  });
});
