/**
 * The checkout service on its own: every outcome as a result, on a fake clock and the embedded
 * store, with no HTTP. Store failures are made by wrapping the real store, as a lost connection or
 * a lost reply would fail it; payment failures by the simulated provider's own fault injection.
 */
import { createHash } from 'node:crypto';
import { createCatalog } from '../../../storefront/catalog';
import { newCheckoutCounters, type CheckoutCounters } from '../../../storefront/checkout/checkout-counters';
import type { CheckoutLog, CheckoutRequest } from '../../../storefront/checkout/checkout-result';
import { CheckoutService, type CheckoutServiceOptions } from '../../../storefront/checkout/checkout-service';
import { FaultInjector } from '../../../storefront/fault-injector';
import { MemoryShopStore } from '../../../storefront/memory-shop-store';
import { Payments } from '../../../storefront/payments';
import type { ShopStore } from '../../../storefront/shop-store';
import { InjectedFaultError, InventoryUnavailableError } from '../../../storefront/storefront-errors';
import { FakeClock } from '../../support/fake-clock';

const WORST_CASE_MS = 5_000;
const catalog = createCatalog(3);
const productIds = catalog.products.map((product) => product.id);
const [SKU_1] = productIds as [string];

/** The store as it is, except for the methods given. */
function storeWith(store: ShopStore, overrides: Partial<ShopStore>): ShopStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property in overrides) return overrides[property as keyof ShopStore];
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

const lostConnection = () => new Error('Connection is closed.');

