/**
 * A checkout whose charge went through but whose confirm the store refuses (Redis lost right after
 * the payment). The order must never be answered 201 unless it was recorded (an unrecorded one stays
 * reserved and the reaper would later sell its units again), and never refunded if it was. Confirm is
 * retried (it is idempotent); when every attempt fails, the store is asked where the order stands:
 * still reserved, it is released at once and the charge refunded (503 order-not-recorded); paid by a
 * confirm whose reply was lost, it stands (201); released by the reaper meanwhile, 409. Over real
 * HTTP (port 0), on a real Redis and on the embedded store.
 */
import { Payments } from '../../../storefront/payments';
import { startStorefront, type RunningStorefront } from '../../../storefront/server';
import type { ShopStore } from '../../../storefront/shop-store';
import { FakeClock } from '../../support/fake-clock';
import { checkout, operatorCall, storeModes } from '../storefront-client';

const TTL_MS = 30_000;

class RecordingPayments extends Payments {
  readonly refunds: string[] = [];
  override async refund(orderId: string): Promise<void> {
    this.refunds.push(orderId);
    await super.refund(orderId);
  }
}

/** What the test store does wrong. */
interface StoreFaults {
  /** The next this many confirms fail as a lost connection would. */
  confirmsLeftToFail: number;
  confirmAttempts: number;
  /** A failing confirm is applied by the store first: it landed, only its reply was lost. */
  failedConfirmsLand: boolean;
  /** Releases fail too (the store still unreachable after the confirms). */
  releasesFail: boolean;
  /** Runs just before the last failing confirm fails. */
  beforeLastConfirmFails?: () => Promise<void>;
}

/** The store as it is, except for `faults`. */
function faultyStore(store: ShopStore, faults: StoreFaults): ShopStore {
  const lostConnection = () => Promise.reject(new Error('Connection is closed.'));
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'confirm') {
        return async (...args: Parameters<ShopStore['confirm']>) => {
          faults.confirmAttempts += 1;
          if (faults.confirmsLeftToFail === 0) return target.confirm(...args);
          faults.confirmsLeftToFail -= 1;
          if (faults.failedConfirmsLand) await target.confirm(...args);
          if (faults.confirmsLeftToFail === 0) await faults.beforeLastConfirmFails?.();
          return lostConnection();
        };
      }
      if (property === 'release' && faults.releasesFail) return lostConnection;
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

const modes = storeModes('checkout-confirm-failure');

