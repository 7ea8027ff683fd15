/**
 * The inventory circuit breaker: every store call goes through it. When Redis fails (connection
 * refused, command timeout) the breaker opens and calls fail at once with
 * InventoryUnavailableError (503 + Retry-After) instead of each request waiting on a dead Redis.
 * Logical outcomes (sold out, idempotency conflicts, a confirm that found its reservation released)
 * are successes: the store answered.
 */
import type { CircuitBreaker } from '../guard/breaker';
import type { Clock } from '../guard/clock';
import type { ShopStore } from './shop-store';
import { InventoryUnavailableError } from './storefront-errors';

const MIN_RETRY_AFTER_MS = 1000;

export class GuardedShopStore implements ShopStore {
  readonly kind: ShopStore['kind'];

  constructor(
    private readonly store: ShopStore,
    readonly breaker: CircuitBreaker,
    private readonly clock: Clock,
  ) {
    this.kind = store.kind;
  }

  seedStock: ShopStore['seedStock'] = (productIds, units) => this.guard(() => this.store.seedStock(productIds, units));
  seedCatalog: ShopStore['seedCatalog'] = (productIds, units, options) =>
    this.guard(() => this.store.seedCatalog(productIds, units, options));
  resetStock: ShopStore['resetStock'] = (productIds, units) =>
    this.guard(() => this.store.resetStock(productIds, units));
  stockOf: ShopStore['stockOf'] = (productId) => this.guard(() => this.store.stockOf(productId));
  reserve: ShopStore['reserve'] = (request) => this.guard(() => this.store.reserve(request));
  confirm: ShopStore['confirm'] = (receipt, key) => this.guard(() => this.store.confirm(receipt, key));
  release: ShopStore['release'] = (order, key) => this.guard(() => this.store.release(order, key));
  releaseExpiredReservations: ShopStore['releaseExpiredReservations'] = (reservedAtOrBefore, limit) =>
    this.guard(() => this.store.releaseExpiredReservations(reservedAtOrBefore, limit));
  order: ShopStore['order'] = (orderId) => this.guard(() => this.store.order(orderId));
  addToCart: ShopStore['addToCart'] = (userId, productId, quantity) =>
    this.guard(() => this.store.addToCart(userId, productId, quantity));
  cart: ShopStore['cart'] = (userId) => this.guard(() => this.store.cart(userId));
  stats: ShopStore['stats'] = (productIds) => this.guard(() => this.store.stats(productIds));

  async close(): Promise<void> {
    this.breaker.close();
    await this.store.close();
  }

  private async guard<T>(call: () => Promise<T>): Promise<T> {
    const ticket = this.breaker.tryPass();
    if (!ticket) throw new InventoryUnavailableError(Math.max(MIN_RETRY_AFTER_MS, this.breaker.retryAfterMs()));
    const startedAt = this.clock.now();
    let result: T;
    try {
      result = await call();
    } catch (error) {
      ticket.failure();
      throw new InventoryUnavailableError(Math.max(MIN_RETRY_AFTER_MS, this.breaker.retryAfterMs()), error);
    }
    ticket.success(this.clock.now() - startedAt);
    return result;
  }
}
