import { DEFAULT_PRODUCT_IDS, isRequestMixOptionsError, requestMix } from '../../../cli/loadtest/request-mix';
import { createIdentityResolver } from '../../../gate/proxy/client-identity';
import { IdentitySchema } from '../../../contracts/config/schema';
import { FakeClock } from '../../support/fake-clock';

const SECRET = 'a-loadtest-secret-of-some-length';

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
    const next = requestMix({
      identity: { cookie: 'uid' },
      path: '/api/cart',
      method: 'POST',
      body: '{"productId":"sku-001","quantity":1}',
    });
    expect(next(7)).toEqual({
      path: '/api/cart',
      method: 'POST',
      headers: { cookie: 'uid=loadtest-user-7', 'content-type': 'application/json' },
      body: '{"productId":"sku-001","quantity":1}',
    });
  });

  it.each([
    [{ cookie: 'saleday-session', proof: 'hmac' as const }],
    [{ header: 'x-user-key', proof: 'hmac' as const }],
    [{ header: 'x-user-token', proof: 'jwt' as const }],
  ])('signs each simulated shopper as its own identity the gate proves, for %j', (where) => {
    const identity = IdentitySchema.parse({ ...where, secretEnv: 'LOADTEST_SECRET', trustedProxyHops: 0 });
    const next = requestMix({ identity, identitySecret: SECRET, users: 3 });
    const resolve = createIdentityResolver(identity, new FakeClock(), { LOADTEST_SECRET: SECRET });
    expect([0, 1, 2, 3].map((i) => resolve(next(i).headers ?? {}, '127.0.0.1'))).toEqual([
      expect.objectContaining({ key: 'u:loadtest-user-0', kind: 'user' }),
      expect.objectContaining({ key: 'u:loadtest-user-1', kind: 'user' }),
      expect.objectContaining({ key: 'u:loadtest-user-2', kind: 'user' }),
      expect.objectContaining({ key: 'u:loadtest-user-0', kind: 'user' }),
    ]);
  });

  it.each([
    [{ path: 'api' }, /path: got "api"/],
    [
      { identity: { cookie: 'saleday-session', proof: 'hmac' as const } },
      /identitySecret: got undefined; expected the identity secret, since identity.proof is hmac/,
    ],
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