describe.each(modes)('a paid checkout the store cannot confirm, on the %s', (_mode, modeOptions) => {
  let shop: RunningStorefront;
  let clock: FakeClock;
  let payments: RecordingPayments;
  let faults: StoreFaults;

  beforeEach(async () => {
    clock = new FakeClock();
    faults = { confirmsLeftToFail: 0, confirmAttempts: 0, failedConfirmsLand: false, releasesFail: false };
    shop = await startStorefront({
      port: 0,
      clock,
      stockPerProduct: 5,
      random: () => 0,
      reservationTtlMs: TTL_MS,
      reaperIntervalMs: 3_600_000, // swept by hand below
      logger: false,
      createPayments: (options) => (payments = new RecordingPayments(options)),
      wrapStore: (store) => faultyStore(store, faults),
      ...modeOptions(),
    });
  });
  afterEach(async () => {
    await shop.close();
  });

  async function checkoutsStats(): Promise<Record<string, unknown>> {
    return (await operatorCall(shop, '/_stats')).body;
  }

  it('answers 201 when a retry of the confirm goes through', async () => {
    faults.confirmsLeftToFail = 1;
    const answer = await checkout(shop, 'dora', { productId: 'sku-001', quantity: 1 }, 'blip-1');
    expect(answer).toMatchObject({ status: 201, body: { productId: 'sku-001', status: 'paid' } });
    expect(faults.confirmAttempts).toBe(2);
    expect(payments.refunds).toEqual([]);
    // Recorded: a replay returns it, and the reaper never touches it.
    expect(await checkout(shop, 'dora', { productId: 'sku-001', quantity: 1 }, 'blip-1')).toMatchObject({
      status: 201,
      body: answer.body,
    });
    clock.advance(TTL_MS);
    expect(await shop.reaper.sweep()).toEqual([]);
    expect(await checkoutsStats()).toMatchObject({ orders: 1, unitsSold: 1, oversold: false });
  });

  it('never answers 201 for an order it could not record: 503 order-not-recorded, the charge refunded, the units back at once', async () => {
    faults.confirmsLeftToFail = 3;
    const answer = await checkout(shop, 'eve', { productId: 'sku-002', quantity: 2 }, 'lost-1');
    expect(answer.status).toBe(503);
    expect(answer.retryAfter).toBe('2');
    // The store failed, not the payment provider: only inventory is blamed.
    expect(answer.failedDependency).toBe('inventory');
    expect(answer.body).toEqual({
      error: 'order-not-recorded',
      message: expect.stringContaining('the charge was refunded; please try again'),
      orderId: expect.any(String),
      refunded: true,
    });
    expect(faults.confirmAttempts).toBe(3);
    const orderId = answer.body.orderId as string;
    expect(payments.refunds).toEqual([orderId]);
    // Released before answering: nothing sold, the stock whole again, nothing left for the reaper.
    expect(await shop.store.order(orderId)).toMatchObject({ status: 'cancelled' });
    expect(await checkoutsStats()).toMatchObject({
      orders: 0,
      unitsSold: 0,
      stockByProduct: { 'sku-002': 5 },
      oversold: false,
    });
    expect(await checkoutsStats()).toMatchObject({
      thisProcess: { checkouts: { created: 0, notRecorded: 1, refunded: 1 } },
    });
    clock.advance(TTL_MS);
    expect(await shop.reaper.sweep()).toEqual([]);
    // And the key is free for the client's retry.
    expect(await checkout(shop, 'eve', { productId: 'sku-002', quantity: 2 }, 'lost-1')).toMatchObject({
      status: 201,
      body: { remainingStock: 3 },
    });
  });

  it('keeps a paid order whose confirm landed but whose every reply was lost: 201, no refund', async () => {
    faults.confirmsLeftToFail = 3;
    faults.failedConfirmsLand = true;
    const answer = await checkout(shop, 'fay', { productId: 'sku-003', quantity: 1 }, 'landed-1');
    expect(answer).toMatchObject({
      status: 201,
      body: { productId: 'sku-003', quantity: 1, status: 'paid', remainingStock: 4 },
    });
    expect(payments.refunds).toEqual([]);
    const orderId = answer.body.orderId as string;
    expect(await shop.store.order(orderId)).toMatchObject({ status: 'paid' });
    expect(await checkoutsStats()).toMatchObject({
      orders: 1,
      unitsSold: 1,
      oversold: false,
      thisProcess: { checkouts: { created: 1, confirmRecovered: 1, notRecorded: 0, refunded: 0 } },
    });
    // The same order on a replay, and the reaper never touches it.
    expect(await checkout(shop, 'fay', { productId: 'sku-003', quantity: 1 }, 'landed-1')).toMatchObject({
      status: 201,
      body: answer.body,
    });
    clock.advance(TTL_MS);
    expect(await shop.reaper.sweep()).toEqual([]);
  });

  it('answers 409 reservation-expired when the reaper released the order while its confirms were failing', async () => {
    faults.confirmsLeftToFail = 3;
    faults.beforeLastConfirmFails = async () => {
      clock.advance(TTL_MS);
      await shop.reaper.sweep();
    };
    const answer = await checkout(shop, 'gus', { productId: 'sku-004', quantity: 2 }, 'reaped-1');
    expect(answer).toMatchObject({ status: 409, body: { error: 'reservation-expired', refunded: true } });
    expect(payments.refunds).toEqual([answer.body.orderId]);
    expect(await checkoutsStats()).toMatchObject({
      orders: 0,
      unitsSold: 0,
      stockByProduct: { 'sku-004': 5 },
      oversold: false,
    });
  });

  it('leaves the reservation to the reaper when the store cannot release it either: 503, refunded, reaped after its TTL', async () => {
    faults.confirmsLeftToFail = 3;
    faults.releasesFail = true;
    const answer = await checkout(shop, 'hal', { productId: 'sku-005', quantity: 2 }, 'down-1');
    expect(answer).toMatchObject({ status: 503, body: { error: 'order-not-recorded', refunded: true } });
    const orderId = answer.body.orderId as string;
    expect(payments.refunds).toEqual([orderId]);
    expect(await shop.store.order(orderId)).toMatchObject({ status: 'reserved' });
    // The unrecorded reservation is reaped like any stranded one: nothing sold, the stock whole again.
    clock.advance(TTL_MS);
    expect(await shop.reaper.sweep()).toEqual([expect.objectContaining({ orderId, quantity: 2 })]);
    expect(await checkoutsStats()).toMatchObject({
      orders: 0,
      unitsSold: 0,
      stockByProduct: { 'sku-005': 5 },
      oversold: false,
    });
    faults.releasesFail = false;
    expect(await checkout(shop, 'hal', { productId: 'sku-005', quantity: 2 }, 'down-1')).toMatchObject({
      status: 201,
      body: { remainingStock: 3 },
    });
  });
});
