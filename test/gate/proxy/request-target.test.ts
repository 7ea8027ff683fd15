import fc from 'fast-check';
import { normalizeRequestTarget, parseRequestTarget } from '../../../gate/proxy/request-target';
import { compileRouteTable } from '../../../gate/proxy/route-table';
import { TRICKY_CHECKOUT_PATHS } from '../../support/tricky-paths';
import { testConfig } from './fixtures/test-config';

describe('parseRequestTarget', () => {
  it.each([
    ['/api/products/7?x=1', '/api/products/7', '/api/products/7?x=1'],
    ['/api/%63heckout', '/api/checkout', '/api/%63heckout'],
    ['/assets/../api/checkout', '/api/checkout', '/api/checkout'],
    ['/assets/%2e%2e/api/checkout?a=b', '/api/checkout', '/api/checkout?a=b'],
    ['/api//cart', '/api/cart', '/api/cart'],
    ['/a/./b', '/a/b', '/a/b'],
    ['/api/checkout#', '/api/checkout', '/api/checkout'],
    ['/api/checkout?a=1#x?y', '/api/checkout', '/api/checkout?a=1'],
    // a leading double slash is a path here, never an authority to proxy to
    ['//evil.example/x', '/evil.example/x', '/evil.example/x'],
    ['/\\evil.example/x', '/evil.example/x', '/evil.example/x'],
  ])('%s is classified as %s and forwarded as %s', (url, path, forwardPath) => {
    expect(parseRequestTarget(url)).toEqual({ path, forwardPath });
  });

  it.each([
    'http://evil.example/api/checkout',
    '*',
    '',
    '/bad%zzescape',
    '/nul%00byte',
    '/a/%2e%2e%2fb',
    '/tab\there',
    '/new\nline',
  ])('refuses %p', (url) => {
    expect(parseRequestTarget(url)).toBeUndefined();
  });
});

describe('one normal form for every request target', () => {
  const table = compileRouteTable(testConfig().routes);
  const routeOf = (method: string, url: string) => {
    const target = parseRequestTarget(url);
    return target && table.match(method, target.path)?.route.name;
  };

  it.each(TRICKY_CHECKOUT_PATHS.map((p) => [p.target, p.expectRoute]))(
    'POST %s is classified as %s',
    (target, route) => {
      expect(routeOf('POST', target)).toBe(route);
    },
  );

  // Characters that change a target's meaning (separators, escapes of them, dots, case) are drawn
  // far more often than uniform strings would draw them.
  const meaningful = fc.constantFrom(
    '/',
    '//',
    '.',
    '..',
    '%2e',
    '%2E',
    '%2f',
    '%2F',
    '%5c',
    '%63',
    '%5F',
    '_',
    '#',
    '?',
    ';',
    '\\',
    '%',
    '%zz',
    'api',
    'checkout',
    'CHECKOUT',
    'cart',
    'assets',
    'products',
    '_stats',
    '~',
    "'",
    '`',
    '^',
    '"',
    ' ',
    '\t',
    '\u0000',
    'é',
    ':',
    '@',
    '=',
    '&',
    '+',
  );
  const targets = fc.oneof(
    fc.array(meaningful, { maxLength: 12 }).map((parts) => `/${parts.join('')}`),
    fc.string({ unit: 'binary', maxLength: 40 }).map((s) => `/${s}`),
    fc.string({ maxLength: 40 }),
  );

  it('the fast path gives exactly what the full normalisation gives', () => {
    fc.assert(
      fc.property(targets, (url) => {
        expect(parseRequestTarget(url)).toEqual(normalizeRequestTarget(url));
      }),
      { numRuns: 5000 },
    );
  });

  it('the fast and full paths classify every target under the same route', () => {
    fc.assert(
      fc.property(targets, fc.constantFrom('GET', 'POST', 'HEAD', 'DELETE'), (url, method) => {
        const fast = parseRequestTarget(url);
        const slow = normalizeRequestTarget(url);
        expect(fast && table.match(method, fast.path)?.route.name).toBe(
          slow && table.match(method, slow.path)?.route.name,
        );
      }),
      { numRuns: 5000 },
    );
  });
});
