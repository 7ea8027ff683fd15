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
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { createCircuitBreaker, type CircuitBreakerOptions, type ObservableCircuitBreaker } from '../guard/breaker';
import { InvalidOptionsError } from '../guard/errors';
import { createCatalog, DEFAULT_CATALOG_SIZE, type Catalog } from './catalog';
import { checkoutWorstCaseMs } from './checkout/checkout-budget';
import { newCheckoutCounters } from './checkout/checkout-counters';
import { installErrorReplies } from './error-replies';
import { createFastifyApps } from './fastify-apps';
import { FaultInjector } from './fault-injector';
import { registerOperatorRoutes } from './operator-routes';
import { Payments, type PaymentsOptions } from './payments';
import type { ReplicaWaitCounters } from './replica-wait';
import { ReservationReaper, resolveReaperSettings } from './reservation-reaper';
import { registerSessionRoute } from './session-route';
import { assembleShopStore, prepareShopStore } from './shop-store-assembly';
import { registerShopRoutes } from './shop-routes';
import type { ShopStore } from './shop-store';
import { loadStaticAssets } from './static-assets';
import { createSimulatedDatabase, queryBeforeApiRequests } from './simulated-database';
import {
  resolveStorefrontSettings,
  type StartStorefrontOptions,
  type StorefrontOptions,
  type StorefrontSettings,
} from './storefront-options';

export type { StartStorefrontOptions, StorefrontOptions } from './storefront-options';

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

export interface RunningStorefront extends Storefront {
  /** e.g. http://127.0.0.1:3000 */
  url: string;
  /** e.g. http://127.0.0.1:9090, when an operator port was given. */
  operatorUrl?: string;
}

const DEFAULT_BREAKER: Omit<CircuitBreakerOptions, 'name' | 'clock'> = {
  consecutiveFailures: 3,
  openMs: 2000,
  slowCallMs: 1000,
};

export async function createStorefront(options: StorefrontOptions = {}): Promise<Storefront> {
  const settings = resolveStorefrontSettings(options);
  const { clock, wallClock, stockPerProduct } = settings;
  const parts = buildParts(options, settings);
  const { catalog, productIds, inventoryBreaker } = parts;
  const { app, operatorApp } = createFastifyApps(options, settings.bodyLimit);
  const { redisCommandTimeoutMs, replicaWaitMs } = settings;
  const assembled = assembleShopStore(options, {
    clock,
    wallClock,
    inventoryBreaker,
    redisCommandTimeoutMs,
    replicaWaitMs,
    log: app.log,
  });
  const { store } = assembled;
  // Through the breaker: while Redis is down a sweep fails at once, and the next tick tries again.
  // Wall time: it compares with the reservation stamps every task of the fleet wrote.
  const reaper = new ReservationReaper({ ...parts.reaperSettings, store, clock: wallClock });
  inventoryBreaker.onStateChange((state, previous) =>
    app.log.warn({ breaker: 'inventory', state, previous }, 'inventory breaker changed state'),
  );
  const resetStock = async (units = stockPerProduct): Promise<number> => {
    await store.resetStock(productIds, units);
    return units;
  };

  registerRoutes(
    { app, operatorApp },
    { options, settings, parts, store, reaper, resetStock, replicaWait: () => assembled.replicaWait?.counters() },
  );

  await prepareShopStore(assembled, { options, productIds, stockPerProduct, log: app.log });
  await app.ready();
  await operatorApp.ready();
  logReaperSweeps(reaper, app.log);
  reaper.start();

  const handle = {
    app,
    operatorApp,
    catalog,
    store,
    inventoryBreaker,
    faults: parts.faults,
    reaper,
    checkoutWorstCaseMs: parts.worstCaseMs,
    resetStock,
  };
  return { ...handle, close: closer(handle) };
}

