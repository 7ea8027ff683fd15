/** The storefront over real HTTP on port 0: routes, cache headers, checkout semantics, faults, bad input. */
import { request as httpRequest } from 'node:http';
import { startStorefront, type RunningStorefront, type StartStorefrontOptions } from '../../storefront/server';
import { testRedisUrl, uniquePrefix } from '../support/test-redis';

const JSON_HEADERS = { 'content-type': 'application/json' };
/** What the gate adds to every request: the identity it established. */
const BUYER_HEADERS = { ...JSON_HEADERS, 'saleday-user': 'u:shopper' };

async function call(shop: RunningStorefront, path: string, init: RequestInit = {}) {
  return answerOf(await fetch(shop.url + path, init));
}

/** The operator listener: /_stats, /_faults, /_stock/reset. */
async function operator(shop: RunningStorefront, path: string, init: RequestInit = {}) {
  return answerOf(await fetch(`${shop.operatorUrl}${path}`, init));
}

async function answerOf(response: Response) {
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON (the page, assets)
  }
  return { status: response.status, headers: response.headers, body: body as Record<string, unknown>, text };
}

function checkout(shop: RunningStorefront, body: unknown, headers: Record<string, string> = {}) {
  return call(shop, '/api/checkout', {
    method: 'POST',
    headers: { ...BUYER_HEADERS, ...headers },
    body: JSON.stringify(body),
  });
}

const modes: [string, () => StartStorefrontOptions][] = [
  ['memory store', () => ({})],
  [
    'redis store',
    () => ({ redisUrl: testRedisUrl(), keyPrefix: uniquePrefix('storefront-server'), seedIfEmpty: true }),
  ],
];

