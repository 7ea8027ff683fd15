/**
 * The seeded catalog: a deterministic list of products, the same on every instance and every
 * restart, so two storefront tasks (and the tests) agree on ids, names and prices without a
 * database. It lives in memory: the product list keeps serving while Redis is down.
 */
import { InvalidOptionsError } from '../guard/errors';
import { seededRandom } from '../contracts/seeded-random';

export interface Product {
  id: string;
  name: string;
  description: string;
  /** Price in cents, so totals never suffer floating-point rounding. */
  priceCents: number;
  currency: 'USD';
  category: string;
}

export interface Catalog {
  readonly products: readonly Product[];
  find(id: string): Product | undefined;
}

/** Ids look like `sku-007`: anything else is a malformed id (400), a well-formed unknown id is a 404. */
export const PRODUCT_ID_PATTERN = /^sku-[0-9]{3,7}$/;

export const DEFAULT_CATALOG_SIZE = 50;
const MAX_CATALOG_SIZE = 1_000_000;

const ADJECTIVES = [
  'Cozy',
  'Arctic',
  'Midnight',
  'Velvet',
  'Rugged',
  'Golden',
  'Frosted',
  'Electric',
  'Woolen',
  'Crimson',
];
const NOUNS = ['Scarf', 'Beanie', 'Parka', 'Mittens', 'Boots', 'Lantern', 'Mug', 'Blanket', 'Headphones', 'Backpack'];
const CATEGORIES = ['apparel', 'outdoor', 'home', 'audio', 'accessories'];

export function productId(index: number, catalogSize: number): string {
  const width = Math.max(3, String(catalogSize).length);
  return `sku-${String(index + 1).padStart(width, '0')}`;
}

export function createCatalog(size = DEFAULT_CATALOG_SIZE): Catalog {
  if (!Number.isInteger(size) || size < 1 || size > MAX_CATALOG_SIZE) {
    throw new InvalidOptionsError('catalogSize', size, `an integer between 1 and ${MAX_CATALOG_SIZE}`);
  }
  // Seeded, not Math.random: the catalog must be identical in every storefront process.
  const random = seededRandom(0x5a1eda7);
  const products: Product[] = [];
  for (let index = 0; index < size; index += 1) {
    const adjective = ADJECTIVES[index % ADJECTIVES.length];
    const noun = NOUNS[Math.floor(index / ADJECTIVES.length) % NOUNS.length];
    const edition = Math.floor(index / (ADJECTIVES.length * NOUNS.length));
    const name = edition === 0 ? `${adjective} ${noun}` : `${adjective} ${noun} Mk ${edition + 1}`;
    products.push({
      id: productId(index, size),
      name,
      description: `${/^[AEIOU]/.test(adjective) ? 'An' : 'A'} ${adjective.toLowerCase()} ${noun.toLowerCase()} at its flash-sale price.`,
      // Prices between $5.00 and $250.00, ending in 99 cents like every shop's.
      priceCents: (5 + Math.floor(random() * 245)) * 100 + 99,
      currency: 'USD',
      category: CATEGORIES[index % CATEGORIES.length],
    });
  }
  const byId = new Map(products.map((product) => [product.id, product]));
  return { products, find: (id) => byId.get(id) };
}
