/**
 * What a storefront is started with, and those options resolved once: defaults applied and each
 * value checked, before anything connects, with an error naming the option.
 */
import type { CircuitBreakerOptions } from '../guard/breaker';
import { systemClock, wallClock, type Clock } from '../guard/clock';
import { InvalidOptionsError } from '../guard/errors';
import type { PaymentProvider, PaymentsOptions } from './payments';
import { DEFAULT_RECOMMENDATIONS_WORK, validateRecommendationsWork } from './recommendations';
import { DEFAULT_REPLICA_WAIT_MS } from './replica-wait';
import { resolveSessionSettings, type SessionOptions, type SessionSettings } from './session-route';
import type { ShopStore } from './shop-store';
import type { SimulatedDatabaseOptions } from './simulated-database';

export interface StorefrontOptions {
  /** Redis (or ElastiCache) URL; without it the shop runs on the embedded in-process store. */
  redisUrl?: string;
  /** ElastiCache AUTH token. */
  redisAuthToken?: string;
  /** Prefix of every Redis key (hash-tagged by the store). @default 'saleday:shop' */
  keyPrefix?: string;
  /** Times intervals: store-call latencies, the breaker, injected faults, replica waits. @default systemClock (monotonic) */
  clock?: Clock;
  /**
   * Times other processes read or wrote: the gate's deadline, reservation stamps the fleet's
   * reapers compare, and the embedded store's expiries (Redis expires in wall time too).
   * @default `clock` when one is given (a test's fake clock), else wallClock
   */
  wallClock?: Clock;
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
  /**
   * A database pool the shop pretends to query on every /api/ request (a rehearsal's capacity that
   * costs no CPU). @default none: requests go straight to their handlers
   */
  simulatedDatabase?: SimulatedDatabaseOptions;
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

export interface StartStorefrontOptions extends StorefrontOptions {
  /** @default 3000; 0 picks a free port */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** The operator listener's port on 127.0.0.1 (0 picks a free one); without it the operator routes are not served. @default none */
  operatorPort?: number;
}

const DEFAULT_STOCK_PER_PRODUCT = 100;
const DEFAULT_BODY_LIMIT = 16 * 1024;
const DEFAULT_REDIS_COMMAND_TIMEOUT_MS = 500;

/** The options a storefront is built from, defaults applied and validated. */
export interface StorefrontSettings {
  clock: Clock;
  wallClock: Clock;
  stockPerProduct: number;
  bodyLimit: number;
  redisCommandTimeoutMs: number;
  replicaWaitMs: number;
  recommendationsWork: number;
  sessions: SessionSettings | undefined;
}

export function resolveStorefrontSettings(options: StorefrontOptions): StorefrontSettings {
  const stockPerProduct = options.stockPerProduct ?? DEFAULT_STOCK_PER_PRODUCT;
  if (!Number.isInteger(stockPerProduct) || stockPerProduct < 0) {
    throw new InvalidOptionsError('stockPerProduct', options.stockPerProduct, 'a non-negative integer');
  }
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  if (!Number.isInteger(bodyLimit) || bodyLimit < 256)
    throw new InvalidOptionsError('bodyLimit', options.bodyLimit, 'an integer of at least 256 bytes');
  const redisCommandTimeoutMs = options.redisCommandTimeoutMs ?? DEFAULT_REDIS_COMMAND_TIMEOUT_MS;
  const replicaWaitMs = options.replicaWaitMs ?? DEFAULT_REPLICA_WAIT_MS;
  if (!Number.isInteger(replicaWaitMs) || replicaWaitMs < 0 || replicaWaitMs >= redisCommandTimeoutMs) {
    throw new InvalidOptionsError(
      'replicaWaitMs',
      options.replicaWaitMs,
      `an integer number of milliseconds from 0 (off) to below redisCommandTimeoutMs (${redisCommandTimeoutMs})`,
    );
  }
  return {
    clock: options.clock ?? systemClock,
    // A test's fake `clock` stands for both, so a test that moves one clock moves every time the shop reads.
    wallClock: options.wallClock ?? options.clock ?? wallClock,
    stockPerProduct,
    bodyLimit,
    redisCommandTimeoutMs,
    replicaWaitMs,
    recommendationsWork: validateRecommendationsWork(options.recommendationsWork ?? DEFAULT_RECOMMENDATIONS_WORK),
    sessions: resolveSessionSettings(options.sessions),
  };
}
