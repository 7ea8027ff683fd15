/**
 * The reference storefront: a small but real shop for the sale, and the default `app` container
 * behind the gate. State lives in Redis when `redisUrl` is given (shared by every task), else in
 * an embedded in-process store with the same semantics.
 *
 * HTTP answers worth knowing (bodies are `{ error, message, … }`):
 * - 400 malformed JSON, invalid body, malformed product id / user key / Idempotency-Key; 413 body
 *   over `bodyLimit`; 415 a body that is not JSON; 404 unknown product.
 * - checkout: 201 receipt; 409 `sold-out`; 409 `checkout-in-progress` (+ Retry-After) while the
 *   same Idempotency-Key is mid-payment; 422 `idempotency-key-reused` for the same key with another
 *   body; 502 `payment-failed` when the payment provider fails the charge and 503
 *   `payments-unavailable` (+ Retry-After) when it does not answer in time — both after the
 *   reservation was released; 409 `reservation-expired` (`refunded`: whether the charge went back)
 *   when the payment completed only after the reaper had released the reservation, so the order is
 *   not placed and the Idempotency-Key is free again; 503 `order-not-recorded` (+ Retry-After,
 *   `refunded`) when the charge went through but every confirm attempt failed (never a 201 for an
 *   order the store did not record: its reservation is reaped later); 503 `inventory-unavailable`
 *   (+ Retry-After) when Redis fails or the inventory breaker is open.
 * - GET /api/products/:id, the cart and /_stats also answer 503 `inventory-unavailable` while
 *   Redis fails; GET /api/products, the page, assets and /healthz never touch Redis.
 * - 500 `injected-fault` for failures injected through /_faults.
 * - cart and checkout: 401 `identity-required` without the gate's `saleday-user` header, 400
 *   `invalid-identity` for a malformed one; checkout: 503 `deadline-too-short` (+ Retry-After) when
 *   the gate's `saleday-deadline` leaves less than a checkout can take, before reserving anything.
 *   Each 5xx of a failed dependency carries `saleday-failed-dependency: inventory|payments`.
 * - POST /api/session mints an anonymous session cookie (session-route.ts).
 *
 * Stock is never re-created by the shop itself: a Redis store is seeded explicitly (`saleday
 * storefront seed`, or `seedIfEmpty` on a first start); a store found without its catalog answers
 * checkout 503 until an operator restores it. The embedded store is seeded at start (it starts empty
 * by nature). Operator routes (/_stats, /_faults, /_stock/reset) are served only on a separate
 * loopback listener (`operatorPort`), never on the public port.
 *
 * A reservation reaper sweeps every few seconds for checkouts that reserved stock and then died
 * before confirming or releasing it, and gives their units back (see reservation-reaper.ts).
 */
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { createCircuitBreaker, type CircuitBreakerOptions, type ObservableCircuitBreaker } from '../guard/breaker';
import { systemClock, type Clock } from '../guard/clock';
import { InvalidOptionsError } from '../guard/errors';
import { createRedisConnection } from '../guard/redis/redis-connection';
import { createCatalog, DEFAULT_CATALOG_SIZE, type Catalog } from './catalog';
import { checkoutWorstCaseMs } from './checkout/checkout-budget';
import { newCheckoutCounters } from './checkout/checkout-counters';
import { installErrorReplies } from './error-replies';
import { FaultInjector } from './fault-injector';
import { FailoverRetryingShopStore } from './failover-retry-store';
import { GuardedShopStore } from './guarded-shop-store';
import { MemoryShopStore } from './memory-shop-store';
import { registerOperatorRoutes } from './operator-routes';
import { Payments, type PaymentProvider, type PaymentsOptions } from './payments';
import { DEFAULT_RECOMMENDATIONS_WORK, validateRecommendationsWork } from './recommendations';
import { DEFAULT_KEY_PREFIX, RedisShopStore } from './redis-shop-store';
import { DEFAULT_REPLICA_WAIT_MS, ReplicaWait } from './replica-wait';
import { ReservationReaper, resolveReaperSettings } from './reservation-reaper';
import { registerSessionRoute, resolveSessionSettings, type SessionOptions } from './session-route';
import { registerShopRoutes } from './shop-routes';
import type { ShopStore } from './shop-store';
import { seedIfEmptyOnce } from './startup-seeding';
import { loadStaticAssets } from './static-assets';

