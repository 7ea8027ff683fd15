/**
 * Where the shop keeps its mutable state: stock, orders, idempotency records and carts. Two
 * implementations with the same semantics: Redis (shared by every storefront task) and memory
 * (one process, for running without Redis). Every operation that must be atomic is one call here,
 * so neither implementation can interleave a reservation with another.
 *
 * Logical outcomes (sold out, idempotency conflict) are return values; a thrown error always means
 * the store itself failed, which is what the inventory circuit breaker counts.
 */

export interface ReserveRequest {
  orderId: string;
  productId: string;
  quantity: number;
  userId: string;
  /** The client's Idempotency-Key, already scoped to the user by the caller; absent when none was sent. */
  idempotencyKey?: string;
  /** A digest of the request body: the same key with a different body is a client error. */
  fingerprint: string;
  /** Wall time in milliseconds since the epoch, recorded on the order: every task's reaper compares it. */
  now: number;
}

export interface OrderRecord {
  orderId: string;
  productId: string;
  quantity: number;
  userId: string;
  status: OrderStatus;
  createdAt: number;
}

/** Enough to find an order and the stock it holds. */
export type OrderRef = Pick<OrderRecord, 'orderId' | 'productId'>;

export type OrderStatus = 'reserved' | 'paid' | 'cancelled';

/** What checkout answers once payment went through; replayed verbatim for a repeated Idempotency-Key. */
export interface CheckoutReceipt {
  orderId: string;
  productId: string;
  quantity: number;
  remainingStock: number;
  status: 'paid';
}

export type ReserveResult =
  /** Stock taken and the order recorded with status `reserved`. */
  | { kind: 'reserved'; order: OrderRecord; remainingStock: number }
  /** Not enough units left; nothing changed. */
  | { kind: 'sold-out'; remainingStock: number }
  /** The product has no stock record (never seeded, or the store lost its data). */
  | { kind: 'not-stocked' }
  /** The Idempotency-Key already produced this receipt: answer it again, create nothing. */
  | { kind: 'replay'; receipt: CheckoutReceipt }
  /** The Idempotency-Key belongs to a checkout still in progress (its payment has not finished). */
  | { kind: 'in-progress'; orderId: string }
  /** The Idempotency-Key was used with a different body. */
  | { kind: 'key-reused'; orderId: string };

export type ConfirmResult =
  /** The order was reserved: it is paid now and its receipt is stored for replays. */
  | { kind: 'confirmed' }
  /** The order was already paid (a repeated confirm): nothing changed. */
  | { kind: 'already-paid' }
  /**
   * The order is no longer reserved: the reaper (or a release) cancelled it and its units may be
   * sold again, or the store lost it. Nothing was paid or stored and its idempotency key is free;
   * the caller must undo the charge.
   */
  | { kind: 'not-reserved'; status: 'cancelled' | 'missing' };

/** A stranded reservation the reaper gave back. */
export type ReleasedReservation = Pick<OrderRecord, 'orderId' | 'productId' | 'quantity' | 'createdAt'>;

export interface ExpiredReservationsBatch {
  /** The orders this call released (each one is released by exactly one call, whichever store instance made it). */
  released: ReleasedReservation[];
  /** The batch was full: more expired reservations may be waiting. */
  more: boolean;
}

export interface CartItem {
  productId: string;
  quantity: number;
}

export interface ShopStats {
  /** Orders holding stock (reserved or paid); cancelled ones gave their units back. */
  orders: number;
  /** Orders cancelled because payment failed. */
  cancelledOrders: number;
  unitsSold: number;
  soldByProduct: Record<string, number>;
  stockByProduct: Record<string, number>;
  /** Units each product was seeded (or reset) with. */
  initialByProduct: Record<string, number>;
  /** True when, for some product, stock < 0 or sold + stock ≠ initial: the invariant a sale must never break. */
  oversold: boolean;
  /** Whether the catalog was seeded (or reset) in this store: false after a store lost its data. */
  catalogPresent: boolean;
}

/** What seeding the catalog did; it never overwrites a store that recorded a sale. */
export type SeedCatalogOutcome =
  /** Every product's stock was set and the catalog recorded. */
  | { kind: 'seeded'; products: number; units: number }
  /** A catalog (or some product's stock) exists and `force` was not given: nothing changed. */
  | { kind: 'catalog-exists' }
  /** Orders, units sold, cancellations or reservations are recorded: nothing changed, force or not. */
  | { kind: 'has-sales'; orders: number; unitsSold: number; cancelledOrders: number; reserved: number };

