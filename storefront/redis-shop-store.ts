/**
 * The shop's state in Redis, shared by every storefront task. Checkout-path keys share one hash
 * tag (`{prefix}`), so each Lua script's keys live in one slot (cluster-mode and serverless
 * ElastiCache). Carts are tagged per user instead: they are single-key and spread across shards.
 * After a reserve or a confirm that wrote, it waits for one replica's acknowledgement when the
 * server has replicas (replica-wait.ts). Its catalog is seeded only on request (seedCatalog).
 */
import type Redis from 'ioredis';
import { InvalidOptionsError } from '../guard/errors';
import { SEED_CATALOG_SCRIPT } from './catalog-scripts';
import { CONFIRM_SCRIPT, RELEASE_SCRIPT, RESERVE_SCRIPT } from './inventory-scripts';
import type { ReplicaWait } from './replica-wait';
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
  type OrderStatus,
  type ReleasedReservation,
  type ReserveRequest,
  type ReserveResult,
  type SeedCatalogOptions,
  type SeedCatalogOutcome,
  type ShopStats,
  type ShopStore,
} from './shop-store';

export interface RedisShopStoreOptions {
  redis: Redis;
  /** Prefix of every key, so several shops (or test runs) share one Redis. No braces. @default 'saleday:shop' */
  keyPrefix?: string;
  /** Whether `close()` also closes the connection. @default true */
  ownsConnection?: boolean;
  /** Waits for a replica's acknowledgement after the reserve and confirm writes. @default none */
  replicaWait?: ReplicaWait;
}

export const DEFAULT_KEY_PREFIX = 'saleday:shop';
const KEY_PREFIX_PATTERN = /^[A-Za-z0-9:._-]{1,100}$/;

type ScriptReply = [kind: string, detail: string];
type SeedReply = [kind: string, orders: number, unitsSold: number, cancelled: number, reserved: number];

interface ShopScripts {
  saledayShopReserve(...args: (string | number)[]): Promise<ScriptReply>;
  saledayShopConfirm(...args: (string | number)[]): Promise<string>;
  saledayShopRelease(...args: (string | number)[]): Promise<number>;
  saledayShopSeedCatalog(...args: (string | number)[]): Promise<SeedReply>;
}

export class RedisShopStore implements ShopStore {
  readonly kind = 'redis' as const;
  private readonly redis: Redis & ShopScripts;
  private readonly tag: string;
  private readonly keyPrefix: string;
  private readonly ownsConnection: boolean;
  private readonly replicaWait: ReplicaWait | undefined;

  constructor(options: RedisShopStoreOptions) {
    const keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
    if (!KEY_PREFIX_PATTERN.test(keyPrefix)) {
      throw new InvalidOptionsError(
        'keyPrefix',
        keyPrefix,
        `1-100 characters matching ${KEY_PREFIX_PATTERN} (no braces: the store adds the hash tag)`,
      );
    }
    this.keyPrefix = keyPrefix;
    this.tag = `{${keyPrefix}}`;
    this.ownsConnection = options.ownsConnection ?? true;
    this.replicaWait = options.replicaWait;
    const redis = options.redis;
    // defineCommand sends EVALSHA and falls back to EVAL after NOSCRIPT (a restarted Redis forgets scripts).
    redis.defineCommand('saledayShopReserve', { numberOfKeys: 6, lua: RESERVE_SCRIPT });
    redis.defineCommand('saledayShopConfirm', { numberOfKeys: 3, lua: CONFIRM_SCRIPT });
    redis.defineCommand('saledayShopRelease', { numberOfKeys: 7, lua: RELEASE_SCRIPT });
    redis.defineCommand('saledayShopSeedCatalog', { lua: SEED_CATALOG_SCRIPT });
    this.redis = redis as Redis & ShopScripts;
  }

  async seedStock(productIds: readonly string[], units: number): Promise<void> {
    const multi = this.redis.multi();
    for (const id of productIds) {
      multi.set(this.stockKey(id), units, 'NX');
      multi.hsetnx(this.key('initial'), id, units);
    }
    multi.set(this.key('catalog'), catalogRecord(productIds.length, units), 'NX');
    await execOrThrow(multi.exec());
  }

  async seedCatalog(
    productIds: readonly string[],
    units: number,
    options: SeedCatalogOptions = {},
  ): Promise<SeedCatalogOutcome> {
    const keys = [
      this.key('catalog'),
      this.key('initial'),
      this.key('sold'),
      this.key('orders'),
      this.key('cancelled'),
      this.key('reserved'),
      ...productIds.map((id) => this.stockKey(id)),
    ];
    const [kind, orders, unitsSold, cancelledOrders, reserved] = await this.redis.saledayShopSeedCatalog(
      keys.length,
      ...keys,
      units,
      options.force === true ? '1' : '0',
      catalogRecord(productIds.length, units),
      ...productIds,
    );
    switch (kind) {
      case 'seeded':
        return { kind, products: productIds.length, units };
      case 'catalog-exists':
        return { kind };
      case 'has-sales':
        return { kind, orders, unitsSold, cancelledOrders, reserved };
      default:
        throw new Error(`seed script answered an unknown outcome ${JSON.stringify(kind)}`);
    }
  }

