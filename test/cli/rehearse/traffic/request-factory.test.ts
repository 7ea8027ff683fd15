import { createIdentityResolver } from '../../../../gate/proxy/client-identity';
import { loadConfig } from '../../../../contracts/config/load-config';
import type { SaledayConfig } from '../../../../contracts/config/schema';
import { RequestFactory } from '../../../../cli/rehearse/traffic/request-factory';
import { SHOPPER_ACTIONS } from '../../../../cli/rehearse/traffic/traffic-profile';
import { FakeClock } from '../../../support/fake-clock';
import { join } from 'node:path';

const config = loadConfig(join(__dirname, '../../../../saleday.config.json'));
const SECRET = 'a-rehearsal-secret-of-some-length';

function withIdentity(identity: Partial<SaledayConfig['identity']>): SaledayConfig {
  return { ...config, identity: { ...config.identity, header: undefined, cookie: undefined, ...identity } };
}

describe('RequestFactory', () => {
  const factory = new RequestFactory(config, ['sku-001', 'sku-002'], () => 0.6, SECRET);
  const gateIdentity = createIdentityResolver(config.identity, new FakeClock(), { SALEDAY_IDENTITY_SECRET: SECRET });

  it.each([
    ['list-products', 'GET', '/api/products', 'normal'],
    ['view-product', 'GET', '/api/products/sku-002', 'high'],
    ['add-to-cart', 'POST', '/api/cart', 'high'],
    ['checkout', 'POST', '/api/checkout', 'critical'],
    ['recommendations', 'GET', '/api/recommendations?productId=sku-002', 'low'],
    ['page', 'GET', '/', 'normal'],
  ] as const)('%s is %s %s in class %s (the gate route table decides)', (action, method, path, priorityClass) => {
    const request = factory.build(action, 'user-7');
    expect(request).toMatchObject({ action, method, path, priorityClass, isCheckout: action === 'checkout' });
    // signed the way the example config asks, so the gate proves it
    expect(gateIdentity(request.headers, '127.0.0.1')).toMatchObject({ key: 'u:user-7', kind: 'user' });
  });

  it('sends checkout bodies the storefront accepts, each with its own Idempotency-Key', () => {
    const first = factory.build('checkout', 'user-1');
    const second = factory.build('checkout', 'user-1');
    expect(JSON.parse(first.body!)).toEqual({ productId: 'sku-002', quantity: 1 });
    expect(first.headers['content-type']).toBe('application/json');
    expect(first.headers['idempotency-key']).not.toBe(second.headers['idempotency-key']);
    expect(first.quantity).toBe(1);
  });

  it('covers every shopper action', () => {
    for (const action of SHOPPER_ACTIONS) expect(() => factory.build(action, 'u')).not.toThrow();
  });

  it.each([
    [{ cookie: 'sid', proof: 'none' as const }],
    [{ header: 'x-user-id', proof: 'hmac' as const }],
    [{ header: 'authorization-key', proof: 'jwt' as const }],
  ])('carries a user key the gate accepts for identity %j', (identity) => {
    const configured = withIdentity(identity);
    const signed = new RequestFactory(configured, ['sku-001'], () => 0, SECRET);
    const resolve = createIdentityResolver(configured.identity, new FakeClock(), { SALEDAY_IDENTITY_SECRET: SECRET });
    expect(resolve(signed.identityHeaders('bot-0-1'), '127.0.0.1')).toMatchObject({ key: 'u:bot-0-1', kind: 'user' });
  });

  it('refuses to build without products, or without the secret a signed identity needs', () => {
    expect(() => new RequestFactory(config, [], () => 0)).toThrow(/productIds/);
    expect(
      () => new RequestFactory(withIdentity({ header: 'x-user-id', proof: 'hmac' }), ['sku-001'], () => 0),
    ).toThrow(/identitySecret/);
  });
});
