/**
 * Seeding the catalog is an explicit, atomic step with the same semantics in both stores: it seeds
 * an empty store, leaves an existing catalog alone unless forced, and never touches a store that
 * recorded a sale — so stock is never re-created over units already sold.
 */
import { createRedisConnection } from '../../gate/redis-connection';
import { MemoryShopStore } from '../../storefront/memory-shop-store';
import { RedisShopStore } from '../../storefront/redis-shop-store';
import type { ShopStore } from '../../storefront/shop-store';
import { FakeClock } from '../support/fake-clock';
import { testRedisUrl, uniquePrefix } from '../support/test-redis';

const PRODUCTS = ['sku-001', 'sku-002', 'sku-003'];

const factories: [string, () => ShopStore][] = [
  ['memory', () => new MemoryShopStore({ clock: new FakeClock() })],
  ['redis', () => new RedisShopStore({ redis: createRedisConnection({ url: testRedisUrl() }), keyPrefix: uniquePrefix('seed-catalog') })],
];

describe.each(factories)('seeding the catalog of the %s store', (_name, createStore) => {
  let store: ShopStore;
  beforeEach(() => {
    store = createStore();
  });
  afterEach(async () => {
    await store.close();
  });

  it('seeds an empty store once; a second seed finds the catalog and changes nothing unless forced', async () => {
    expect((await store.stats(PRODUCTS)).catalogPresent).toBe(false);
    expect(await store.seedCatalog(PRODUCTS, 4)).toEqual({ kind: 'seeded', products: 3, units: 4 });
    expect(await store.seedCatalog(PRODUCTS, 9)).toEqual({ kind: 'catalog-exists' });
    expect(await store.stockOf('sku-002')).toBe(4);
    expect(await store.seedCatalog(PRODUCTS, 9, { force: true })).toEqual({ kind: 'seeded', products: 3, units: 9 });
    expect(await store.stats(PRODUCTS)).toMatchObject({ catalogPresent: true, initialByProduct: { 'sku-001': 9 }, stockByProduct: { 'sku-003': 9 }, oversold: false });
  });

  it('never seeds over a sale, forced or not, even once the order was released', async () => {
    await store.seedCatalog(PRODUCTS, 2);
    expect((await store.reserve({ orderId: 'ord-seed-1', productId: 'sku-001', quantity: 2, userId: 'u:buyer', fingerprint: 'fp', now: 1 })).kind).toBe('reserved');
    expect(await store.seedCatalog(PRODUCTS, 50, { force: true })).toEqual({ kind: 'has-sales', orders: 1, unitsSold: 2, cancelledOrders: 0, reserved: 1 });
    expect(await store.stockOf('sku-001')).toBe(0);
    // Released: no order holds stock, but the record of sales still refuses a re-seed.
    expect(await store.release({ orderId: 'ord-seed-1', productId: 'sku-001' })).toBe(true);
    expect(await store.seedCatalog(PRODUCTS, 50, { force: true })).toMatchObject({ kind: 'has-sales', cancelledOrders: 1 });
  });

  it('lets exactly one of two concurrent seeds write the catalog', async () => {
    const outcomes = await Promise.all([store.seedCatalog(PRODUCTS, 5), store.seedCatalog(PRODUCTS, 7)]);
    expect(outcomes.map((outcome) => outcome.kind).sort()).toEqual(['catalog-exists', 'seeded']);
  });
});
