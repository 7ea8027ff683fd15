/**
 * The storefront trusts only the identity the gate established (`saleday-user`), never a
 * client-chosen `x-user-id`; carts, orders and Idempotency-Keys are keyed by that whole value.
 */
import { startStorefront, type RunningStorefront } from '../../storefront/server';
import { call, checkout, operatorCall, storeModes } from './storefront-client';

describe.each(storeModes('identity'))('identity on the %s', (_mode, modeOptions) => {
  let shop: RunningStorefront;
  beforeEach(async () => {
    shop = await startStorefront({ port: 0, stockPerProduct: 5, ...modeOptions() });
  });
  afterEach(async () => {
    await shop.close();
  });

  const cartOf = (headers: Record<string, string>) => call(shop, '/api/cart', { headers });
  const addToCart = (headers: Record<string, string>, productId: string) =>
    call(shop, '/api/cart', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ productId, quantity: 1 }),
    });

  it('gives two anonymous clients sending the same Idempotency-Key two separate orders', async () => {
    const first = await checkout(shop, 'ip:198.51.100.1', { productId: 'sku-001', quantity: 1 }, 'same-key');
    const second = await checkout(shop, 'ip:198.51.100.2', { productId: 'sku-001', quantity: 1 }, 'same-key');
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body.orderId).not.toBe(first.body.orderId);
    expect(second.body.remainingStock).toBe(3);
    // Each client's own retry still replays its own receipt.
    expect((await checkout(shop, 'ip:198.51.100.2', { productId: 'sku-001', quantity: 1 }, 'same-key')).body).toEqual(
      second.body,
    );
    expect((await operatorCall(shop, '/_stats')).body).toMatchObject({ orders: 2, unitsSold: 2 });
  });

  it('never reads x-user-id: a client naming a victim still gets only its own cart and receipts', async () => {
    await addToCart({ 'saleday-user': 'u:victim' }, 'sku-002');
    const paid = await checkout(shop, 'u:victim', { productId: 'sku-003', quantity: 1 }, 'victim-key');
    expect(paid.status).toBe(201);

    const attacker = { 'saleday-user': 'u:attacker', 'x-user-id': 'victim' };
    expect((await cartOf(attacker)).body).toMatchObject({ userId: 'u:attacker', items: [] });
    const replayAttempt = await checkout(shop, 'u:attacker', { productId: 'sku-003', quantity: 1 }, 'victim-key', {
      'x-user-id': 'victim',
    });
    expect(replayAttempt.status).toBe(201);
    expect(replayAttempt.body.orderId).not.toBe(paid.body.orderId);
    // Without the gate's header, x-user-id alone is no identity at all.
    expect(await cartOf({ 'x-user-id': 'victim' })).toMatchObject({
      status: 401,
      body: { error: 'identity-required', message: 'the gate sets saleday-user; call through the gate' },
    });
  });

  it('keys carts by the whole identity: a proven user and an anonymous key with the same text are two carts', async () => {
    await addToCart({ 'saleday-user': 'u:203.0.113.9' }, 'sku-004');
    expect((await cartOf({ 'saleday-user': 'u:203.0.113.9' })).body).toMatchObject({
      userId: 'u:203.0.113.9',
      items: [{ productId: 'sku-004', quantity: 1 }],
    });
    expect((await cartOf({ 'saleday-user': 'ip:203.0.113.9' })).body).toMatchObject({
      userId: 'ip:203.0.113.9',
      items: [],
    });
    expect((await cartOf({ 'saleday-user': 'ip:2001:db8::1' })).status).toBe(200);
  });

  it('refuses a checkout without an identity (401) and a malformed one (400), naming the header', async () => {
    const anonymous = await call(shop, '/api/checkout', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"productId":"sku-001","quantity":1}',
    });
    expect(anonymous).toMatchObject({ status: 401, body: { error: 'identity-required' } });
    for (const malformed of ['alice', 'u:', 'x:alice', `u:${'a'.repeat(129)}`, 'ip:a b']) {
      const answer = await checkout(shop, 'ignored', { productId: 'sku-001', quantity: 1 }, undefined, {
        'saleday-user': malformed,
      });
      expect(answer).toMatchObject({
        status: 400,
        body: { error: 'invalid-identity', message: expect.stringContaining('saleday-user') },
      });
    }
    expect((await operatorCall(shop, '/_stats')).body).toMatchObject({ orders: 0 });
  });
});