export interface StorefrontOptions {
  /** Redis (or ElastiCache) URL; without it the shop runs on the embedded in-process store. */
  redisUrl?: string;
  /** ElastiCache AUTH token. */
  redisAuthToken?: string;
  /** Prefix of every Redis key (hash-tagged by the store). @default 'saleday:shop' */
  keyPrefix?: string;
  /** @default systemClock */
  clock?: Clock;
  /** Structured JSON request logs. @default false */
  logger?: boolean;
  /** Where the logs go. @default process.stdout */
  logStream?: { write(line: string): void };
  /** Products in the seeded catalog. @default 50 */
  catalogSize?: number;
  /** Units each product is seeded with (the embedded store at start, a Redis store with seedIfEmpty). @default 100 */
  stockPerProduct?: number;
  /**
   * Seeds a Redis store's catalog on a first start: when it holds no catalog and no sale. Never on
   * a reconnect after that (a Redis that restarted empty stays empty: checkout answers 503 until an
   * operator restores it or runs `saleday storefront seed`). @default false
   */
  seedIfEmpty?: boolean;
  /** Enables /_faults and /_stock/reset on the operator listener, for rehearsals. @default false */
  enableFaultInjection?: boolean;
  /** Hashing rounds per recommendations request (its CPU cost). @default 3000 */
  recommendationsWork?: number;
  /** The simulated payment provider's usual latency. @default 0 */
  paymentLatencyMs?: number;
  /** Abandon a charge after this long (503, reservation released). @default 2000 */
  paymentTimeoutMs?: number;
  /**
   * Builds the payment provider from the resolved payment options (fault injector included), e.g.
   * to wrap the simulated one in a test. @default the simulated provider, `new Payments(options)`
   */
  createPayments?: (options: PaymentsOptions) => PaymentProvider;
  /** Wraps the store the routes and the reaper use (behind the inventory breaker), e.g. to make it fail in a test. @default as it is */
  wrapStore?: (store: ShopStore) => ShopStore;
  /**
   * A reservation neither paid nor released after this long belongs to a checkout that died; the
   * reaper gives its units back. At least 2 × paymentTimeoutMs. @default max(30000, 3 × paymentTimeoutMs)
   */
  reservationTtlMs?: number;
  /** How often the reaper sweeps for stranded reservations. @default 5000 */
  reaperIntervalMs?: number;
  /** Largest accepted request body in bytes. @default 16384 */
  bodyLimit?: number;
  /** Redis command timeout: a hung Redis fails a command after this long. @default 500 */
  redisCommandTimeoutMs?: number;
  /** After reserve and confirm, wait this long at most for one replica to acknowledge (when the server has replicas); 0: never. @default 100 */
  replicaWaitMs?: number;
  /** How long start-up waits for Redis before serving without it (the list still serves). @default 2000 */
  redisStartupTimeoutMs?: number;
  /** The inventory breaker's policy. @default { consecutiveFailures: 3, openMs: 2000, slowCallMs: 1000 } */
  inventoryBreaker?: Omit<CircuitBreakerOptions, 'name' | 'clock'>;
  /** Directory with index.html and the assets. @default storefront/public (next to the bundle: ./public) */
  publicDir?: string;
  /** Decides which requests an injected fault fails. @default Math.random */
  random?: () => number;
  /** POST /api/session: the signing secret's variable, cookie lifetime and Secure flag. @default sessions on when SALEDAY_IDENTITY_SECRET is set */
  sessions?: SessionOptions;
}

export interface Storefront {
  /** The public listener's routes. */
  app: FastifyInstance;
  /** The operator routes (/_stats, /_faults, /_stock/reset), for a loopback listener of their own. */
  operatorApp: FastifyInstance;
  catalog: Catalog;
  /** The store behind the inventory breaker. */
  store: ShopStore;
  inventoryBreaker: ObservableCircuitBreaker;
  faults: FaultInjector;
  /** Releases stranded reservations on an interval (stopped by close()). */
  reaper: ReservationReaper;
  /** The longest a checkout can take with these settings; declare it as the config's `app.checkoutWorstCaseMs`. */
  checkoutWorstCaseMs: number;
  /** Sets every product's stock to `units` (default: stockPerProduct) and forgets orders; returns the units. */
  resetStock(units?: number): Promise<number>;
  close(): Promise<void>;
}

export interface StartStorefrontOptions extends StorefrontOptions {
  /** @default 3000; 0 picks a free port */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** The operator listener's port on 127.0.0.1 (0 picks a free one); without it the operator routes are not served. @default none */
  operatorPort?: number;
}

export interface RunningStorefront extends Storefront {
  /** e.g. http://127.0.0.1:3000 */
  url: string;
  /** e.g. http://127.0.0.1:9090, when an operator port was given. */
  operatorUrl?: string;
}

