/**
 * Seeding the catalog is an explicit, atomic step with the same semantics in both stores: it seeds
 * an empty store, leaves an existing catalog alone unless forced, and never touches a store that
 * recorded a sale — so stock is never re-created over units already sold.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createRedisConnection } from '../../guard/redis/redis-connection';
import { MemoryShopStore } from '../../storefront/memory-shop-store';
import { RedisShopStore } from '../../storefront/redis-shop-store';
import type { ShopStore } from '../../storefront/shop-store';
import { FakeClock } from '../support/fake-clock';
import { testRedisUrl, uniquePrefix } from '../support/test-redis';

const PRODUCTS = ['sku-001', 'sku-002', 'sku-003'];

const factories: [string, () => ShopStore][] = [
  ['memory', () => new MemoryShopStore({ clock: new FakeClock() })],
  [
    'redis',
    () =>
      new RedisShopStore({
        redis: createRedisConnection({ url: testRedisUrl() }),
        keyPrefix: uniquePrefix('seed-catalog'),
      }),
  ],
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
    expect(await store.stats(PRODUCTS)).toMatchObject({
      catalogPresent: true,
      initialByProduct: { 'sku-001': 9 },
      stockByProduct: { 'sku-003': 9 },
      oversold: false,
    });
  });

  it('never seeds over a sale, forced or not, even once the order was released', async () => {
    await store.seedCatalog(PRODUCTS, 2);
    expect(
      (
        await store.reserve({
          orderId: 'ord-seed-1',
          productId: 'sku-001',
          quantity: 2,
          userId: 'u:buyer',
          fingerprint: 'fp',
          now: 1,
        })
      ).kind,
    ).toBe('reserved');
    expect(await store.seedCatalog(PRODUCTS, 50, { force: true })).toEqual({
      kind: 'has-sales',
      orders: 1,
      unitsSold: 2,
      cancelledOrders: 0,
      reserved: 1,
    });
    expect(await store.stockOf('sku-001')).toBe(0);
    // Released: no order holds stock, but the record of sales still refuses a re-seed.
    expect(await store.release({ orderId: 'ord-seed-1', productId: 'sku-001' })).toBe(true);
    expect(await store.seedCatalog(PRODUCTS, 50, { force: true })).toMatchObject({
      kind: 'has-sales',
      cancelledOrders: 1,
    });
  });

  it('lets exactly one of two concurrent seeds write the catalog', async () => {
    const outcomes = await Promise.all([store.seedCatalog(PRODUCTS, 5), store.seedCatalog(PRODUCTS, 7)]);
    expect(outcomes.map((outcome) => outcome.kind).sort()).toEqual(['catalog-exists', 'seeded']);
  });
});

describe('the container entry point: storefront.js seed', () => {
  const ROOT = join(__dirname, '..', '..');
  function runContainerSeed(
    env: NodeJS.ProcessEnv,
    args: string[] = [],
  ): Promise<{ code: number | null; stdout: string }> {
    const child = spawn(
      process.execPath,
      [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'storefront', 'main.ts'), 'seed', ...args],
      { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout })));
  }

  it('seeds from the environment once, as a one-off task would, and refuses the second time', async () => {
    const env = {
      REDIS_URL: testRedisUrl(),
      SALEDAY_KEY_PREFIX: uniquePrefix('container-seed'),
      SALEDAY_CATALOG_SIZE: '3',
      SALEDAY_STOCK_PER_PRODUCT: '6',
    };
    const first = await runContainerSeed(env);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ event: 'seed', kind: 'seeded', products: 3, units: 6 });
    const second = await runContainerSeed(env);
    expect(second.code).toBe(1);
    expect(JSON.parse(second.stdout)).toMatchObject({
      kind: 'catalog-exists',
      message: expect.stringContaining('--force'),
    });
    expect((await runContainerSeed(env, ['--force'])).code).toBe(0);
  });
});