export interface SeedCatalogOptions {
  /** Overwrite an existing catalog that has no sales. @default false */
  force?: boolean;
}

export interface ShopStore {
  readonly kind: 'redis' | 'memory';
  /** Gives each product `units` of stock unless it already has a stock record (restarts never refill). */
  seedStock(productIds: readonly string[], units: number): Promise<void>;
  /**
   * Atomically: seeds every product with `units` and records the catalog, unless a catalog exists
   * (overwritten only with `force`) or any sale is recorded (never overwritten). An explicit operator
   * step (`saleday storefront seed`, or `--seed-if-empty` on a first start), never a reaction to a
   * store found empty: that store may have lost its sales with its stock.
   */
  seedCatalog(productIds: readonly string[], units: number, options?: SeedCatalogOptions): Promise<SeedCatalogOutcome>;
  /** Sets every product's stock to `units` and forgets orders, sales and idempotency records (tests, rehearsal). */
  resetStock(productIds: readonly string[], units: number): Promise<void>;
  /** Current stock, or undefined when the product has no stock record. */
  stockOf(productId: string): Promise<number | undefined>;
  /** Atomically: honour the idempotency key, take the stock (never below zero) and record the order. */
  reserve(request: ReserveRequest): Promise<ReserveResult>;
  /**
   * Atomically: marks the receipt's order paid and stores the receipt under its idempotency key (if
   * any), but only while the order is still reserved; otherwise stores nothing, frees the key it
   * held, and answers `not-reserved`.
   */
  confirm(receipt: CheckoutReceipt, idempotencyKey?: string): Promise<ConfirmResult>;
  /** Atomically gives a reserved order's units back, cancels it and frees its idempotency key; false when it was not reserved. */
  release(order: OrderRef, idempotencyKey?: string): Promise<boolean>;
  /**
   * Releases, like `release` (stock back, order cancelled, idempotency key freed), up to `limit`
   * orders still `reserved` whose createdAt is at or before `reservedAtOrBefore`: checkouts whose
   * process died between reserve and confirm/release. Each order atomically, never a paid one.
   */
  releaseExpiredReservations(reservedAtOrBefore: number, limit: number): Promise<ExpiredReservationsBatch>;
  order(orderId: string): Promise<OrderRecord | undefined>;
  /** Adds `quantity` to the user's cart line for the product and returns the whole cart. */
  addToCart(userId: string, productId: string, quantity: number): Promise<CartItem[]>;
  cart(userId: string): Promise<CartItem[]>;
  stats(productIds: readonly string[]): Promise<ShopStats>;
  close(): Promise<void>;
}

/** How long an idempotency record with its receipt, and a cart, live. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;
/**
 * How long a key stays "in progress" without a receipt: if the process dies mid-payment, the
 * client's retries get 409 checkout-in-progress for at most this long, then may try again.
 */
export const PENDING_IDEMPOTENCY_TTL_SECONDS = 60;
export const CART_TTL_SECONDS = 24 * 60 * 60;

/** The invariant check shared by both stores, computed from the raw numbers. */
export function summarizeStats(
  productIds: readonly string[],
  raw: {
    orders: number;
    cancelledOrders: number;
    sold: (productId: string) => number;
    stock: (productId: string) => number | undefined;
    initial: (productId: string) => number | undefined;
    catalogPresent: boolean;
  },
): ShopStats {
  const soldByProduct: Record<string, number> = {};
  const stockByProduct: Record<string, number> = {};
  const initialByProduct: Record<string, number> = {};
  let unitsSold = 0;
  let oversold = false;
  for (const id of productIds) {
    const sold = raw.sold(id);
    const stock = raw.stock(id);
    const initial = raw.initial(id);
    if (sold !== 0) soldByProduct[id] = sold;
    unitsSold += sold;
    if (stock !== undefined) stockByProduct[id] = stock;
    if (initial !== undefined) initialByProduct[id] = initial;
    if (stock !== undefined && (stock < 0 || (initial !== undefined && sold + stock !== initial))) oversold = true;
  }
  return {
    orders: raw.orders,
    cancelledOrders: raw.cancelledOrders,
    unitsSold,
    soldByProduct,
    stockByProduct,
    initialByProduct,
    oversold,
    catalogPresent: raw.catalogPresent,
  };
}
