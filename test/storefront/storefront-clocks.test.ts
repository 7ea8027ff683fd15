/**
 * The storefront reads two clocks: intervals (injected faults, store-call latencies, the breaker) on
 * the monotonic one, and times other processes read or wrote (the gate's deadline, the embedded
 * store's expiries, as Redis's) on the wall clock. Here they disagree by hours, as after a VM pause:
 * each value must follow its own clock. Real storefronts over HTTP on port 0, on both stores.
 */
import { startStorefront, type RunningStorefront, type StartStorefrontOptions } from '../../storefront/server';
import { FakeClock } from '../support/fake-clock';
import { call, checkout, operatorCall, storeModes } from './storefront-client';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WALL_TIME = 1_700_000_000_000;

const shops: RunningStorefront[] = [];

afterEach(async () => {
  jest.restoreAllMocks();
  await Promise.all(shops.splice(0).map((shop) => shop.close()));
});

async function shopWith(options: StartStorefrontOptions): Promise<RunningStorefront> {
  const shop = await startStorefront({ port: 0, stockPerProduct: 5, ...options });
  shops.push(shop);
  return shop;
}

const deadline = (atMs: number) => ({ 'saleday-deadline': String(atMs) });
const buyOne = (shop: RunningStorefront, key: string, headers: Record<string, string>) =>
  checkout(shop, 'u:ann', { productId: 'sku-001', quantity: 1 }, key, headers);

describe.each(storeModes('storefront-clocks'))(
  'a storefront whose monotonic clock is hours off the wall clock, on the %s',
  (_mode, modeOptions) => {
    it.each([
      ['lags it (a paused VM)', -5 * HOUR],
      ['runs ahead of it (a wall clock stepped back)', 5 * HOUR],
    ])('honours the gate’s deadline in wall time when the monotonic clock %s', async (_case, offsetMs) => {
      const wallClock = new FakeClock(WALL_TIME);
      const shop = await shopWith({ clock: new FakeClock(WALL_TIME + offsetMs), wallClock, ...modeOptions() });
      const worstCaseMs = shop.checkoutWorstCaseMs;

      const tooSoon = await buyOne(shop, 'soon', deadline(wallClock.now() + worstCaseMs - 1));
      expect(tooSoon).toMatchObject({
        status: 503,
        body: { error: 'deadline-too-short', remainingMs: worstCaseMs - 1 },
      });
      const inTime = await buyOne(shop, 'in-time', deadline(wallClock.now() + worstCaseMs));
      expect(inTime).toMatchObject({ status: 201, body: { remainingStock: 4 } });
    });

    it('times an injected fault’s duration on the monotonic clock, whatever the wall clock does', async () => {
      const clock = new FakeClock(WALL_TIME - 5 * HOUR);
      const wallClock = new FakeClock(WALL_TIME);
      const shop = await shopWith({ clock, wallClock, enableFaultInjection: true, random: () => 0, ...modeOptions() });
      const fault = { route: 'products', errorRate: 1, durationMs: 1000 };
      const injected = await operatorCall(shop, '/_faults', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(fault),
      });
      expect(injected.status).toBe(201);

      expect((await call(shop, '/api/products')).status).toBe(500);
      wallClock.advance(HOUR);
      expect((await call(shop, '/api/products')).status).toBe(500);
      clock.advance(1000);
      expect((await call(shop, '/api/products')).status).toBe(200);
    });
  },
);

const addToCart = (shop: RunningStorefront) =>
  call(shop, '/api/cart', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'saleday-user': 'u:ann' },
    body: JSON.stringify({ productId: 'sku-002', quantity: 2 }),
  });
const cartOf = async (shop: RunningStorefront) =>
  (await call(shop, '/api/cart', { headers: { 'saleday-user': 'u:ann' } })).body.items;

describe('the embedded store of a storefront whose monotonic clock lags the wall clock', () => {
  it('expires a cart a day after its last change in wall time, as Redis would', async () => {
    const clock = new FakeClock(WALL_TIME - 5 * HOUR);
    const wallClock = new FakeClock(WALL_TIME);
    const shop = await shopWith({ clock, wallClock });
    expect((await addToCart(shop)).status).toBe(200);

    clock.advance(2 * DAY);
    expect(await cartOf(shop)).toEqual([expect.objectContaining({ productId: 'sku-002', quantity: 2 })]);
    wallClock.advance(DAY);
    expect(await cartOf(shop)).toEqual([]);
  });
});

describe('a storefront on the real clocks, when the wall clock steps ahead', () => {
  /** Date.now() from now on reads `ms` later; the monotonic clock does not move with it. */
  const stepWallClock = (ms: number) => {
    const realNow = Date.now.bind(Date);
    jest.spyOn(Date, 'now').mockImplementation(() => realNow() + ms);
  };

  it('reads the gate’s deadline against the stepped wall time', async () => {
    const shop = await shopWith({});
    stepWallClock(5 * HOUR);
    const tooSoon = await buyOne(shop, 'soon', deadline(Date.now() + shop.checkoutWorstCaseMs - 1000));
    expect(tooSoon).toMatchObject({ status: 503, body: { error: 'deadline-too-short' } });
    expect((await buyOne(shop, 'in-time', deadline(Date.now() + shop.checkoutWorstCaseMs + 1000))).status).toBe(201);
  });

  it('expires the embedded store’s carts by the stepped wall time', async () => {
    const shop = await shopWith({});
    expect((await addToCart(shop)).status).toBe(200);
    expect(await cartOf(shop)).toHaveLength(1);
    stepWallClock(DAY + HOUR);
    expect(await cartOf(shop)).toEqual([]);
  });
});
