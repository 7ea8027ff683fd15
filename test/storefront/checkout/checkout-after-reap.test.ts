/**
 * The race between a stalled checkout and the reservation reaper, end to end over real HTTP (port 0)
 * and a real Redis or the embedded store. The checkout's charge goes through and then stalls; the
 * test moves a fake clock past the TTL and sweeps; then the checkout resumes. It must not confirm
 * an order whose units went back on sale: 409 reservation-expired, the charge refunded, the counts
 * exact, and the Idempotency-Key free for a retry. No sleeps: the stall is a promise.
 */
import { Payments, type ChargeRequest } from '../../../storefront/payments';
import { startStorefront, type RunningStorefront } from '../../../storefront/server';
import { FakeClock } from '../../support/fake-clock';
import { checkout, operatorCall, storeModes } from '../storefront-client';

const TTL_MS = 30_000;

/** The simulated provider, except that the next charge can stall right after it went through. */
class StallingPayments extends Payments {
  readonly refundAttempts: string[] = [];
  private stall: { reached: () => void; resume: Promise<void> } | undefined;

  /** Resolves, with the function that lets the checkout go on, once the next charge went through. */
  stallNextCharge(): Promise<() => void> {
    let resumeCheckout = () => {};
    const resume = new Promise<void>((resolve) => {
      resumeCheckout = resolve;
    });
    return new Promise((reached) => {
      this.stall = { reached: () => reached(resumeCheckout), resume };
    });
  }

  override async charge(request: ChargeRequest): Promise<void> {
    await super.charge(request);
    const stall = this.stall;
    this.stall = undefined;
    if (!stall) return;
    stall.reached();
    await stall.resume;
  }

  override async refund(orderId: string): Promise<void> {
    this.refundAttempts.push(orderId);
    await super.refund(orderId);
  }
}

const modes = storeModes('checkout-after-reap');

