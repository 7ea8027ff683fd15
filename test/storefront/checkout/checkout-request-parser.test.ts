/** Reading a checkout out of an HTTP request: the identity, the Idempotency-Key, the body and the gate's deadline. */
import { parseCheckoutRequest } from '../../../storefront/checkout/checkout-request-parser';

const body = { productId: 'sku-001', quantity: 2 };
const user = { 'saleday-user': 'u:ann' };

describe('parseCheckoutRequest', () => {
  it.each([
    [
      'a request with every part',
      { ...user, 'idempotency-key': 'k-1', 'saleday-deadline': '1700000005900' },
      body,
      {
        kind: 'checkout-request',
        request: {
          userId: 'u:ann',
          productId: 'sku-001',
          quantity: 2,
          idempotencyKey: 'k-1',
          deadlineAtMs: 1700000005900,
        },
      },
    ],
    [
      'no key and no deadline',
      { 'saleday-user': 'ip:10.0.0.1' },
      body,
      { kind: 'checkout-request', request: { userId: 'ip:10.0.0.1', productId: 'sku-001', quantity: 2 } },
    ],
    ['no identity', {}, body, { kind: 'identity-required' }],
    ['a malformed identity', { 'saleday-user': 'bob' }, body, { kind: 'invalid-identity', value: 'bob' }],
    ['a key with a space', { ...user, 'idempotency-key': 'k 1' }, body, { kind: 'invalid-idempotency-key' }],
    ['no body', user, undefined, { kind: 'invalid-body', message: 'a JSON object body is required' }],
    [
      'too many units',
      user,
      { productId: 'sku-001', quantity: 11 },
      { kind: 'invalid-body', message: expect.stringContaining('quantity') },
    ],
    [
      'a deadline that is not epoch milliseconds',
      { ...user, 'saleday-deadline': 'soon' },
      body,
      { kind: 'invalid-deadline', value: 'soon' },
    ],
  ] as const)('%s', (_case, headers, requestBody, expected) => {
    expect(parseCheckoutRequest({ headers: { ...headers }, body: requestBody })).toEqual(expected);
  });
});