/** What the storefront is made of before anything connects or listens: a bad option throws here. */
function buildParts(options: StorefrontOptions, settings: StorefrontSettings) {
  const { clock } = settings;
  const catalog = createCatalog(options.catalogSize ?? DEFAULT_CATALOG_SIZE);
  const assets = loadStaticAssets(options.publicDir ?? defaultPublicDir());
  const faults = new FaultInjector({ clock, random: options.random });
  const paymentsOptions: PaymentsOptions = {
    faults,
    latencyMs: options.paymentLatencyMs,
    timeoutMs: options.paymentTimeoutMs,
  };
  const payments = options.createPayments ? options.createPayments(paymentsOptions) : new Payments(paymentsOptions);
  const inventoryBreaker = createCircuitBreaker({
    ...DEFAULT_BREAKER,
    ...options.inventoryBreaker,
    name: 'inventory',
    clock,
  });
  const reaperSettings = resolveReaperSettings({
    paymentTimeoutMs: payments.timeoutMs,
    reservationTtlMs: options.reservationTtlMs,
    intervalMs: options.reaperIntervalMs,
  });
  const storeCallTimeoutMs = settings.redisCommandTimeoutMs;
  const worstCaseMs = checkoutWorstCaseMs({
    storeCallTimeoutMs,
    replicaWaitMs: settings.replicaWaitMs,
    paymentTimeoutMs: payments.timeoutMs,
  });
  const productIds = catalog.products.map((product) => product.id);
  const database = options.simulatedDatabase && createSimulatedDatabase(options.simulatedDatabase);
  return { catalog, productIds, assets, faults, payments, inventoryBreaker, reaperSettings, worstCaseMs, database };
}

/** Every route family on its listener: the shop and the session on the public one, the operator routes on theirs. */
function registerRoutes(
  apps: { app: FastifyInstance; operatorApp: FastifyInstance },
  wiring: {
    options: StorefrontOptions;
    settings: StorefrontSettings;
    parts: ReturnType<typeof buildParts>;
    store: ShopStore;
    reaper: ReservationReaper;
    resetStock: (units?: number) => Promise<number>;
    replicaWait: () => ReplicaWaitCounters | undefined;
  },
): void {
  const { app, operatorApp } = apps;
  const { options, settings, store, reaper, resetStock, replicaWait } = wiring;
  const { catalog, payments, faults, assets, inventoryBreaker } = wiring.parts;
  const counters = newCheckoutCounters();
  installErrorReplies(app);
  installErrorReplies(operatorApp);
  if (wiring.parts.database) queryBeforeApiRequests(app, wiring.parts.database);
  const { clock, wallClock } = settings;
  const shop = { catalog, store, inventoryBreaker, payments, faults, clock, wallClock, assets, counters };
  registerShopRoutes(app, {
    ...shop,
    recommendationsWork: settings.recommendationsWork,
    checkoutWorstCaseMs: wiring.parts.worstCaseMs,
  });
  registerSessionRoute(app, settings.sessions, options.sessions?.secretEnv);
  const enableFaultInjection = options.enableFaultInjection ?? false;
  registerOperatorRoutes(operatorApp, {
    catalog,
    store,
    faults,
    counters,
    reaper,
    replicaWait,
    enableFaultInjection,
    resetStock,
  });
}

/** Closes once, whoever calls it how often: the reaper first, so no sweep runs against a closing store. */
function closer(parts: Pick<Storefront, 'app' | 'operatorApp' | 'store' | 'reaper'>): () => Promise<void> {
  let closed = false;
  return async () => {
    if (closed) return;
    closed = true;
    await parts.reaper.close();
    await Promise.all([parts.app.close(), parts.operatorApp.close()]);
    await parts.store.close();
  };
}

function logReaperSweeps(reaper: ReservationReaper, log: FastifyBaseLogger): void {
  reaper.onSweep((outcome) => {
    if (outcome.released.length > 0) {
      const units = outcome.released.reduce((sum, order) => sum + order.quantity, 0);
      // Each one is a checkout that died between reserve and confirm/release: worth a look, hence warn.
      log.warn(
        {
          reaper: 'reservations',
          released: outcome.released.length,
          units,
          orderIds: outcome.released.map((order) => order.orderId),
        },
        'released stranded reservations',
      );
    }
    if (!outcome.ok)
      log.warn(
        { reaper: 'reservations', err: outcome.error },
        'sweeping stranded reservations failed; retrying next interval',
      );
  });
}

export async function startStorefront(options: StartStorefrontOptions = {}): Promise<RunningStorefront> {
  const port = options.port ?? 3000;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new InvalidOptionsError('port', options.port, 'an integer between 0 and 65535');
  const operatorPort = options.operatorPort;
  if (operatorPort !== undefined && (!Number.isInteger(operatorPort) || operatorPort < 0 || operatorPort > 65535)) {
    throw new InvalidOptionsError('operatorPort', operatorPort, 'an integer between 0 and 65535 (0 picks a free port)');
  }
  const storefront = await createStorefront(options);
  try {
    const address = await storefront.app.listen({ port, host: options.host ?? '127.0.0.1' });
    // Loopback only, whatever the public host: operator routes are for this machine (or task) alone.
    const operatorAddress =
      operatorPort === undefined
        ? undefined
        : await storefront.operatorApp.listen({ port: operatorPort, host: '127.0.0.1' });
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
