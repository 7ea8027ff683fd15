/**
 * The gate's deadline (`saleday-deadline`): a checkout that could still be completing a paid order
 * when the gate gives up is refused before anything is reserved or charged, so the client is never
 * told "failed" about an order that was placed.
 */
import { Payments, type ChargeRequest } from '../../../storefront/payments';
import { checkoutWorstCaseMs } from '../../../storefront/checkout/checkout-budget';
import { startStorefront, type RunningStorefront } from '../../../storefront/server';
import { FakeClock } from '../../support/fake-clock';
import { call, checkout, operatorCall, storeModes } from '../storefront-client';

describe('the worst case of a checkout', () => {
  it('adds the reserve write, the charge, three confirm writes and their pauses, the settle reads and a margin', () => {
    // 600 (reserve + WAIT) + 2000 (charge) + 3 × 600 (confirms) + 300 (pauses) + 1000 (settle) + 200 (margin)
    expect(checkoutWorstCaseMs({ storeCallTimeoutMs: 500, replicaWaitMs: 100, paymentTimeoutMs: 2000 })).toBe(5900);
    expect(checkoutWorstCaseMs({ storeCallTimeoutMs: 500, replicaWaitMs: 0, paymentTimeoutMs: 5000 })).toBe(8500);
  });
});

describe.each(storeModes('checkout-deadline'))('a checkout with a gate deadline, on the %s', (_mode, modeOptions) => {
  let shop: RunningStorefront;
  let clock: FakeClock;
  let charges: ChargeRequest[];

  beforeEach(async () => {
    clock = new FakeClock();
    charges = [];
    shop = await startStorefront({
      port: 0,
      clock,
      stockPerProduct: 5,
      createPayments: (options) =>
        new (class extends Payments {
          override async charge(request: ChargeRequest): Promise<void> {
            charges.push(request);
            await super.charge(request);
          }
        })(options),
      ...modeOptions(),
    });
  });
  afterEach(async () => {
    await shop.close();
  });

  const deadlineIn = (ms: number) => ({ 'saleday-deadline': String(clock.now() + ms) });

  it('refuses with 503 deadline-too-short before reserving or charging when less than the worst case is left', async () => {
    expect(shop.checkoutWorstCaseMs).toBe(5900);
    const refused = await checkout(
      shop,
      'u:dee',
      { productId: 'sku-001', quantity: 1 },
      'deadline-1',
      deadlineIn(shop.checkoutWorstCaseMs - 1),
    );
    expect(refused).toMatchObject({
      status: 503,
      retryAfter: '1',
      failedDependency: null,
      body: { error: 'deadline-too-short', worstCaseMs: 5900, remainingMs: 5899 },
    });
    expect(refused.body.message).toContain('retry with the same Idempotency-Key');
    expect(
      await checkout(shop, 'u:dee', { productId: 'sku-001', quantity: 1 }, 'deadline-1', deadlineIn(-50)),
    ).toMatchObject({ status: 503, body: { error: 'deadline-too-short', remainingMs: 0 } });
    expect(charges).toEqual([]);
    expect((await call(shop, '/api/products/sku-001')).body).toMatchObject({ stock: 5 });
    const stats = (await operatorCall(shop, '/_stats')).body as {
      orders: number;
      thisProcess: { checkouts: Record<string, number> };
    };
    expect(stats.orders).toBe(0);
    expect(stats.thisProcess.checkouts.deadlineTooShort).toBe(2);

    // The same key, with time enough: the order goes through (nothing was held by the refusals).
    expect(
      await checkout(
        shop,
        'u:dee',
        { productId: 'sku-001', quantity: 1 },
        'deadline-1',
        deadlineIn(shop.checkoutWorstCaseMs),
      ),
    ).toMatchObject({ status: 201, body: { remainingStock: 4 } });
    expect(charges).toHaveLength(1);
  });

  it('checks out as before when the gate sends no deadline', async () => {
    expect((await checkout(shop, 'u:dee', { productId: 'sku-002', quantity: 1 })).status).toBe(201);
  });
});