describe.each(modes)('storefront on the %s', (_mode, modeOptions) => {
  let shop: RunningStorefront;
  beforeEach(async () => {
    shop = await startStorefront({
      port: 0,
      operatorPort: 0,
      stockPerProduct: 5,
      recommendationsWork: 10,
      enableFaultInjection: true,
      random: () => 0,
      ...modeOptions(),
    });
  });
  afterEach(async () => {
    await shop.close();
  });

  it('serves the seeded catalog from memory with CDN cache headers and an ETag', async () => {
    const list = await call(shop, '/api/products');
    expect(list.status).toBe(200);
    expect(list.body.count).toBe(50);
    expect((list.body.products as { id: string }[])[0]).toMatchObject({
      id: 'sku-001',
      name: 'Cozy Scarf',
      currency: 'USD',
    });
    expect(list.headers.get('cache-control')).toBe(
      'public, max-age=0, s-maxage=5, stale-while-revalidate=30, stale-if-error=300',
    );
    const etag = list.headers.get('etag') ?? '';
    expect(etag).toMatch(/^".+"$/);
    const revalidated = await call(shop, '/api/products', { headers: { 'if-none-match': etag } });
    expect(revalidated.status).toBe(304);
  });

  it('answers a product with its live stock, 400 for a malformed id and 404 for an unknown one', async () => {
    const product = await call(shop, '/api/products/sku-007');
    expect(product.status).toBe(200);
    expect(product.body).toMatchObject({ id: 'sku-007', stock: 5, available: true });
    expect(product.headers.get('cache-control')).toBe('no-store');
    expect((await call(shop, '/api/products/sku-7x')).status).toBe(400);
    expect((await call(shop, '/api/products/%7B%7D')).status).toBe(400);
    expect((await call(shop, '/api/products/sku-999')).body).toMatchObject({ error: 'unknown-product' });
  });

  it('checks out, replays a repeated Idempotency-Key and rejects the key with another body', async () => {
    const first = await checkout(
      shop,
      { productId: 'sku-002', quantity: 2 },
      { 'idempotency-key': 'key-1', 'saleday-user': 'u:alice' },
    );
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ productId: 'sku-002', quantity: 2, remainingStock: 3, status: 'paid' });
    expect(first.body.orderId).toMatch(/^ord_/);

    const retry = await checkout(
      shop,
      { productId: 'sku-002', quantity: 2 },
      { 'idempotency-key': 'key-1', 'saleday-user': 'u:alice' },
    );
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');

    const reused = await checkout(
      shop,
      { productId: 'sku-002', quantity: 1 },
      { 'idempotency-key': 'key-1', 'saleday-user': 'u:alice' },
    );
    expect(reused.status).toBe(422);
    expect(reused.body).toMatchObject({ error: 'idempotency-key-reused', orderId: first.body.orderId });

    // The same key from another user is another order: keys are scoped to the user.
    const otherUser = await checkout(
      shop,
      { productId: 'sku-002', quantity: 2 },
      { 'idempotency-key': 'key-1', 'saleday-user': 'u:bob' },
    );
    expect(otherUser.status).toBe(201);
    expect(otherUser.body.orderId).not.toBe(first.body.orderId);

    const stats = await operator(shop, '/_stats');
    expect(stats.body).toMatchObject({ orders: 2, unitsSold: 4, soldByProduct: { 'sku-002': 4 }, oversold: false });
  });

  it('answers 409 sold-out when the stock cannot cover the quantity', async () => {
    expect((await checkout(shop, { productId: 'sku-003', quantity: 5 })).status).toBe(201);
    const soldOut = await checkout(shop, { productId: 'sku-003', quantity: 1 });
    expect(soldOut.status).toBe(409);
    expect(soldOut.body).toMatchObject({ error: 'sold-out', remainingStock: 0 });
    expect((await call(shop, '/api/products/sku-003')).body).toMatchObject({ stock: 0, available: false });
  });

  it('releases the reservation when payment fails (502), so a retry with the same key succeeds', async () => {
    await operator(shop, '/_faults', {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({ route: 'payments', errorRate: 1 }),
    });
    const failed = await checkout(shop, { productId: 'sku-004', quantity: 2 }, { 'idempotency-key': 'pay-1' });
    expect(failed.status).toBe(502);
    expect(failed.body).toMatchObject({ error: 'payment-failed', released: true });
    expect((await call(shop, '/api/products/sku-004')).body).toMatchObject({ stock: 5 });

    await operator(shop, '/_faults', { method: 'DELETE' });
    // The failed attempt freed its key: the retry places the order.
    const retried = await checkout(shop, { productId: 'sku-004', quantity: 2 }, { 'idempotency-key': 'pay-1' });
    expect(retried.status).toBe(201);
    expect(retried.body).toMatchObject({ remainingStock: 3 });
    expect((await operator(shop, '/_stats')).body).toMatchObject({
      orders: 1,
      cancelledOrders: 1,
      unitsSold: 2,
      oversold: false,
    });
  });

  it('keeps a cart per identity and requires the identity the gate sets', async () => {
    const missing = await call(shop, '/api/cart');
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({
      error: 'identity-required',
      message: 'the gate sets saleday-user; call through the gate',
    });
    const added = await call(shop, '/api/cart', {
      method: 'POST',
      headers: { ...JSON_HEADERS, 'saleday-user': 'u:carol' },
      body: JSON.stringify({ productId: 'sku-001', quantity: 2 }),
    });
    expect(added.status).toBe(200);
    expect(added.body).toMatchObject({ userId: 'u:carol', items: [{ productId: 'sku-001', quantity: 2 }] });
    expect(added.body.totalCents).toBe((added.body.items as { priceCents: number }[])[0].priceCents * 2);
    expect((await call(shop, '/api/cart', { headers: { 'saleday-user': 'u:carol' } })).body).toEqual(added.body);
    expect((await call(shop, '/api/cart', { headers: { 'saleday-user': 'u:dave' } })).body).toMatchObject({
      items: [],
    });
    const unknown = await call(shop, '/api/cart', {
      method: 'POST',
      headers: { ...JSON_HEADERS, 'saleday-user': 'u:carol' },
      body: JSON.stringify({ productId: 'sku-404', quantity: 1 }),
    });
    expect(unknown.status).toBe(404);
  });
});

