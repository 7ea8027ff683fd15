/**
 * The embedded store: the same semantics as the Redis store, for one process without Redis. Every
 * method body runs synchronously between awaits, so each is as atomic as a Lua script.
 */
import { wallClock, type Clock } from '../guard/clock';
import {
  CART_TTL_SECONDS,
  IDEMPOTENCY_TTL_SECONDS,
  PENDING_IDEMPOTENCY_TTL_SECONDS,
  summarizeStats,
  type CartItem,
  type CheckoutReceipt,
  type ConfirmResult,
  type ExpiredReservationsBatch,
  type OrderRecord,
  type OrderRef,
  type ReleasedReservation,
  type ReserveRequest,
  type ReserveResult,
  type SeedCatalogOptions,
  type SeedCatalogOutcome,
  type ShopStats,
  type ShopStore,
} from './shop-store';

interface IdempotencyRecord {
  fingerprint: string;
  orderId: string;
  receipt?: CheckoutReceipt;
  expiresAt: number;
}

interface Cart {
  lines: Map<string, number>;
  expiresAt: number;
}

export interface MemoryShopStoreOptions {
  /** Expires idempotency records and carts, in wall time as Redis does. @default wallClock */
  clock?: Clock;
}

export class MemoryShopStore implements ShopStore {
  readonly kind = 'memory' as const;
  private readonly clock: Clock;
  private readonly stock = new Map<string, number>();
  private readonly initial = new Map<string, number>();
  private readonly sold = new Map<string, number>();
  private readonly orders = new Map<string, OrderRecord>();
  /** Orders still reserved → the idempotency key they hold (like the Redis index): the reaper never walks every order. */
  private readonly reserved = new Map<string, string | undefined>();
  private readonly idempotency = new Map<string, IdempotencyRecord>();
  private readonly carts = new Map<string, Cart>();
  private activeOrders = 0;
  private cancelledOrders = 0;

  constructor(options: MemoryShopStoreOptions = {}) {
    this.clock = options.clock ?? wallClock;
  }

  async seedStock(productIds: readonly string[], units: number): Promise<void> {
    for (const id of productIds) {
      if (this.stock.has(id)) continue;
      this.stock.set(id, units);
      this.initial.set(id, units);
    }
  }

  async seedCatalog(
    productIds: readonly string[],
    units: number,
    options: SeedCatalogOptions = {},
  ): Promise<SeedCatalogOutcome> {
    const unitsSold = [...this.sold.values()].reduce((sum, sold) => sum + sold, 0);
    if (this.activeOrders > 0 || this.cancelledOrders > 0 || this.sold.size > 0 || this.reserved.size > 0) {
      return {
        kind: 'has-sales',
        orders: this.activeOrders,
        unitsSold,
        cancelledOrders: this.cancelledOrders,
        reserved: this.reserved.size,
      };
    }
    if (this.stock.size > 0 && options.force !== true) return { kind: 'catalog-exists' };
    this.stock.clear();
    this.initial.clear();
    for (const id of productIds) {
      this.stock.set(id, units);
      this.initial.set(id, units);
    }
    return { kind: 'seeded', products: productIds.length, units };
  }

  async resetStock(productIds: readonly string[], units: number): Promise<void> {
    this.stock.clear();
    this.initial.clear();
    this.sold.clear();
    this.orders.clear();
    this.reserved.clear();
    this.idempotency.clear();
    this.activeOrders = 0;
    this.cancelledOrders = 0;
    for (const id of productIds) {
      this.stock.set(id, units);
      this.initial.set(id, units);
    }
  }

  async stockOf(productId: string): Promise<number | undefined> {
    return this.stock.get(productId);
  }

  async reserve(request: ReserveRequest): Promise<ReserveResult> {
    if (request.idempotencyKey !== undefined) {
      const record = this.liveIdempotencyRecord(request.idempotencyKey);
      if (record) {
        if (record.fingerprint !== request.fingerprint) return { kind: 'key-reused', orderId: record.orderId };
        if (record.receipt) return { kind: 'replay', receipt: record.receipt };
        return { kind: 'in-progress', orderId: record.orderId };
      }
    }
    const available = this.stock.get(request.productId);
    if (available === undefined) return { kind: 'not-stocked' };
    if (available < request.quantity) return { kind: 'sold-out', remainingStock: available };
    const remainingStock = available - request.quantity;
    this.stock.set(request.productId, remainingStock);
    this.sold.set(request.productId, (this.sold.get(request.productId) ?? 0) + request.quantity);
    const order: OrderRecord = {
      orderId: request.orderId,
      productId: request.productId,
      quantity: request.quantity,
      userId: request.userId,
      status: 'reserved',
      createdAt: request.now,
    };
    this.orders.set(order.orderId, order);
    this.reserved.set(order.orderId, request.idempotencyKey);
    this.activeOrders += 1;
    if (request.idempotencyKey !== undefined) {
      this.idempotency.set(request.idempotencyKey, {
        fingerprint: request.fingerprint,
        orderId: order.orderId,
        expiresAt: this.clock.now() + PENDING_IDEMPOTENCY_TTL_SECONDS * 1000,
      });
    }
    return { kind: 'reserved', order: { ...order }, remainingStock };
  }

