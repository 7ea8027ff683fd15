/**
 * The Redis shop store across a cache failover: a command the demoted node refused (READONLY), or
 * that the connection refused while reconnecting to the new primary, was applied nowhere, so it is
 * run once more on the new connection instead of failing the checkout. Without this, the few
 * checkouts in flight at the failover fail together, open the inventory breaker, and the gate's
 * breaker follows: seconds of refused checkouts for a swap that takes milliseconds.
 */
import type Redis from 'ioredis';
import { retryAcrossFailover } from '../guard/redis/redis-reconnect';
import type { ShopStore } from './shop-store';

export class FailoverRetryingShopStore implements ShopStore {
  readonly kind: ShopStore['kind'];

  constructor(
    private readonly store: ShopStore,
    private readonly redis: Redis,
  ) {
    this.kind = store.kind;
  }

  seedStock: ShopStore['seedStock'] = (productIds, units) => this.retry(() => this.store.seedStock(productIds, units));
  seedCatalog: ShopStore['seedCatalog'] = (productIds, units, options) =>
    this.retry(() => this.store.seedCatalog(productIds, units, options));
  resetStock: ShopStore['resetStock'] = (productIds, units) =>
    this.retry(() => this.store.resetStock(productIds, units));
  stockOf: ShopStore['stockOf'] = (productId) => this.retry(() => this.store.stockOf(productId));
  reserve: ShopStore['reserve'] = (request) => this.retry(() => this.store.reserve(request));
  confirm: ShopStore['confirm'] = (receipt, key) => this.retry(() => this.store.confirm(receipt, key));
  release: ShopStore['release'] = (order, key) => this.retry(() => this.store.release(order, key));
  releaseExpiredReservations: ShopStore['releaseExpiredReservations'] = (reservedAtOrBefore, limit) =>
    this.retry(() => this.store.releaseExpiredReservations(reservedAtOrBefore, limit));
  order: ShopStore['order'] = (orderId) => this.retry(() => this.store.order(orderId));
  addToCart: ShopStore['addToCart'] = (userId, productId, quantity) =>
    this.retry(() => this.store.addToCart(userId, productId, quantity));
  cart: ShopStore['cart'] = (userId) => this.retry(() => this.store.cart(userId));
  stats: ShopStore['stats'] = (productIds) => this.retry(() => this.store.stats(productIds));

  close(): Promise<void> {
    return this.store.close();
  }

  private retry<T>(call: () => Promise<T>): Promise<T> {
    return retryAcrossFailover(this.redis, call);
  }
}
