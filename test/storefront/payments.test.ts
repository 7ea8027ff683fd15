/** The simulated payment provider on fake timers: charges and refunds suffer the same injected faults. */
import { FaultInjector, type FaultSpec } from '../../storefront/fault-injector';
import { Payments } from '../../storefront/payments';
import {
  isPaymentFailedError,
  isPaymentTimeoutError,
  isRefundFailedError,
  RefundFailedError,
} from '../../storefront/storefront-errors';

function paymentsWith(fault?: FaultSpec): Payments {
  const faults = new FaultInjector({ random: () => 0 });
  if (fault) faults.set(fault);
  return new Payments({ faults, latencyMs: 10, timeoutMs: 100 });
}

/** Settles `call` by advancing fake time; answers how long it took and how it ended. */
async function timed(call: () => Promise<void>): Promise<{ ms: number; error?: unknown }> {
  const startedAt = Date.now();
  let settled: { error?: unknown } | undefined;
  call().then(
    () => (settled = {}),
    (error: unknown) => (settled = { error }),
  );
  while (!settled) await jest.advanceTimersByTimeAsync(5);
  return { ms: Date.now() - startedAt, ...settled };
}

describe('simulated payments', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('charges and refunds after its latency', async () => {
    const payments = paymentsWith();
    expect(await timed(() => payments.charge({ orderId: 'ord-1', amountCents: 100 }))).toEqual({ ms: 10 });
    expect(await timed(() => payments.refund('ord-1'))).toEqual({ ms: 10 });
  });

  it('fails a refund the way it fails a charge, with the order in the error', async () => {
    const payments = paymentsWith({ route: 'payments', errorRate: 1 });
    expect(
      isPaymentFailedError((await timed(() => payments.charge({ orderId: 'ord-2', amountCents: 100 }))).error),
    ).toBe(true);
    const { error } = await timed(() => payments.refund('ord-2'));
    expect(isRefundFailedError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'SALEDAY_REFUND_FAILED', orderId: 'ord-2', reason: 'failed' });
  });

  it('gives up on a refund slower than its deadline, as on a charge', async () => {
    const payments = paymentsWith({ route: 'payments', latencyMs: 90 });
    const charge = await timed(() => payments.charge({ orderId: 'ord-3', amountCents: 100 }));
    expect(charge.ms).toBe(100);
    expect(isPaymentTimeoutError(charge.error)).toBe(true);
    const refund = await timed(() => payments.refund('ord-3'));
    expect(refund).toEqual({ ms: 100, error: expect.any(RefundFailedError) });
    expect(refund.error).toMatchObject({
      reason: 'timed-out',
      message: 'refund for order ord-3 got no answer in time',
    });
  });

  it('leaves refunds alone when the fault targets another route', async () => {
    const payments = paymentsWith({ route: 'checkout', errorRate: 1, latencyMs: 500 });
    expect(await timed(() => payments.refund('ord-4'))).toEqual({ ms: 10 });
  });
});
