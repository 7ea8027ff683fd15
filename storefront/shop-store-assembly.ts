/**
 * The store the shop runs on, assembled in its layers: Redis (retried across a failover, with a
 * replica wait after each checkout write) or the embedded memory store, then the inventory breaker,
 * then any test wrapper. And making it ready at start: waiting for Redis, seeding what must be.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { CircuitBreaker } from '../guard/breaker';
import type { Clock } from '../guard/clock';
import { createRedisConnection } from '../guard/redis/redis-connection';
import { FailoverRetryingShopStore } from './failover-retry-store';
import { GuardedShopStore } from './guarded-shop-store';
import { MemoryShopStore } from './memory-shop-store';
import { DEFAULT_KEY_PREFIX, RedisShopStore } from './redis-shop-store';
import { ReplicaWait, type ReplicaWaitOptions } from './replica-wait';
import type { ShopStore } from './shop-store';
import { seedIfEmptyOnce } from './startup-seeding';
import type { StorefrontOptions } from './storefront-options';

type RedisConnection = ReturnType<typeof createRedisConnection>;

export interface ShopStoreParts {
  /** Times store calls and replica waits. */
  clock: Clock;
  /** Expires the embedded store's carts and idempotency records, as Redis does. */
  wallClock: Clock;
  inventoryBreaker: CircuitBreaker;
  redisCommandTimeoutMs: number;
  replicaWaitMs: number;
  log: FastifyBaseLogger;
}

export interface AssembledShopStore {
  /** The store itself, outside the breaker: seeded at start. */
  raw: ShopStore;
  /** The store behind the inventory breaker (and `wrapStore`): what the routes and the reaper use. */
  store: ShopStore;
  /** The Redis connection, when the shop runs on Redis. */
  redis?: RedisConnection;
  replicaWait?: ReplicaWait;
}

export function assembleShopStore(options: StorefrontOptions, parts: ShopStoreParts): AssembledShopStore {
  const { clock } = parts;
  let assembled: Omit<AssembledShopStore, 'store'>;
  if (options.redisUrl) {
    const redis = createRedisConnection({
      url: options.redisUrl,
      authToken: options.redisAuthToken,
      connectionName: 'saleday-storefront',
      failFast: true,
      commandTimeoutMs: parts.redisCommandTimeoutMs,
      connectTimeoutMs: 1000,
      // A storefront stopping while Redis is down must not linger for ioredis' 2 s disconnect timer.
      disconnectTimeoutMs: 200,
      log: (message, fields) => parts.log.warn(fields, message),
    });
    const replicaWait = new ReplicaWait({
      redis,
      timeoutMs: parts.replicaWaitMs,
      clock,
      onProblem: (problem) => logReplicaWaitProblem(parts.log, problem),
    });
    const raw = new FailoverRetryingShopStore(
      new RedisShopStore({ redis, keyPrefix: options.keyPrefix ?? DEFAULT_KEY_PREFIX, replicaWait }),
      redis,
    );
    assembled = { raw, redis, replicaWait };
  } else {
    assembled = { raw: new MemoryShopStore({ clock: parts.wallClock }) };
  }
  const guarded = new GuardedShopStore(assembled.raw, parts.inventoryBreaker, clock);
  return { ...assembled, store: options.wrapStore ? options.wrapStore(guarded) : guarded };
}

type ReplicaWaitProblem = Parameters<NonNullable<ReplicaWaitOptions['onProblem']>>[0];

function logReplicaWaitProblem(log: FastifyBaseLogger, problem: ReplicaWaitProblem): void {
  if (problem.kind === 'timed-out') {
    log.warn(
      { replicaWait: problem.kind, timeoutMs: problem.timeoutMs },
      'no replica acknowledged a checkout write in time; the write stands on the primary',
    );
  } else {
    log.warn(
      { replicaWait: problem.kind, err: problem.error },
      'waiting for a replica (or reading the replica count) failed; the write stands on the primary',
    );
  }
}

/**
 * Makes the store ready to serve: a Redis store is waited for (briefly: the product list serves
 * without it) and seeded only when asked and found empty; the embedded store is always seeded.
 */
export async function prepareShopStore(
  assembled: AssembledShopStore,
  start: { options: StorefrontOptions; productIds: readonly string[]; stockPerProduct: number; log: FastifyBaseLogger },
): Promise<void> {
  const { redis, raw } = assembled;
  const { options, productIds, stockPerProduct, log } = start;
  if (redis) {
    const ready = await waitForReady(redis, options.redisStartupTimeoutMs ?? 2000);
    if (!ready)
      log.warn('Redis is not reachable yet: serving the product list from memory; checkout answers 503 until it is');
    if (options.seedIfEmpty)
      await seedIfEmptyOnce({ store: raw, productIds, units: stockPerProduct, log, connection: redis });
  } else {
    // The embedded store starts empty by nature (nothing of a previous run survives): seed it.
    await raw.seedCatalog(productIds, stockPerProduct);
  }
}

function waitForReady(redis: RedisConnection, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      resolve(false);
    }, timeoutMs);
    timer.unref();
    const onReady = () => {
      clearTimeout(timer);
      resolve(true);
    };
    redis.once('ready', onReady);
  });
}
