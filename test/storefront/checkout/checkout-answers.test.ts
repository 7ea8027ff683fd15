/**
 * Every checkout outcome's HTTP answer, as a table. The table is keyed by every kind of outcome, so
 * adding a result without a row here fails type-checking, as it does in checkout-answers.ts.
 */
import { checkoutAnswer } from '../../../storefront/checkout/checkout-answers';
import type { CheckoutRequestProblem } from '../../../storefront/checkout/checkout-request-parser';
import type { CheckoutResult } from '../../../storefront/checkout/checkout-result';

type Outcome = CheckoutResult | CheckoutRequestProblem;

const receipt = { orderId: 'ord_1', productId: 'sku-001', quantity: 2, remainingStock: 3, status: 'paid' as const };

/** Each outcome kind: an example, and the status, headers and body error it must be answered with. */
const TABLE: {
  [K in Outcome['kind']]: [Extract<Outcome, { kind: K }>, number, Record<string, string>, string | undefined];
} = {
  'identity-required': [{ kind: 'identity-required' }, 401, {}, 'identity-required'],
  'invalid-identity': [{ kind: 'invalid-identity', value: 'bob' }, 400, {}, 'invalid-identity'],
  'invalid-idempotency-key': [{ kind: 'invalid-idempotency-key' }, 400, {}, 'invalid-idempotency-key'],
  'invalid-body': [{ kind: 'invalid-body', message: 'quantity: too big' }, 400, {}, 'invalid-body'],
  'invalid-deadline': [{ kind: 'invalid-deadline', value: 'soon' }, 400, {}, 'invalid-deadline'],
  created: [{ kind: 'created', receipt }, 201, {}, undefined],
  replayed: [{ kind: 'replayed', receipt }, 201, { 'idempotent-replayed': 'true' }, undefined],
  'unknown-product': [{ kind: 'unknown-product', productId: 'sku-999' }, 404, {}, 'unknown-product'],
  'deadline-too-short': [
    { kind: 'deadline-too-short', remainingMs: 10, worstCaseMs: 5900 },
    503,
    { 'retry-after': '1' },
    'deadline-too-short',
  ],
  'sold-out': [{ kind: 'sold-out', productId: 'sku-001', remainingStock: 1 }, 409, {}, 'sold-out'],
  'idempotency-key-reused': [{ kind: 'idempotency-key-reused', orderId: 'ord_1' }, 422, {}, 'idempotency-key-reused'],
  'checkout-in-progress': [
    { kind: 'checkout-in-progress', orderId: 'ord_1' },
    409,
    { 'retry-after': '1' },
    'checkout-in-progress',
  ],
  'catalog-missing': [
    { kind: 'catalog-missing', productId: 'sku-001', failedDependency: 'inventory' },
    503,
    { 'retry-after': '5', 'saleday-failed-dependency': 'inventory' },
    'inventory-unavailable',
  ],
  'inventory-unavailable': [
    { kind: 'inventory-unavailable', retryAfterMs: 2100, failedDependency: 'inventory' },
    503,
    { 'retry-after': '3', 'saleday-failed-dependency': 'inventory' },
    'inventory-unavailable',
  ],
  'payment-failed': [
    { kind: 'payment-failed', released: true, failedDependency: 'payments' },
    502,
    { 'saleday-failed-dependency': 'payments' },
    'payment-failed',
  ],
  'payment-timed-out': [
    { kind: 'payment-timed-out', released: true, failedDependency: 'payments' },
    503,
    { 'retry-after': '2', 'saleday-failed-dependency': 'payments' },
    'payments-unavailable',
  ],
  'reservation-expired': [
    { kind: 'reservation-expired', orderId: 'ord_1', refunded: true },
    409,
    {},
    'reservation-expired',
  ],
  'order-not-recorded': [
    { kind: 'order-not-recorded', orderId: 'ord_1', refunded: false, failedDependency: 'inventory' },
    503,
    { 'retry-after': '2', 'saleday-failed-dependency': 'inventory' },
    'order-not-recorded',
  ],
};

describe('the HTTP answer of a checkout outcome', () => {
  it.each(Object.entries(TABLE))('%s', (_kind, [outcome, status, headers, error]) => {
    const answer = checkoutAnswer(outcome);
    expect(answer.status).toBe(status);
    expect(answer.headers).toEqual(headers);
    if (error === undefined) expect(answer.body).toEqual(receipt);
    else expect(answer.body).toMatchObject({ error, message: expect.any(String) });
  });

  it('tells the client whether its charge went back', () => {
    expect(checkoutAnswer({ kind: 'reservation-expired', orderId: 'ord_1', refunded: true }).body).toMatchObject({
      refunded: true,
      message: expect.stringContaining('the charge was refunded'),
    });
    expect(
      checkoutAnswer({ kind: 'order-not-recorded', orderId: 'ord_1', refunded: false, failedDependency: 'inventory' })
        .body,
    ).toMatchObject({
      refunded: false,
      message: expect.stringContaining('will be refunded by support'),
    });
  });

  it('gives the deadline numbers and says nothing was reserved', () => {
    expect(checkoutAnswer({ kind: 'deadline-too-short', remainingMs: 10, worstCaseMs: 5900 }).body).toMatchObject({
      remainingMs: 10,
      worstCaseMs: 5900,
      message: expect.stringContaining('nothing was reserved or charged; retry with the same Idempotency-Key'),
    });
  });
});