describe('storefront routes beyond the store', () => {
  let shop: RunningStorefront;
  beforeAll(async () => {
    shop = await startStorefront({
      port: 0,
      operatorPort: 0,
      recommendationsWork: 50,
      enableFaultInjection: true,
      random: () => 0,
      paymentTimeoutMs: 50,
    });
  });
  afterAll(async () => {
    await shop.close();
  });
  afterEach(async () => {
    await operator(shop, '/_faults', { method: 'DELETE' });
  });

  it('answers the health check with the store and the inventory breaker', async () => {
    const health = await call(shop, '/healthz');
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok', store: 'memory', inventory: 'closed' });
  });

  it('serves the page with fingerprinted, immutable assets', async () => {
    const page = await call(shop, '/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const cssUrl = /href="(\/assets\/shop\.[0-9a-f]{10}\.css)"/.exec(page.text)?.[1];
    const jsUrl = /src="(\/assets\/shop\.[0-9a-f]{10}\.js)"/.exec(page.text)?.[1];
    expect(cssUrl).toBeDefined();
    expect(jsUrl).toBeDefined();
    const css = await call(shop, cssUrl ?? '');
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toContain('text/css');
    expect(css.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const plain = await call(shop, '/assets/shop.js');
    expect(plain.headers.get('cache-control')).toBe('public, max-age=300');
    expect((await call(shop, '/assets/nope.js')).status).toBe(404);
    expect((await call(shop, '/assets/..%2Fserver.ts')).status).toBe(404);
  });

  it('recommends catalog products, the same ones for the same user', async () => {
    const first = await call(shop, '/api/recommendations?productId=sku-001', { headers: { 'saleday-user': 'u:erin' } });
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('private, max-age=60');
    expect(first.body.items).toHaveLength(4);
    const again = await call(shop, '/api/recommendations?productId=sku-001', { headers: { 'saleday-user': 'u:erin' } });
    expect(again.body).toEqual(first.body);
  });

  it('injects faults on one route only, lists them and clears them', async () => {
    const injected = await operator(shop, '/_faults', {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({ route: 'recommendations', errorRate: 1 }),
    });
    expect(injected.status).toBe(201);
    expect((await operator(shop, '/_faults')).body).toEqual({
      faults: [{ route: 'recommendations', latencyMs: 0, errorRate: 1, expiresAt: null }],
    });
    const failing = await call(shop, '/api/recommendations');
    expect(failing.status).toBe(500);
    expect(failing.body).toMatchObject({ error: 'injected-fault' });
    expect((await call(shop, '/api/products')).status).toBe(200);
    await operator(shop, '/_faults', { method: 'DELETE' });
    expect((await call(shop, '/api/recommendations')).status).toBe(200);
    const invalid = await operator(shop, '/_faults', {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({ route: 'everything', errorRate: 2 }),
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body).toMatchObject({ error: 'invalid-fault' });
  });

  it('answers 503 payments-unavailable with Retry-After when payment is slower than its deadline', async () => {
    await operator(shop, '/_faults', {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({ route: 'payments', latencyMs: 500 }),
    });
    const before = (await call(shop, '/api/products/sku-010')).body.stock as number;
    const slow = await checkout(shop, { productId: 'sku-010', quantity: 1 });
    expect(slow.status).toBe(503);
    expect(slow.body).toMatchObject({ error: 'payments-unavailable', released: true });
    expect(slow.headers.get('retry-after')).toBe('2');
    expect((await call(shop, '/api/products/sku-010')).body.stock).toBe(before);
  });

  it('resets stock on request when fault injection is on', async () => {
    await checkout(shop, { productId: 'sku-011', quantity: 3 });
    const reset = await operator(shop, '/_stock/reset', {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({ units: 9 }),
    });
    expect(reset.body).toEqual({ units: 9, products: 50 });
    expect((await call(shop, '/api/products/sku-011')).body.stock).toBe(9);
    expect((await operator(shop, '/_stats')).body).toMatchObject({ orders: 0, unitsSold: 0 });
  });

  const badRequests: [string, string, RequestInit, number, string][] = [
    [
      'malformed JSON',
      '/api/checkout',
      { method: 'POST', headers: BUYER_HEADERS, body: '{"productId": "sku-001",' },
      400,
      'malformed-json',
    ],
    [
      'an empty JSON body',
      '/api/checkout',
      { method: 'POST', headers: BUYER_HEADERS, body: '' },
      400,
      'malformed-json',
    ],
    ['a JSON array', '/api/checkout', { method: 'POST', headers: BUYER_HEADERS, body: '[1,2]' }, 400, 'invalid-body'],
    ['missing fields', '/api/checkout', { method: 'POST', headers: BUYER_HEADERS, body: '{}' }, 400, 'invalid-body'],
    [
      'a zero quantity',
      '/api/checkout',
      { method: 'POST', headers: BUYER_HEADERS, body: '{"productId":"sku-001","quantity":0}' },
      400,
      'invalid-body',
    ],
    [
      'a fractional quantity',
      '/api/checkout',
      { method: 'POST', headers: BUYER_HEADERS, body: '{"productId":"sku-001","quantity":1.5}' },
      400,
      'invalid-body',
    ],
    [
      'a malformed product id',
      '/api/checkout',
      { method: 'POST', headers: BUYER_HEADERS, body: '{"productId":"../../etc","quantity":1}' },
      400,
      'invalid-body',
    ],
    [
      'an unknown product',
      '/api/checkout',
      { method: 'POST', headers: BUYER_HEADERS, body: '{"productId":"sku-999","quantity":1}' },
      404,
      'unknown-product',
    ],
    [
      'a prototype-poisoning body',
      '/api/checkout',
      { method: 'POST', headers: BUYER_HEADERS, body: '{"__proto__":{"x":1},"productId":"sku-001","quantity":1}' },
      400,
      'malformed-json',
    ],
    [
      'an oversized body',
      '/api/checkout',
      {
        method: 'POST',
        headers: BUYER_HEADERS,
        body: JSON.stringify({ productId: 'sku-001', quantity: 1, pad: 'x'.repeat(20_000) }),
      },
      413,
      'body-too-large',
    ],
    [
      'a non-JSON body',
      '/api/checkout',
      { method: 'POST', headers: { 'content-type': 'application/xml', 'saleday-user': 'u:shopper' }, body: '<order/>' },
      415,
      'unsupported-media-type',
    ],
    [
      'a text body',
      '/api/checkout',
      { method: 'POST', headers: { 'content-type': 'text/plain', 'saleday-user': 'u:shopper' }, body: 'buy' },
      400,
      'invalid-body',
    ],
    [
      'a bad Idempotency-Key',
      '/api/checkout',
      {
        method: 'POST',
        headers: { ...BUYER_HEADERS, 'idempotency-key': 'has space' },
        body: '{"productId":"sku-001","quantity":1}',
      },
      400,
      'invalid-idempotency-key',
    ],
    ['a malformed identity', '/api/cart', { headers: { 'saleday-user': 'u:a{b}c' } }, 400, 'invalid-identity'],
    [
      'an identity without its prefix',
      '/api/checkout',
      {
        method: 'POST',
        headers: { ...JSON_HEADERS, 'saleday-user': 'alice' },
        body: '{"productId":"sku-001","quantity":1}',
      },
      400,
      'invalid-identity',
    ],
    [
      'a checkout without an identity',
      '/api/checkout',
      { method: 'POST', headers: JSON_HEADERS, body: '{"productId":"sku-001","quantity":1}' },
      401,
      'identity-required',
    ],
    [
      'a client-chosen x-user-id instead of the identity',
      '/api/cart',
      { headers: { 'x-user-id': 'victim' } },
      401,
      'identity-required',
    ],
    [
      'a malformed deadline',
      '/api/checkout',
      {
        method: 'POST',
        headers: { ...BUYER_HEADERS, 'saleday-deadline': 'soon' },
        body: '{"productId":"sku-001","quantity":1}',
      },
      400,
      'invalid-deadline',
    ],
    ['an unknown route', '/api/nothing', {}, 404, 'not-found'],
  ];

  it.each(badRequests)('answers %s with a 4xx and keeps serving', async (_case, path, init, status, error) => {
    const response = await call(shop, path, init);
    expect(response.status).toBe(status);
    expect(response.body).toMatchObject({ error });
    expect(typeof response.body.message).toBe('string');
    expect((await call(shop, '/healthz')).status).toBe(200);
  });

  it('survives a request whose body is cut off mid-way', async () => {
    const { port } = new URL(shop.url);
    await new Promise<void>((resolve) => {
      const request = httpRequest({
        port: Number(port),
        host: '127.0.0.1',
        method: 'POST',
        path: '/api/checkout',
        headers: { ...JSON_HEADERS, 'content-length': '1000' },
      });
      request.on('error', () => resolve());
      request.write('{"productId":');
      setTimeout(() => {
        request.destroy();
        resolve();
      }, 20);
    });
    expect((await call(shop, '/healthz')).status).toBe(200);
  });
});

describe('storefront without fault injection', () => {
  it('has no /_faults or /_stock/reset, but still reports /_stats on the operator port', async () => {
    const shop = await startStorefront({ port: 0, operatorPort: 0 });
    try {
      expect(
        (await operator(shop, '/_faults', { method: 'POST', headers: JSON_HEADERS, body: '{"errorRate":1}' })).status,
      ).toBe(404);
      expect(
        (await operator(shop, '/_stock/reset', { method: 'POST', headers: JSON_HEADERS, body: '{}' })).status,
      ).toBe(404);
      expect((await operator(shop, '/_stats')).body).toMatchObject({ store: 'memory', orders: 0, oversold: false });
    } finally {
      await shop.close();
    }
  });

  it('rejects bad options at construction, naming the option', async () => {
    await expect(startStorefront({ port: 0, stockPerProduct: -1 })).rejects.toThrow(/stockPerProduct/);
    await expect(startStorefront({ port: 0, catalogSize: 0 })).rejects.toThrow(/catalogSize/);
    await expect(startStorefront({ port: 0, recommendationsWork: 1.5 })).rejects.toThrow(/recommendationsWork/);
    await expect(startStorefront({ port: 0, paymentTimeoutMs: 0 })).rejects.toThrow(/paymentTimeoutMs/);
    await expect(startStorefront({ port: 70000 })).rejects.toThrow(/port/);
  });
});