const DEFAULT_STOCK_PER_PRODUCT = 100;
const DEFAULT_BODY_LIMIT = 16 * 1024;
const DEFAULT_REDIS_COMMAND_TIMEOUT_MS = 500;
const DEFAULT_BREAKER: Omit<CircuitBreakerOptions, 'name' | 'clock'> = { consecutiveFailures: 3, openMs: 2000, slowCallMs: 1000 };

export async function createStorefront(options: StorefrontOptions = {}): Promise<Storefront> {
  const clock = options.clock ?? systemClock;
  const stockPerProduct = options.stockPerProduct ?? DEFAULT_STOCK_PER_PRODUCT;
  if (!Number.isInteger(stockPerProduct) || stockPerProduct < 0) {
    throw new InvalidOptionsError('stockPerProduct', options.stockPerProduct, 'a non-negative integer');
  }
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  if (!Number.isInteger(bodyLimit) || bodyLimit < 256) throw new InvalidOptionsError('bodyLimit', options.bodyLimit, 'an integer of at least 256 bytes');
  const redisCommandTimeoutMs = options.redisCommandTimeoutMs ?? DEFAULT_REDIS_COMMAND_TIMEOUT_MS;
  const replicaWaitMs = options.replicaWaitMs ?? DEFAULT_REPLICA_WAIT_MS;
  if (!Number.isInteger(replicaWaitMs) || replicaWaitMs < 0 || replicaWaitMs >= redisCommandTimeoutMs) {
    throw new InvalidOptionsError('replicaWaitMs', options.replicaWaitMs, `an integer number of milliseconds from 0 (off) to below redisCommandTimeoutMs (${redisCommandTimeoutMs})`);
  }
  const recommendationsWork = validateRecommendationsWork(options.recommendationsWork ?? DEFAULT_RECOMMENDATIONS_WORK);
  const sessionSettings = resolveSessionSettings(options.sessions);
  const catalog = createCatalog(options.catalogSize ?? DEFAULT_CATALOG_SIZE);
  const productIds = catalog.products.map((product) => product.id);
  const assets = loadStaticAssets(options.publicDir ?? defaultPublicDir());
  const faults = new FaultInjector({ clock, random: options.random });
  const paymentsOptions: PaymentsOptions = { faults, latencyMs: options.paymentLatencyMs, timeoutMs: options.paymentTimeoutMs };
  const payments = options.createPayments ? options.createPayments(paymentsOptions) : new Payments(paymentsOptions);
  const inventoryBreaker = createCircuitBreaker({ ...DEFAULT_BREAKER, ...options.inventoryBreaker, name: 'inventory', clock });
  // Validated with the other options, before anything connects.
  const reaperSettings = resolveReaperSettings({ paymentTimeoutMs: payments.timeoutMs, reservationTtlMs: options.reservationTtlMs, intervalMs: options.reaperIntervalMs });
  const worstCaseMs = checkoutWorstCaseMs({ storeCallTimeoutMs: redisCommandTimeoutMs, replicaWaitMs, paymentTimeoutMs: payments.timeoutMs });

  const fastifyOptions = {
    logger: options.logger ? { level: 'info', ...(options.logStream ? { stream: options.logStream } : {}) } : false,
    bodyLimit,
    // Slow clients cannot hold a connection: idle sockets close after 10 s, a whole request must arrive within 15 s.
    connectionTimeout: 10_000,
    requestTimeout: 15_000,
    // Longer than the ALB's 60 s idle timeout, so the ALB always closes first (no 502 on a reused socket).
    keepAliveTimeout: 65_000,
    routerOptions: { maxParamLength: 200 },
    return503OnClosing: true,
  };
  const app = Fastify(fastifyOptions);
  const operatorApp = Fastify(fastifyOptions);

  let rawStore: ShopStore;
  let redis: ReturnType<typeof createRedisConnection> | undefined;
  let replicaWait: ReplicaWait | undefined;
  if (options.redisUrl) {
    redis = createRedisConnection({
      url: options.redisUrl,
      authToken: options.redisAuthToken,
      connectionName: 'saleday-storefront',
      failFast: true,
      commandTimeoutMs: redisCommandTimeoutMs,
      connectTimeoutMs: 1000,
      // A storefront stopping while Redis is down must not linger for ioredis' 2 s disconnect timer.
      disconnectTimeoutMs: 200,
      log: (message, fields) => app.log.warn(fields, message),
    });
    replicaWait = new ReplicaWait({
      redis,
      timeoutMs: replicaWaitMs,
      clock,
      onProblem: (problem) =>
        problem.kind === 'timed-out'
          ? app.log.warn({ replicaWait: problem.kind, timeoutMs: problem.timeoutMs }, 'no replica acknowledged a checkout write in time; the write stands on the primary')
          : app.log.warn({ replicaWait: problem.kind, err: problem.error }, 'waiting for a replica (or reading the replica count) failed; the write stands on the primary'),
    });
    rawStore = new FailoverRetryingShopStore(new RedisShopStore({ redis, keyPrefix: options.keyPrefix ?? DEFAULT_KEY_PREFIX, replicaWait }), redis);
  } else {
    rawStore = new MemoryShopStore({ clock });
  }
  const guardedStore = new GuardedShopStore(rawStore, inventoryBreaker, clock);
  const store = options.wrapStore ? options.wrapStore(guardedStore) : guardedStore;
  // Through the breaker: while Redis is down a sweep fails at once, and the next tick tries again.
  const reaper = new ReservationReaper({ ...reaperSettings, store, clock });

  inventoryBreaker.onStateChange((state, previous) => app.log.warn({ breaker: 'inventory', state, previous }, 'inventory breaker changed state'));
  const counters = newCheckoutCounters();
  const resetStock = async (units = stockPerProduct): Promise<number> => {
    await store.resetStock(productIds, units);
    return units;
  };

  installErrorReplies(app);
  installErrorReplies(operatorApp);
  registerShopRoutes(app, { catalog, store, inventoryBreaker, payments, faults, clock, assets, recommendationsWork, counters, checkoutWorstCaseMs: worstCaseMs });
  registerSessionRoute(app, sessionSettings, options.sessions?.secretEnv);
  registerOperatorRoutes(operatorApp, {
    catalog,
    store,
    faults,
    counters,
    reaper,
    replicaWait: () => replicaWait?.counters(),
    enableFaultInjection: options.enableFaultInjection ?? false,
    resetStock,
  });

  if (redis) {
    const ready = await waitForReady(redis, options.redisStartupTimeoutMs ?? 2000);
    if (!ready) app.log.warn('Redis is not reachable yet: serving the product list from memory; checkout answers 503 until it is');
    if (options.seedIfEmpty) await seedIfEmptyOnce({ store: rawStore, productIds, units: stockPerProduct, log: app.log, connection: redis });
  } else {
    // The embedded store starts empty by nature (nothing of a previous run survives): seed it.
    await rawStore.seedCatalog(productIds, stockPerProduct);
  }
  await app.ready();
  await operatorApp.ready();
  reaper.onSweep((outcome) => {
    if (outcome.released.length > 0) {
      const units = outcome.released.reduce((sum, order) => sum + order.quantity, 0);
      // Each one is a checkout that died between reserve and confirm/release: worth a look, hence warn.
      app.log.warn({ reaper: 'reservations', released: outcome.released.length, units, orderIds: outcome.released.map((order) => order.orderId) }, 'released stranded reservations');
    }
    if (!outcome.ok) app.log.warn({ reaper: 'reservations', err: outcome.error }, 'sweeping stranded reservations failed; retrying next interval');
  });
  reaper.start();

  let closed = false;
  return {
    app,
    operatorApp,
    catalog,
    store,
    inventoryBreaker,
    faults,
    reaper,
    checkoutWorstCaseMs: worstCaseMs,
    resetStock,
    close: async () => {
      if (closed) return;
      closed = true;
      // First, so no sweep runs against a closing store.
      await reaper.close();
      await Promise.all([app.close(), operatorApp.close()]);
      await store.close();
    },
  };
}

