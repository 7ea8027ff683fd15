/**
 * The storefront runs the reservation reaper: on its interval (a fake one; everything else is
 * real, HTTP on port 0 and Redis included), logging what it released, counting it in /_stats, and
 * stopping on close().
 */
import { startStorefront, type StartStorefrontOptions } from '../../storefront/server';
import type { ReaperSweepOutcome } from '../../storefront/reservation-reaper';
import { FakeClock } from '../support/fake-clock';
import { testRedisUrl, uniquePrefix } from '../support/test-redis';

const modes: [string, () => StartStorefrontOptions][] = [
  ['memory store', () => ({ operatorPort: 0 })],
  [
    'redis store',
    () => ({ operatorPort: 0, redisUrl: testRedisUrl(), keyPrefix: uniquePrefix('server-reaper'), seedIfEmpty: true }),
  ],
];

/** Only the reaper's interval is faked; sockets, Redis and their timeouts run for real. */
const REAL_APART_FROM_INTERVALS = [
  'Date',
  'hrtime',
  'nextTick',
  'performance',
  'queueMicrotask',
  'setImmediate',
  'clearImmediate',
  'setTimeout',
  'clearTimeout',
] as const;

describe.each(modes)('the storefront reaper on the %s', (_mode, modeOptions) => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('releases a stranded reservation on its interval, logs and counts it, and stops on close()', async () => {
    jest.useFakeTimers({ doNotFake: [...REAL_APART_FROM_INTERVALS] });
    const clock = new FakeClock();
    const logLines: Record<string, unknown>[] = [];
    const shop = await startStorefront({
      port: 0,
      clock,
      stockPerProduct: 4,
      reaperIntervalMs: 5000,
      logger: true,
      logStream: { write: (line) => logLines.push(JSON.parse(line) as Record<string, unknown>) },
      ...modeOptions(),
    });
    try {
      expect(shop.reaper.reservationTtlMs).toBe(30_000);
      // A checkout whose process died after reserving: nobody will confirm or release it.
      const outcome = await shop.store.reserve({
        orderId: 'ord-crashed',
        productId: 'sku-003',
        quantity: 3,
        userId: 'u1',
        fingerprint: 'fp',
        now: clock.now(),
      });
      expect(outcome.kind).toBe('reserved');
      clock.advance(30_000);

      jest.advanceTimersByTime(4999);
      expect(shop.reaper.counters().sweeps).toBe(0);
      const swept = new Promise<ReaperSweepOutcome>((resolve) => {
        const stop = shop.reaper.onSweep((result) => {
          stop();
          resolve(result);
        });
      });
      jest.advanceTimersByTime(1);
      expect(await swept).toMatchObject({ ok: true, released: [{ orderId: 'ord-crashed', quantity: 3 }] });

      const product = (await (await fetch(`${shop.url}/api/products/sku-003`)).json()) as Record<string, unknown>;
      expect(product).toMatchObject({ stock: 4, available: true });
      const stats = (await (await fetch(`${shop.operatorUrl}/_stats`)).json()) as Record<string, unknown>;
      expect(stats).toMatchObject({
        orders: 0,
        cancelledOrders: 1,
        oversold: false,
        thisProcess: {
          reaper: { reservationTtlMs: 30_000, sweeps: 1, failedSweeps: 0, releasedOrders: 1, releasedUnits: 3 },
        },
      });
      expect(logLines).toContainEqual(
        expect.objectContaining({
          msg: 'released stranded reservations',
          released: 1,
          units: 3,
          orderIds: ['ord-crashed'],
        }),
      );
    } finally {
      await shop.close();
    }
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(60_000);
    expect(shop.reaper.counters().sweeps).toBe(1);
  });
});

describe('storefront reaper options', () => {
  it('derives the TTL from the payment timeout and takes an explicit one', async () => {
    const slowPayments = await startStorefront({ port: 0, paymentTimeoutMs: 15_000 });
    const explicit = await startStorefront({ port: 0, reservationTtlMs: 120_000 });
    try {
      expect(slowPayments.reaper.reservationTtlMs).toBe(45_000);
      expect(explicit.reaper.reservationTtlMs).toBe(120_000);
      expect(explicit.reaper.intervalMs).toBe(5000);
    } finally {
      await Promise.all([slowPayments.close(), explicit.close()]);
    }
  });

  it.each([
    [{ reservationTtlMs: 3000 }, /reservationTtlMs: got 3000; expected .*at least 2 × paymentTimeoutMs \(4000\)/],
    [{ paymentTimeoutMs: 20_000, reservationTtlMs: 30_000 }, /reservationTtlMs: got 30000; expected .*\(40000\)/],
    [{ reaperIntervalMs: 0 }, /reaperIntervalMs: got 0/],
  ])('rejects %p at start, naming the option', async (options, message) => {
    await expect(startStorefront({ port: 0, ...options })).rejects.toThrow(message);
  });
});