describe.each(modes)('a checkout that outlives its reservation, on the %s', (_mode, modeOptions) => {
  let shop: RunningStorefront;
  let clock: FakeClock;
  let payments: StallingPayments;
  const logLines: Record<string, unknown>[] = [];

  beforeEach(async () => {
    clock = new FakeClock();
    logLines.length = 0;
    shop = await startStorefront({
      port: 0,
      clock,
      stockPerProduct: 5,
      enableFaultInjection: true,
      random: () => 0,
      reservationTtlMs: TTL_MS,
      // Out of the way: the test sweeps by hand, at the moment the race needs.
      reaperIntervalMs: 3_600_000,
      logger: true,
      logStream: { write: (line) => logLines.push(JSON.parse(line) as Record<string, unknown>) },
      createPayments: (options) => {
        payments = new StallingPayments(options);
        return payments;
      },
      ...modeOptions(),
    });
  });
  afterEach(async () => {
    await shop.close();
  });

  /** Starts a checkout, waits until it is charged and stalled, then lets the reaper release its reservation. */
  async function checkoutReapedMidPayment(
    userId: string,
    body: { productId: string; quantity: number },
    idempotencyKey: string,
  ) {
    const stalled = payments.stallNextCharge();
    const answer = checkout(shop, userId, body, idempotencyKey);
    const resume = await stalled;
    clock.advance(TTL_MS);
    const released = await shop.reaper.sweep();
    expect(released).toEqual([expect.objectContaining({ productId: body.productId, quantity: body.quantity })]);
    return { orderId: released[0].orderId, resume, answer };
  }

  async function stats(): Promise<Record<string, unknown> & { thisProcess: { checkouts: Record<string, number> } }> {
    return (await operatorCall(shop, '/_stats')).body as Record<string, unknown> & {
      thisProcess: { checkouts: Record<string, number> };
    };
  }

  it('answers 409 reservation-expired, refunds the charge, and the retry with the same key places a new order', async () => {
    const { orderId, resume, answer } = await checkoutReapedMidPayment(
      'alice',
      { productId: 'sku-002', quantity: 2 },
      'late-1',
    );
    resume();
    const late = await answer;

    expect(late.status).toBe(409);
    expect(late.body).toEqual({
      error: 'reservation-expired',
      message: expect.stringContaining('the charge was refunded; please try again'),
      orderId,
      refunded: true,
    });
    expect(payments.refundAttempts).toEqual([orderId]);
    expect(await shop.store.order(orderId)).toMatchObject({ status: 'cancelled' });
    expect(await stats()).toMatchObject({
      orders: 0,
      cancelledOrders: 1,
      unitsSold: 0,
      stockByProduct: { 'sku-002': 5 },
      oversold: false,
      thisProcess: { checkouts: { created: 0, reservationExpired: 1, refunded: 1, refundFailed: 0 } },
    });
    expect(logLines).toContainEqual(
      expect.objectContaining({ level: 40, orderId, msg: expect.stringContaining('refunding the charge') }),
    );

    // The same Idempotency-Key gets a fresh order, not a replay of the refunded one.
    const retry = await checkout(shop, 'alice', { productId: 'sku-002', quantity: 2 }, 'late-1');
    expect(retry.status).toBe(201);
    expect(retry.body).toMatchObject({ productId: 'sku-002', quantity: 2, remainingStock: 3, status: 'paid' });
    expect(retry.body.orderId).not.toBe(orderId);
    const replay = await checkout(shop, 'alice', { productId: 'sku-002', quantity: 2 }, 'late-1');
    expect(replay).toEqual(retry);
    expect(await stats()).toMatchObject({
      orders: 1,
      cancelledOrders: 1,
      unitsSold: 2,
      stockByProduct: { 'sku-002': 3 },
      oversold: false,
    });
    expect(payments.refundAttempts).toEqual([orderId]);
  });

  it('never oversells the units the reaper put back on sale: they belong to whoever bought them meanwhile', async () => {
    const { orderId, resume, answer } = await checkoutReapedMidPayment(
      'alice',
      { productId: 'sku-003', quantity: 2 },
      'late-2',
    );
    // Bob buys the whole stock, the two released units included, while alice's checkout is stalled.
    const bob = await checkout(shop, 'bob', { productId: 'sku-003', quantity: 5 });
    expect(bob.status).toBe(201);
    resume();

    expect((await answer).body).toMatchObject({ error: 'reservation-expired', orderId, refunded: true });
    // Units sold are exactly the paid orders' quantities: bob's five, none of alice's.
    expect(await shop.store.order(bob.body.orderId as string)).toMatchObject({ status: 'paid', quantity: 5 });
    expect(await shop.store.order(orderId)).toMatchObject({ status: 'cancelled', quantity: 2 });
    expect(await stats()).toMatchObject({ orders: 1, unitsSold: 5, stockByProduct: { 'sku-003': 0 }, oversold: false });
    const retry = await checkout(shop, 'alice', { productId: 'sku-003', quantity: 2 }, 'late-2');
    expect(retry).toMatchObject({ status: 409, body: { error: 'sold-out', remainingStock: 0 } });
  });

  it('still answers 409 when the refund fails, logging the order at error level and counting it', async () => {
    const { orderId, resume, answer } = await checkoutReapedMidPayment(
      'carol',
      { productId: 'sku-004', quantity: 1 },
      'late-3',
    );
    // The provider starts failing after the charge went through: the refund is refused.
    expect(
      (
        await operatorCall(shop, '/_faults', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ route: 'payments', errorRate: 1 }),
        })
      ).status,
    ).toBe(201);
    resume();

    const late = await answer;
    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({
      error: 'reservation-expired',
      orderId,
      refunded: false,
      message: expect.stringContaining('could not be refunded'),
    });
    expect(payments.refundAttempts).toEqual([orderId]);
    expect(logLines).toContainEqual(
      expect.objectContaining({
        level: 50,
        orderId,
        err: expect.objectContaining({ code: 'SALEDAY_REFUND_FAILED' }),
        msg: expect.stringContaining('reconcile'),
      }),
    );
    expect(await stats()).toMatchObject({
      orders: 0,
      unitsSold: 0,
      oversold: false,
      thisProcess: { checkouts: { reservationExpired: 1, refunded: 0, refundFailed: 1 } },
    });
  });
});