export async function startStorefront(options: StartStorefrontOptions = {}): Promise<RunningStorefront> {
  const port = options.port ?? 3000;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidOptionsError('port', options.port, 'an integer between 0 and 65535');
  const operatorPort = options.operatorPort;
  if (operatorPort !== undefined && (!Number.isInteger(operatorPort) || operatorPort < 0 || operatorPort > 65535)) {
    throw new InvalidOptionsError('operatorPort', operatorPort, 'an integer between 0 and 65535 (0 picks a free port)');
  }
  const storefront = await createStorefront(options);
  try {
    const address = await storefront.app.listen({ port, host: options.host ?? '127.0.0.1' });
    // Loopback only, whatever the public host: operator routes are for this machine (or task) alone.
    const operatorAddress = operatorPort === undefined ? undefined : await storefront.operatorApp.listen({ port: operatorPort, host: '127.0.0.1' });
    return { ...storefront, url: address.replace('[::1]', 'localhost'), operatorUrl: operatorAddress };
  } catch (error) {
    await storefront.close();
    throw error;
  }
}

/** Next to the source (storefront/public) and next to the esbuild bundle (/app/public) alike. */
function defaultPublicDir(): string {
  return process.env.SALEDAY_PUBLIC_DIR ?? join(__dirname, 'public');
}

function waitForReady(redis: ReturnType<typeof createRedisConnection>, timeoutMs: number): Promise<boolean> {
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