describe('the checkout service', () => {
  let clock: FakeClock;
  let store: MemoryShopStore;
  let faults: FaultInjector;
  let payments: Payments;
  let refunds: string[];
  let counters: CheckoutCounters;
  let pauses: number[];
  let logged: { level: 'warn' | 'error'; message: string }[];
  const log: CheckoutLog = {
    warn: (_fields, message) => logged.push({ level: 'warn', message }),
    error: (_fields, message) => logged.push({ level: 'error', message }),
  };

  beforeEach(async () => {
    clock = new FakeClock();
    store = new MemoryShopStore({ clock });
    await store.seedCatalog(productIds, 5);
    faults = new FaultInjector({ clock, random: () => 0 });
    refunds = [];
    payments = new (class extends Payments {
      override async refund(orderId: string): Promise<void> {
        refunds.push(orderId);
        await super.refund(orderId);
      }
    })({ faults, timeoutMs: 20 });
    counters = newCheckoutCounters();
    pauses = [];
    logged = [];
  });

  function service(overrides: Partial<CheckoutServiceOptions> = {}): CheckoutService {
    const sleep = async (ms: number) => {
      pauses.push(ms);
      clock.advance(ms);
    };
    return new CheckoutService({
      catalog,
      store,
      payments,
      counters,
      clock,
      wallClock: clock,
      worstCaseMs: WORST_CASE_MS,
      sleep,
      ...overrides,
    });
  }

  const buy = (request: Partial<CheckoutRequest> = {}): CheckoutRequest => ({
    userId: 'u:ann',
    productId: SKU_1,
    quantity: 2,
    ...request,
  });

  it('reserves, charges and confirms: created, the order paid and the stock taken', async () => {
    const result = await service().checkout(buy(), log);
    expect(result).toEqual({
      kind: 'created',
      receipt: {
        orderId: expect.stringMatching(/^ord_/),
        productId: SKU_1,
        quantity: 2,
        remainingStock: 3,
        status: 'paid',
      },
    });
    if (result.kind !== 'created') throw new Error('unreachable');
    expect(await store.order(result.receipt.orderId)).toMatchObject({ status: 'paid', userId: 'u:ann' });
    expect(counters).toMatchObject({ created: 1, refunded: 0 });
  });

  it("replays a repeated Idempotency-Key of the same identity, and never another identity's", async () => {
    const checkout = service();
    const first = await checkout.checkout(buy({ idempotencyKey: 'k-1' }), log);
    const again = await checkout.checkout(buy({ idempotencyKey: 'k-1' }), log);
    expect(first.kind).toBe('created');
    expect(again).toEqual({ kind: 'replayed', receipt: (first as { receipt: unknown }).receipt });
    const other = await checkout.checkout(buy({ userId: 'ip:10.0.0.9', idempotencyKey: 'k-1' }), log);
    expect(other).toMatchObject({ kind: 'created', receipt: { remainingStock: 1 } });
    expect(counters).toMatchObject({ created: 2, replayed: 1 });
  });

  it('answers the idempotency conflicts: a key reused with another body, a key still in progress', async () => {
    const checkout = service();
    await checkout.checkout(buy({ idempotencyKey: 'k-2' }), log);
    expect(await checkout.checkout(buy({ idempotencyKey: 'k-2', quantity: 1 }), log)).toEqual({
      kind: 'idempotency-key-reused',
      orderId: expect.any(String),
    });
    // The same body's reservation under the key scoped to the identity, its checkout not finished yet.
    const fingerprint = createHash('sha256').update(`${SKU_1}\n2`).digest('hex').slice(0, 32);
    await store.reserve({
      orderId: 'ord_pending',
      productId: SKU_1,
      quantity: 2,
      userId: 'u:ann',
      idempotencyKey: 'u:ann|k-3',
      fingerprint,
      now: clock.now(),
    });
    expect(await checkout.checkout(buy({ idempotencyKey: 'k-3' }), log)).toEqual({
      kind: 'checkout-in-progress',
      orderId: 'ord_pending',
    });
    expect(counters.conflicts).toBe(2);
  });

  it('answers sold-out and unknown-product without taking anything', async () => {
    const checkout = service();
    expect(await checkout.checkout(buy({ quantity: 6 }), log)).toEqual({
      kind: 'sold-out',
      productId: SKU_1,
      remainingStock: 5,
    });
    expect(await checkout.checkout(buy({ productId: 'sku-999' }), log)).toEqual({
      kind: 'unknown-product',
      productId: 'sku-999',
    });
    expect(await store.stockOf(SKU_1)).toBe(5);
    expect(counters.soldOut).toBe(1);
  });

  it('refuses before reserving or charging when the deadline leaves less than the worst case', async () => {
    const checkout = service();
    const charges: string[] = [];
    const charge = payments.charge.bind(payments);
    payments.charge = async (request) => {
      charges.push(request.orderId);
      await charge(request);
    };
    expect(await checkout.checkout(buy({ deadlineAtMs: clock.now() + WORST_CASE_MS - 1 }), log)).toEqual({
      kind: 'deadline-too-short',
      remainingMs: WORST_CASE_MS - 1,
      worstCaseMs: WORST_CASE_MS,
    });
    expect(await checkout.checkout(buy({ deadlineAtMs: clock.now() - 50 }), log)).toMatchObject({
      kind: 'deadline-too-short',
      remainingMs: 0,
    });
    expect(charges).toEqual([]);
    expect(await store.stockOf(SKU_1)).toBe(5);
    expect(counters.deadlineTooShort).toBe(2);
    expect(await checkout.checkout(buy({ deadlineAtMs: clock.now() + WORST_CASE_MS }), log)).toMatchObject({
      kind: 'created',
    });
  });

  it('checks the deadline after an injected delay, and an injected failure throws', async () => {
    const delayed = service({ injectFault: async () => clock.advance(10) });
    expect(await delayed.checkout(buy({ deadlineAtMs: clock.now() + WORST_CASE_MS + 5 }), log)).toMatchObject({
      kind: 'deadline-too-short',
      remainingMs: WORST_CASE_MS - 5,
    });
    const failing = service({ injectFault: () => Promise.reject(new InjectedFaultError('checkout')) });
    await expect(failing.checkout(buy(), log)).rejects.toThrow(InjectedFaultError);
  });

  it('names inventory for a catalog missing from the store, logging it once per interval', async () => {
    const checkout = service({ store: new MemoryShopStore({ clock }) });
    const missing = { kind: 'catalog-missing', productId: SKU_1, failedDependency: 'inventory' };
    expect(await checkout.checkout(buy(), log)).toEqual(missing);
    expect(await checkout.checkout(buy(), log)).toEqual(missing);
    clock.advance(10_000);
    expect(await checkout.checkout(buy(), log)).toEqual(missing);
    expect(counters.catalogMissing).toBe(3);
    expect(logged.filter((line) => line.message.startsWith('checkout refused: the catalog is missing'))).toHaveLength(
      2,
    );
  });

  it('releases a reserve whose reply was lost before answering inventory-unavailable, so the same key retried gets its order', async () => {
    let lose = true;
    const lossy = storeWith(store, {
      reserve: async (request) => {
        const landed = await store.reserve(request);
        if (!lose) return landed;
        throw new InventoryUnavailableError(1500, lostConnection());
      },
    });
    const checkout = service({ store: lossy });
    expect(await checkout.checkout(buy({ idempotencyKey: 'k-4' }), log)).toEqual({
      kind: 'inventory-unavailable',
      retryAfterMs: 1500,
      failedDependency: 'inventory',
    });
    expect(await store.stockOf(SKU_1)).toBe(5);
    expect(counters.reserveSettled).toBe(1);
    lose = false;
    expect(await checkout.checkout(buy({ idempotencyKey: 'k-4' }), log)).toMatchObject({
      kind: 'created',
      receipt: { remainingStock: 3 },
    });
  });

  it('releases nothing when the open breaker refused the reserve (nothing was sent)', async () => {
    const releases: string[] = [];
    const refused = storeWith(store, {
      reserve: () => Promise.reject(new InventoryUnavailableError(3000)),
      release: async (order, key) => (releases.push(order.orderId), store.release(order, key)),
    });
    expect(await service({ store: refused }).checkout(buy(), log)).toEqual({
      kind: 'inventory-unavailable',
      retryAfterMs: 3000,
      failedDependency: 'inventory',
    });
    expect(releases).toEqual([]);
  });

  it.each([
    ['declines', { errorRate: 1 }, 'payment-failed'],
    ['does not answer in time', { latencyMs: 20 }, 'payment-timed-out'],
  ] as const)('releases the reservation and names payments when the provider %s', async (_how, fault, kind) => {
    faults.set({ route: 'payments', ...fault });
    const checkout = service();
    expect(await checkout.checkout(buy({ idempotencyKey: 'k-5' }), log)).toEqual({
      kind,
      released: true,
      failedDependency: 'payments',
    });
    expect(await store.stockOf(SKU_1)).toBe(5);
    faults.clear();
    expect(await checkout.checkout(buy({ idempotencyKey: 'k-5' }), log)).toMatchObject({ kind: 'created' });
  });

  it('releases the reservation even when the charge fails in a way no provider documents, then throws', async () => {
    payments.charge = () => Promise.reject(new TypeError('bug in the provider client'));
    await expect(service().checkout(buy(), log)).rejects.toThrow('bug in the provider client');
    expect(await store.stockOf(SKU_1)).toBe(5);
  });

  it('retries a failed confirm after each pause, then releases and refunds: order-not-recorded', async () => {
    const failing = storeWith(store, { confirm: () => Promise.reject(lostConnection()) });
    const result = await service({ store: failing }).checkout(buy({ idempotencyKey: 'k-6' }), log);
    expect(result).toEqual({
      kind: 'order-not-recorded',
      orderId: expect.any(String),
      refunded: true,
      failedDependency: 'inventory',
    });
    expect(pauses).toEqual([50, 250]);
    const orderId = (result as { orderId: string }).orderId;
    expect(refunds).toEqual([orderId]);
    expect(await store.order(orderId)).toMatchObject({ status: 'cancelled' });
    expect(await store.stockOf(SKU_1)).toBe(5);
    expect(counters).toMatchObject({ notRecorded: 1, refunded: 1, created: 0 });
  });

  it('keeps an order whose confirm landed with every reply lost: created, no refund', async () => {
    const landing = storeWith(store, {
      confirm: async (receipt, key) => {
        await store.confirm(receipt, key);
        throw lostConnection();
      },
    });
    expect(await service({ store: landing }).checkout(buy(), log)).toMatchObject({
      kind: 'created',
      receipt: { remainingStock: 3 },
    });
    expect(refunds).toEqual([]);
    expect(counters).toMatchObject({ created: 1, confirmRecovered: 1 });
  });

  it('refunds an order whose reservation was released during payment: reservation-expired', async () => {
    const reaped = storeWith(store, {
      confirm: async (receipt, key) => {
        await store.release(receipt, key);
        return store.confirm(receipt, key);
      },
    });
    const result = await service({ store: reaped }).checkout(buy(), log);
    expect(result).toEqual({ kind: 'reservation-expired', orderId: expect.any(String), refunded: true });
    expect(refunds).toEqual([(result as { orderId: string }).orderId]);
    expect(counters).toMatchObject({ reservationExpired: 1, refunded: 1 });
  });

  it('says so when the refund fails too, counting it for reconciliation', async () => {
    const reaped = storeWith(store, {
      confirm: async (receipt, key) => {
        await store.release(receipt, key);
        faults.set({ route: 'payments', errorRate: 1 });
        return store.confirm(receipt, key);
      },
    });
    expect(await service({ store: reaped }).checkout(buy(), log)).toMatchObject({
      kind: 'reservation-expired',
      refunded: false,
    });
    expect(counters).toMatchObject({ refundFailed: 1, refunded: 0 });
    expect(logged.some((line) => line.level === 'error' && line.message.startsWith('refund failed'))).toBe(true);
  });
});
