/**
 * A checkout whose charge went through but whose confirm the store refuses (Redis lost right after
 * the payment). The order must never be answered 201 unless it was recorded: an unrecorded one stays
 * reserved and the reaper would later sell its units again. Confirm is retried (it is idempotent);
 * when every attempt fails, the charge is refunded and the answer is 503 order-not-recorded.
 * Over real HTTP (port 0), on a real Redis and on the embedded store.
 */
import { Payments } from '../../storefront/payments';
import { startStorefront, type RunningStorefront } from '../../storefront/server';
import type { ShopStore } from '../../storefront/shop-store';
import { FakeClock } from '../support/fake-clock';
import { call, checkout, storeModes } from './storefront-client';

const TTL_MS = 30_000;

class RecordingPayments extends Payments {
  readonly refunds: string[] = [];
  override async refund(orderId: string): Promise<void> {
    this.refunds.push(orderId);
    await super.refund(orderId);
  }
}

/** The store as it is, except that its next `failures` confirms throw as a lost connection would. */
function failingConfirms(store: ShopStore, failures: { left: number; attempts: number }): ShopStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property !== 'confirm') {
        const value = Reflect.get(target, property, receiver) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      }
      return (...args: Parameters<ShopStore['confirm']>) => {
        failures.attempts += 1;
        if (failures.left > 0) {
          failures.left -= 1;
          return Promise.reject(new Error('Connection is closed.'));
        }
        return target.confirm(...args);
      };
    },
  });
}

const modes = storeModes('checkout-confirm-failure');

describe.each(modes)('a paid checkout the store cannot confirm, on the %s', (_mode, modeOptions) => {
  let shop: RunningStorefront;
  let clock: FakeClock;
  let payments: RecordingPayments;
  const failures = { left: 0, attempts: 0 };

  beforeEach(async () => {
    clock = new FakeClock();
    failures.left = 0;
    failures.attempts = 0;
    shop = await startStorefront({
      port: 0,
      clock,
      stockPerProduct: 5,
      random: () => 0,
      reservationTtlMs: TTL_MS,
      reaperIntervalMs: 3_600_000, // swept by hand below
      logger: false,
      createPayments: (options) => (payments = new RecordingPayments(options)),
      wrapStore: (store) => failingConfirms(store, failures),
      ...modeOptions(),
    });
  });
  afterEach(async () => {
    await shop.close();
  });

  async function checkoutsStats(): Promise<Record<string, unknown>> {
    return (await call(shop, '/_stats')).body;
  }

  it('answers 201 when a retry of the confirm goes through', async () => {
    failures.left = 1;
    const answer = await checkout(shop, 'dora', { productId: 'sku-001', quantity: 1 }, 'blip-1');
    expect(answer).toMatchObject({ status: 201, body: { productId: 'sku-001', status: 'paid' } });
    expect(failures.attempts).toBe(2);
    expect(payments.refunds).toEqual([]);
    // Recorded: a replay returns it, and the reaper never touches it.
    expect(await checkout(shop, 'dora', { productId: 'sku-001', quantity: 1 }, 'blip-1')).toMatchObject({ status: 201, body: answer.body });
    clock.advance(TTL_MS);
    expect(await shop.reaper.sweep()).toEqual([]);
    expect(await checkoutsStats()).toMatchObject({ orders: 1, unitsSold: 1, oversold: false });
  });

  it('never answers 201 for an order it could not record: 503 order-not-recorded, the charge refunded, the units back once reaped', async () => {
    failures.left = 3;
    const answer = await checkout(shop, 'eve', { productId: 'sku-002', quantity: 2 }, 'lost-1');
    expect(answer.status).toBe(503);
    expect(answer.retryAfter).toBe('2');
    expect(answer.body).toEqual({ error: 'order-not-recorded', message: expect.stringContaining('the charge was refunded; please try again'), orderId: expect.any(String), refunded: true });
    expect(failures.attempts).toBe(3);
    const orderId = answer.body.orderId as string;
    expect(payments.refunds).toEqual([orderId]);
    expect(await shop.store.order(orderId)).toMatchObject({ status: 'reserved' });
    expect(await checkoutsStats()).toMatchObject({ thisProcess: { checkouts: { created: 0, notRecorded: 1, refunded: 1 } } });

    // The unrecorded reservation is reaped like any stranded one: nothing sold, the stock whole again.
    clock.advance(TTL_MS);
    expect(await shop.reaper.sweep()).toEqual([expect.objectContaining({ orderId, quantity: 2 })]);
    expect(await checkoutsStats()).toMatchObject({ orders: 0, unitsSold: 0, stockByProduct: { 'sku-002': 5 }, oversold: false });
    // And the key is free for the client's retry.
    expect(await checkout(shop, 'eve', { productId: 'sku-002', quantity: 2 }, 'lost-1')).toMatchObject({ status: 201, body: { remainingStock: 3 } });
  });
});
