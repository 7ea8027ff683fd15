/**
 * The operator's explicit seeding step (`saleday storefront seed`): writes the catalog's stock into
 * Redis once, refusing a store that already has a catalog (unless forced) or any sale (always).
 */
import { InvalidOptionsError } from '../guard/errors';
import { createRedisConnection } from '../guard/redis/redis-connection';
import { createCatalog, DEFAULT_CATALOG_SIZE } from './catalog';
import { DEFAULT_KEY_PREFIX, RedisShopStore } from './redis-shop-store';
import type { SeedCatalogOutcome } from './shop-store';

export interface SeedCatalogInRedisOptions {
  redisUrl: string;
  redisAuthToken?: string;
  /** @default 'saleday:shop' */
  keyPrefix?: string;
  /** @default 50 */
  catalogSize?: number;
  /** @default 100 */
  stockPerProduct?: number;
  /** Overwrite a catalog that has no sales. @default false */
  force?: boolean;
}

export async function seedCatalogInRedis(options: SeedCatalogInRedisOptions): Promise<SeedCatalogOutcome> {
  const units = options.stockPerProduct ?? 100;
  if (!Number.isInteger(units) || units < 0)
    throw new InvalidOptionsError('stockPerProduct', options.stockPerProduct, 'a non-negative integer');
  const catalog = createCatalog(options.catalogSize ?? DEFAULT_CATALOG_SIZE);
  const redis = createRedisConnection({
    url: options.redisUrl,
    authToken: options.redisAuthToken,
    connectionName: 'saleday-storefront-seed',
    commandTimeoutMs: 10_000,
    connectTimeoutMs: 5000,
  });
  const store = new RedisShopStore({ redis, keyPrefix: options.keyPrefix ?? DEFAULT_KEY_PREFIX });
  try {
    return await store.seedCatalog(
      catalog.products.map((product) => product.id),
      units,
      { force: options.force ?? false },
    );
  } finally {
    await store.close();
  }
}

/** One sentence for the operator: what happened, or why nothing did and what to do instead. */
export function describeSeedOutcome(outcome: SeedCatalogOutcome, keyPrefix: string): string {
  switch (outcome.kind) {
    case 'seeded':
      return `seeded ${outcome.products} products with ${outcome.units} units each under ${keyPrefix}`;
    case 'catalog-exists':
      return `refusing to seed: a catalog is already in Redis under ${keyPrefix}; it has no sales, so --force may overwrite it`;
    case 'has-sales':
      return (
        `refusing to seed: Redis under ${keyPrefix} records sales (${outcome.orders} orders, ${outcome.unitsSold} units sold, ` +
        `${outcome.cancelledOrders} cancelled, ${outcome.reserved} reserved) and a catalog with sales is never overwritten, --force or not; ` +
        'restore Redis from a backup, or reset a rehearsal store through the operator port (/_stock/reset)'
      );
  }
}
