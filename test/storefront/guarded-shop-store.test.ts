/**
 * The inventory breaker around the store, on a fake clock. The store here is a real MemoryShopStore
 * whose methods can be made to fail, standing in for a Redis that refuses connections.
 */
import { createCircuitBreaker } from '../../guard/breaker';
import { GuardedShopStore } from '../../storefront/guarded-shop-store';
import { MemoryShopStore } from '../../storefront/memory-shop-store';
import { isInventoryUnavailableError } from '../../storefront/storefront-errors';
import { FakeClock } from '../support/fake-clock';

class FlakyStore extends MemoryShopStore {
  failing = false;
  calls = 0;
  override async stockOf(productId: string): Promise<number | undefined> {
    this.calls += 1;
    if (this.failing) throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
    return super.stockOf(productId);
  }
}

function setup() {
  const clock = new FakeClock();
  const inner = new FlakyStore({ clock });
  const breaker = createCircuitBreaker({ name: 'inventory', clock, consecutiveFailures: 2, openMs: 2000 });
  return { clock, inner, breaker, store: new GuardedShopStore(inner, breaker, clock) };
}

describe('guarded shop store', () => {
  it('passes calls and logical outcomes through while the store works', async () => {
    const { store, inner, breaker } = setup();
    await store.seedStock(['sku-001'], 1);
    expect(await store.stockOf('sku-001')).toBe(1);
    expect(await store.stockOf('sku-404')).toBeUndefined();
    expect(inner.calls).toBe(2);
    expect(breaker.state()).toBe('closed');
    expect(store.kind).toBe('memory');
  });

  it('turns store failures into InventoryUnavailableError, opens, and then short-circuits without calling the store', async () => {
    const { store, inner, breaker } = setup();
    inner.failing = true;
    for (let i = 0; i < 2; i += 1) {
      const error = await store.stockOf('sku-001').catch((caught: unknown) => caught);
      expect(isInventoryUnavailableError(error)).toBe(true);
      expect((error as Error).cause).toBeInstanceOf(Error);
    }
    expect(breaker.state()).toBe('open');
    const shortCircuited = await store.stockOf('sku-001').catch((caught: unknown) => caught);
    expect(isInventoryUnavailableError(shortCircuited)).toBe(true);
    expect(inner.calls).toBe(2);
  });

  it('reports a Retry-After of at least one second, and the open period when longer', async () => {
    const { store, inner, clock } = setup();
    inner.failing = true;
    await store.stockOf('sku-001').catch(() => undefined);
    await store.stockOf('sku-001').catch(() => undefined);
    const error = await store.stockOf('sku-001').catch((caught: unknown) => caught);
    expect((error as { retryAfterMs: number }).retryAfterMs).toBe(2000);
    clock.advance(1500);
    const later = await store.stockOf('sku-001').catch((caught: unknown) => caught);
    expect((later as { retryAfterMs: number }).retryAfterMs).toBe(1000);
  });

  it('lets a probe through after the open period and closes when the store is back', async () => {
    const { store, inner, breaker, clock } = setup();
    await store.seedStock(['sku-001'], 4);
    inner.failing = true;
    await store.stockOf('sku-001').catch(() => undefined);
    await store.stockOf('sku-001').catch(() => undefined);
    inner.failing = false;
    clock.advance(2000);
    expect(await store.stockOf('sku-001')).toBe(4);
    expect(breaker.state()).toBe('closed');
  });
});
