import { createCatalog, PRODUCT_ID_PATTERN, productId } from '../../storefront/catalog';

describe('seeded catalog', () => {
  it('is identical on every call (every task agrees on ids, names and prices)', () => {
    expect(createCatalog().products).toEqual(createCatalog().products);
  });

  it('has 50 products by default with well-formed, unique ids and positive prices', () => {
    const { products } = createCatalog();
    expect(products).toHaveLength(50);
    expect(new Set(products.map((product) => product.id)).size).toBe(50);
    expect(products.every((product) => PRODUCT_ID_PATTERN.test(product.id) && product.priceCents > 0)).toBe(true);
    expect(new Set(products.map((product) => product.name)).size).toBe(50);
  });

  it('finds products by id', () => {
    const catalog = createCatalog(12);
    expect(catalog.find('sku-012')?.id).toBe('sku-012');
    expect(catalog.find('sku-013')).toBeUndefined();
  });

  it.each([
    [0, 50, 'sku-001'],
    [49, 50, 'sku-050'],
    [1233, 5000, 'sku-1234'],
  ])('names product #%i of %i %s', (index, size, id) => {
    expect(productId(index, size)).toBe(id);
  });

  it.each([0, -1, 1.5, 2_000_000])('rejects catalogSize %p, naming the option', (size) => {
    expect(() => createCatalog(size)).toThrow(/catalogSize/);
  });
});