  async resetStock(productIds: readonly string[], units: number): Promise<void> {
    // Orders and idempotency records have unpredictable names: find them by pattern. Only for tests and rehearsals.
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${escapeGlob(this.tag)}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await this.redis.unlink(...keys);
    } while (cursor !== '0');
    const multi = this.redis.multi();
    for (const id of productIds) {
      multi.set(this.stockKey(id), units);
      multi.hset(this.key('initial'), id, units);
    }
    multi.set(this.key('catalog'), catalogRecord(productIds.length, units));
    await execOrThrow(multi.exec());
  }

  async stockOf(productId: string): Promise<number | undefined> {
    const value = await this.redis.get(this.stockKey(productId));
    return value === null ? undefined : Number(value);
  }

  async reserve(request: ReserveRequest): Promise<ReserveResult> {
    const hasKey = request.idempotencyKey !== undefined;
    const [kind, detail] = await this.redis.saledayShopReserve(
      this.stockKey(request.productId),
      this.key('sold'),
      this.orderKey(request.orderId),
      this.key('orders'),
      this.idempotencyKey(request.idempotencyKey),
      this.key('reserved'),
      request.productId,
      request.quantity,
      request.userId,
      request.fingerprint,
      Math.floor(request.now),
      request.orderId,
      hasKey ? '1' : '0',
      PENDING_IDEMPOTENCY_TTL_SECONDS,
      request.idempotencyKey ?? '',
    );
    if (kind === 'reserved') await this.replicaWait?.afterWrite();
    switch (kind) {
      case 'reserved':
        return {
          kind,
          remainingStock: Number(detail),
          order: {
            orderId: request.orderId,
            productId: request.productId,
            quantity: request.quantity,
            userId: request.userId,
            status: 'reserved',
            createdAt: Math.floor(request.now),
          },
        };
      case 'sold-out':
        return { kind, remainingStock: Number(detail) };
      case 'not-stocked':
        return { kind };
      case 'replay':
        return { kind, receipt: JSON.parse(detail) as CheckoutReceipt };
      case 'in-progress':
      case 'key-reused':
        return { kind, orderId: detail };
      default:
        throw new Error(`reserve script answered an unknown outcome ${JSON.stringify(kind)}`);
    }
  }

  async confirm(receipt: CheckoutReceipt, idempotencyKey?: string): Promise<ConfirmResult> {
    const outcome = await this.redis.saledayShopConfirm(
      this.orderKey(receipt.orderId),
      this.idempotencyKey(idempotencyKey),
      this.key('reserved'),
      receipt.orderId,
      JSON.stringify(receipt),
      idempotencyKey === undefined ? '0' : '1',
      IDEMPOTENCY_TTL_SECONDS,
    );
    if (outcome === 'confirmed') await this.replicaWait?.afterWrite();
    switch (outcome) {
      case 'confirmed':
      case 'already-paid':
        return { kind: outcome };
      case 'cancelled':
      case 'missing':
        return { kind: 'not-reserved', status: outcome };
      default:
        throw new Error(`confirm script answered an unknown outcome ${JSON.stringify(outcome)}`);
    }
  }

  async release(order: OrderRef, idempotencyKey?: string): Promise<boolean> {
    return this.runRelease(order, idempotencyKey, '');
  }

  async releaseExpiredReservations(reservedAtOrBefore: number, limit: number): Promise<ExpiredReservationsBatch> {
    // The index, not SCAN: only orders still reserved are in it, oldest first.
    const orderIds = await this.redis.zrangebyscore(
      this.key('reserved'),
      '-inf',
      reservedAtOrBefore,
      'LIMIT',
      0,
      limit,
    );
    if (orderIds.length === 0) return { released: [], more: false };
    // The script needs every key it touches up front (stock and idempotency record): read them from the orders.
    const pipeline = this.redis.pipeline();
    for (const orderId of orderIds)
      pipeline.hmget(this.orderKey(orderId), 'productId', 'quantity', 'createdAt', 'idempotencyKey');
    const orders = (await execOrThrow(pipeline.exec())) as (string | null)[][];
    // Sent together (ioredis writes each command at once), each one atomic on its own. A concurrent
    // sweeper may run the same orders: the script's status check lets exactly one release each.
    const outcomes = await Promise.all(
      orderIds.map(async (orderId, index): Promise<ReleasedReservation | undefined> => {
        const [productId, quantity, createdAt, idempotencyKey] = orders[index];
        // An index entry without its order (deleted by hand): the script only drops the entry.
        const ref = { orderId, productId: productId ?? '-' };
        const released = await this.runRelease(ref, idempotencyKey ?? undefined, String(reservedAtOrBefore));
        return released ? { ...ref, quantity: Number(quantity), createdAt: Number(createdAt) } : undefined;
      }),
    );
    return { released: outcomes.filter((outcome) => outcome !== undefined), more: orderIds.length === limit };
  }

  async order(orderId: string): Promise<OrderRecord | undefined> {
    const fields = await this.redis.hgetall(this.orderKey(orderId));
    if (!fields.productId) return undefined;
    return {
      orderId,
      productId: fields.productId,
      quantity: Number(fields.quantity),
      userId: fields.userId,
      status: fields.status as OrderStatus,
      createdAt: Number(fields.createdAt),
    };
  }

  async addToCart(userId: string, productId: string, quantity: number): Promise<CartItem[]> {
    const key = this.cartKey(userId);
    const replies = await execOrThrow(
      this.redis.multi().hincrby(key, productId, quantity).expire(key, CART_TTL_SECONDS).hgetall(key).exec(),
    );
    return cartItems(replies[2] as Record<string, string>);
  }

  async cart(userId: string): Promise<CartItem[]> {
    return cartItems(await this.redis.hgetall(this.cartKey(userId)));
  }

  async stats(productIds: readonly string[]): Promise<ShopStats> {
    const replies = await execOrThrow(
      this.redis
        .multi()
        .get(this.key('orders'))
        .get(this.key('cancelled'))
        .hgetall(this.key('sold'))
        .hgetall(this.key('initial'))
        .mget(productIds.length > 0 ? productIds.map((id) => this.stockKey(id)) : [this.stockKey('-')])
        .exists(this.key('catalog'))
        .exec(),
    );
    const [orders, cancelled, sold, initial, stocks, catalog] = replies as [
      string | null,
      string | null,
      Record<string, string>,
      Record<string, string>,
      (string | null)[],
      number,
    ];
    const stockById = new Map(productIds.map((id, index) => [id, stocks[index]]));
    return summarizeStats(productIds, {
      orders: Number(orders ?? 0),
      cancelledOrders: Number(cancelled ?? 0),
      sold: (id) => Number(sold[id] ?? 0),
      stock: (id) => optionalNumber(stockById.get(id)),
      initial: (id) => optionalNumber(initial[id]),
      catalogPresent: catalog === 1,
    });
  }

  async close(): Promise<void> {
    if (!this.ownsConnection) return;
    // quit() waits for a reply that never comes from a dead Redis; disconnect() does not.
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => this.redis.disconnect());
    else this.redis.disconnect();
  }

  /** Where this store's keys live, for tools that inspect them. */
  get prefix(): string {
    return this.keyPrefix;
  }

  /** RELEASE_SCRIPT for checkout (no cut-off) and for the reaper (with one). */
  private async runRelease(
    order: OrderRef,
    idempotencyKey: string | undefined,
    reservedAtOrBefore: string,
  ): Promise<boolean> {
    const released = await this.redis.saledayShopRelease(
      this.orderKey(order.orderId),
      this.stockKey(order.productId),
      this.key('sold'),
      this.key('orders'),
      this.key('cancelled'),
      this.idempotencyKey(idempotencyKey),
      this.key('reserved'),
      order.orderId,
      order.productId,
      idempotencyKey === undefined ? '0' : '1',
      reservedAtOrBefore,
    );
    return released === 1;
  }

  private key(name: string): string {
    return `${this.tag}:${name}`;
  }

  private stockKey(productId: string): string {
    return `${this.tag}:stock:${productId}`;
  }

  private orderKey(orderId: string): string {
    return `${this.tag}:order:${orderId}`;
  }

  private idempotencyKey(key: string | undefined): string {
    // A script always declares the key; without an Idempotency-Key it is never read or written.
    return `${this.tag}:idem:${key ?? '-'}`;
  }

  private cartKey(userId: string): string {
    return `${this.keyPrefix}:cart:{${userId}}`;
  }
}

async function execOrThrow(pending: Promise<[error: Error | null, result: unknown][] | null>): Promise<unknown[]> {
  const replies = await pending;
  if (replies === null) throw new Error('Redis MULTI was aborted');
  return replies.map(([error, result]) => {
    if (error) throw error;
    return result;
  });
}

/** What the catalog marker holds: enough for an operator reading Redis to see what was seeded. */
function catalogRecord(products: number, units: number): string {
  return JSON.stringify({ products, units, seededAt: new Date().toISOString() });
}

function optionalNumber(value: string | null | undefined): number | undefined {
  return value === null || value === undefined ? undefined : Number(value);
}

function cartItems(fields: Record<string, string>): CartItem[] {
  return Object.entries(fields)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([productId, quantity]) => ({ productId, quantity: Number(quantity) }));
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (character) => `\\${character}`);
}