  async confirm(receipt: CheckoutReceipt, idempotencyKey?: string): Promise<ConfirmResult> {
    const orderId = receipt.orderId;
    const order = this.orders.get(orderId);
    this.reserved.delete(orderId);
    if (order?.status === 'paid') return { kind: 'already-paid' };
    const record = idempotencyKey === undefined ? undefined : this.liveIdempotencyRecord(idempotencyKey);
    const ownedRecord = record?.orderId === orderId ? record : undefined;
    if (order?.status !== 'reserved') {
      // Released (by the reaper) while the payment ran: its units may be sold again, so it stays unpaid.
      if (ownedRecord && idempotencyKey !== undefined) this.idempotency.delete(idempotencyKey);
      return { kind: 'not-reserved', status: order ? 'cancelled' : 'missing' };
    }
    order.status = 'paid';
    if (ownedRecord) {
      ownedRecord.receipt = receipt;
      ownedRecord.expiresAt = this.clock.now() + IDEMPOTENCY_TTL_SECONDS * 1000;
    }
    return { kind: 'confirmed' };
  }

  async release(ref: OrderRef, idempotencyKey?: string): Promise<boolean> {
    return this.releaseNow(ref, idempotencyKey);
  }

  async releaseExpiredReservations(reservedAtOrBefore: number, limit: number): Promise<ExpiredReservationsBatch> {
    const expired: ReleasedReservation[] = [];
    for (const orderId of this.reserved.keys()) {
      if (expired.length === limit) break;
      const order = this.orders.get(orderId);
      if (order && order.createdAt <= reservedAtOrBefore) {
        expired.push({ orderId, productId: order.productId, quantity: order.quantity, createdAt: order.createdAt });
      }
    }
    // No await between finding and releasing: the batch is as atomic as the Redis scripts, per order and more.
    for (const order of expired) this.releaseNow(order, this.reserved.get(order.orderId));
    return { released: expired, more: expired.length === limit };
  }

  async order(orderId: string): Promise<OrderRecord | undefined> {
    const order = this.orders.get(orderId);
    return order ? { ...order } : undefined;
  }

  async addToCart(userId: string, productId: string, quantity: number): Promise<CartItem[]> {
    const now = this.clock.now();
    let cart = this.carts.get(userId);
    if (!cart || cart.expiresAt <= now) {
      cart = { lines: new Map(), expiresAt: 0 };
      this.carts.set(userId, cart);
    }
    cart.lines.set(productId, (cart.lines.get(productId) ?? 0) + quantity);
    // Like EXPIRE on every write: a cart lives a day after its last change.
    cart.expiresAt = now + CART_TTL_SECONDS * 1000;
    return cartItems(cart.lines);
  }

  async cart(userId: string): Promise<CartItem[]> {
    const cart = this.carts.get(userId);
    if (!cart) return [];
    if (cart.expiresAt <= this.clock.now()) {
      this.carts.delete(userId);
      return [];
    }
    return cartItems(cart.lines);
  }

  async stats(productIds: readonly string[]): Promise<ShopStats> {
    return summarizeStats(productIds, {
      orders: this.activeOrders,
      cancelledOrders: this.cancelledOrders,
      sold: (id) => this.sold.get(id) ?? 0,
      stock: (id) => this.stock.get(id),
      initial: (id) => this.initial.get(id),
      catalogPresent: this.stock.size > 0,
    });
  }

  async close(): Promise<void> {
    this.carts.clear();
  }

  /** RELEASE's semantics, synchronously: checkout's release and the reaper share it. */
  private releaseNow(ref: OrderRef, idempotencyKey: string | undefined): boolean {
    const orderId = ref.orderId;
    const order = this.orders.get(orderId);
    if (order?.status !== 'reserved' || order.productId !== ref.productId) return false;
    order.status = 'cancelled';
    this.reserved.delete(orderId);
    this.stock.set(order.productId, (this.stock.get(order.productId) ?? 0) + order.quantity);
    this.sold.set(order.productId, (this.sold.get(order.productId) ?? 0) - order.quantity);
    this.activeOrders -= 1;
    this.cancelledOrders += 1;
    if (idempotencyKey !== undefined && this.idempotency.get(idempotencyKey)?.orderId === orderId) {
      this.idempotency.delete(idempotencyKey);
    }
    return true;
  }

  private liveIdempotencyRecord(key: string): IdempotencyRecord | undefined {
    const record = this.idempotency.get(key);
    if (record && record.expiresAt <= this.clock.now()) {
      this.idempotency.delete(key);
      return undefined;
    }
    return record;
  }
}

function cartItems(lines: Map<string, number>): CartItem[] {
  return [...lines.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([productId, quantity]) => ({ productId, quantity }));
}
