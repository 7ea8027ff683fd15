import { InvalidOptionsError } from '../../../guard/errors';
import { compileRouteTable } from '../../../gate/proxy/route-table';
import { testConfig } from './fixtures/test-config';

describe('compileRouteTable over the example routes', () => {
  const table = compileRouteTable(testConfig().routes);

  it.each([
    ['POST', '/api/checkout', 'checkout', {}],
    ['GET', '/api/checkout', 'pages', {}], // checkout only allows POST; the catch-all takes the rest
    ['GET', '/api/cart', 'cart', {}],
    ['GET', '/api/products', 'products', {}],
    ['GET', '/api/products/42', 'product', { id: '42' }],
    ['HEAD', '/api/products/42', 'product', { id: '42' }], // HEAD follows GET
    ['POST', '/api/products/42', 'pages', {}],
    ['GET', '/api/products/42/reviews', 'pages', {}], // a parameter is exactly one segment
    ['GET', '/api/recommendations', 'recommendations', {}],
    ['GET', '/assets', 'assets', {}],
    ['GET', '/assets/app.js', 'assets', {}],
    ['GET', '/assets/css/site.css', 'assets', {}],
    ['GET', '/assetsx', 'pages', {}], // a prefix is a whole segment, not a string prefix
    ['GET', '/', 'pages', {}],
    ['DELETE', '/anything/else', 'pages', {}],
  ])('%s %s → %s', (method, path, name, params) => {
    const match = table.match(method, path);
    expect(match?.route.name).toBe(name);
    expect(match?.params).toEqual(params);
  });

  it('first match wins', () => {
    const routes = testConfig((raw) => {
      raw.alarms = [];
      raw.routes = [
        { name: 'special', path: '/api/products/special', priority: 'critical', timeoutMs: 7000 },
        { name: 'product', path: '/api/products/:id', priority: 'high' },
      ];
    }).routes;
    const t = compileRouteTable(routes);
    expect(t.match('GET', '/api/products/special')?.route.name).toBe('special');
    expect(t.match('GET', '/api/products/other')?.route.name).toBe('product');
    expect(t.match('GET', '/nowhere')).toBeUndefined();
  });

  it('refuses a * anywhere but at the end', () => {
    const routes = testConfig().routes;
    expect(() => compileRouteTable([{ ...routes[0], path: '/a/*/b' }])).toThrow(InvalidOptionsError);
  });
});

describe('route matching without case or trailing slash', () => {
  const table = compileRouteTable(testConfig().routes);

  it.each([
    ['POST', '/API/Checkout', 'checkout'],
    ['POST', '/api/checkout/', 'checkout'],
    ['GET', '/Assets/app.js', 'assets'],
  ])('%s %s → %s', (method, path, name) => {
    expect(table.match(method, path)?.route.name).toBe(name);
  });

  it('keeps a parameter as it was sent', () => {
    expect(table.match('GET', '/API/Products/SKU-001/')?.params).toEqual({ id: 'SKU-001' });
  });
});
