import { DEFAULT_PRODUCT_IDS, isRequestMixOptionsError, requestMix } from '../../../cli/loadtest/request-mix';

describe('requestMix', () => {
  it('rotates product ids and distinct user keys in the identity header by default', () => {
    const next = requestMix({ identity: { header: 'x-user-id' }, users: 3 });
    expect([0, 1, 2, 3].map((i) => next(i))).toEqual([
      { path: '/api/products/sku-001', method: 'GET', headers: { 'x-user-id': 'loadtest-user-0' }, body: undefined },
      { path: '/api/products/sku-002', method: 'GET', headers: { 'x-user-id': 'loadtest-user-1' }, body: undefined },
      { path: '/api/products/sku-003', method: 'GET', headers: { 'x-user-id': 'loadtest-user-2' }, body: undefined },
      { path: '/api/products/sku-004', method: 'GET', headers: { 'x-user-id': 'loadtest-user-0' }, body: undefined },
    ]);
    expect(next(DEFAULT_PRODUCT_IDS.length).path).toBe('/api/products/sku-001');
  });

  it('puts the key in the cookie when the identity says so, and sends JSON bodies', () => {
    const next = requestMix({ identity: { cookie: 'uid' }, path: '/api/cart', method: 'POST', body: '{"productId":"sku-001","quantity":1}' });
    expect(next(7)).toEqual({ path: '/api/cart', method: 'POST', headers: { cookie: 'uid=loadtest-user-7', 'content-type': 'application/json' }, body: '{"productId":"sku-001","quantity":1}' });
  });

  it.each([
    [{ path: 'api' }, /path: got "api"/],
    [{ users: 0 }, /users: got 0/],
    [{ ids: [] }, /ids: got \[\]/],
    [{ body: '{nope' }, /body: got "{nope"; expected JSON text/],
  ])('rejects %o by name', (bad, message) => {
    let caught: unknown;
    try {
      requestMix({ identity: { header: 'x-user-id' }, ...bad });
    } catch (error) {
      caught = error;
    }
    expect(isRequestMixOptionsError(caught)).toBe(true);
    expect((caught as Error).message).toMatch(message);
  });
});
