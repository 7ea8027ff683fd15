/**
 * The reservation reaper: gives back the units of checkouts that reserved stock and then neither
 * confirmed nor released it, because the process died mid-payment or the release itself failed.
 * Without it those units are lost to the sale for good.
 *
 * Every storefront process runs one. Several of them sweep the same Redis at once safely: the
 * store releases each order in one atomic step that only succeeds while the order is still
 * reserved, so each stranded order is released exactly once and a paid one never is.
 */
import { wallClock, type Clock } from '../guard/clock';
import { InvalidOptionsError } from '../guard/errors';
import type { ReleasedReservation, ShopStore } from './shop-store';

export interface ReservationReaperOptions extends ReaperSettingsOptions {
  store: Pick<ShopStore, 'releaseExpiredReservations'>;
  /** Decides which reservations are old enough, against stamps other tasks wrote in wall time. @default wallClock */
  clock?: Clock;
}

/** The reaper's tunables, validated on their own so a server can reject them before it connects anywhere. */
export interface ReaperSettingsOptions {
  /** The payment provider's deadline: no live checkout holds a reservation much longer than this. */
  paymentTimeoutMs: number;
  /**
   * A reservation older than this is stranded and released. At least twice the payment timeout,
   * so a checkout still waiting on its payment (or a slow Redis after it) is never reaped.
   * @default max(30 000, 3 × paymentTimeoutMs)
   */
  reservationTtlMs?: number;
  /** Time between sweeps. @default 5000 */
  intervalMs?: number;
  /** Orders released per store call. @default 100 */
  batchSize?: number;
  /** Store calls per sweep at most: a large backlog drains over a few ticks, not in one long sweep. @default 10 */
  maxBatchesPerSweep?: number;
}

export type ReaperSettings = Required<ReaperSettingsOptions>;

/** What one sweep did: the orders it released and, when the store failed part-way, the failure. */
export type ReaperSweepOutcome =
  { ok: true; released: ReleasedReservation[] } | { ok: false; released: ReleasedReservation[]; error: unknown };

export type ReaperSweepListener = (outcome: ReaperSweepOutcome) => void;

/** This process's reaper totals, for /_stats. */
export interface ReaperCounters {
  sweeps: number;
  failedSweeps: number;
  releasedOrders: number;
  releasedUnits: number;
}

export const DEFAULT_REAPER_INTERVAL_MS = 5000;
const MIN_RESERVATION_TTL_MS = 30_000;
const DEFAULT_BATCH_SIZE = 100;
const DEFAULT_MAX_BATCHES_PER_SWEEP = 10;

/** Long enough that only a dead checkout is older: 30 s, or three payment timeouts when that is longer. */
export function defaultReservationTtlMs(paymentTimeoutMs: number): number {
  return Math.max(MIN_RESERVATION_TTL_MS, Math.ceil(3 * paymentTimeoutMs));
}

/** Fills in the defaults; throws InvalidOptionsError naming the option, its value and what was expected. */
export function resolveReaperSettings(options: ReaperSettingsOptions): ReaperSettings {
  const { paymentTimeoutMs } = options;
  const reservationTtlMs = options.reservationTtlMs ?? defaultReservationTtlMs(paymentTimeoutMs);
  if (!Number.isInteger(reservationTtlMs) || reservationTtlMs < 2 * paymentTimeoutMs) {
    throw new InvalidOptionsError(
      'reservationTtlMs',
      options.reservationTtlMs,
      `an integer number of milliseconds of at least 2 × paymentTimeoutMs (${2 * paymentTimeoutMs}), so no checkout still waiting on its payment is reaped`,
    );
  }
  return {
    paymentTimeoutMs,
    reservationTtlMs,
    intervalMs: positiveInteger('reaperIntervalMs', options.intervalMs, DEFAULT_REAPER_INTERVAL_MS),
    batchSize: positiveInteger('reaperBatchSize', options.batchSize, DEFAULT_BATCH_SIZE),
    maxBatchesPerSweep: positiveInteger(
      'reaperMaxBatchesPerSweep',
      options.maxBatchesPerSweep,
      DEFAULT_MAX_BATCHES_PER_SWEEP,
    ),
  };
}

export class ReservationReaper {
  /** Reservations created longer ago than this are released. */
  readonly reservationTtlMs: number;
  readonly intervalMs: number;
  private readonly store: ReservationReaperOptions['store'];
  private readonly batchSize: number;
  private readonly maxBatchesPerSweep: number;
  private readonly clock: Clock;
  private readonly listeners = new Set<ReaperSweepListener>();
  private readonly totals: ReaperCounters = { sweeps: 0, failedSweeps: 0, releasedOrders: 0, releasedUnits: 0 };
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<ReleasedReservation[]> | undefined;
  private closed = false;

  constructor(options: ReservationReaperOptions) {
    const settings = resolveReaperSettings(options);
    this.reservationTtlMs = settings.reservationTtlMs;
    this.intervalMs = settings.intervalMs;
    this.batchSize = settings.batchSize;
    this.maxBatchesPerSweep = settings.maxBatchesPerSweep;
    this.store = options.store;
    this.clock = options.clock ?? wallClock;
  }

  /** Sweeps every `intervalMs` until close(); the timer never keeps the process alive. */
  start(): void {
    if (this.timer || this.closed) return;
    // A failed sweep already reached the listeners and the counters; the next tick simply tries again.
    this.timer = setInterval(() => this.sweep().catch(() => undefined), this.intervalMs);
    this.timer.unref();
  }

  /**
   * Releases every reservation older than the TTL (up to maxBatchesPerSweep × batchSize) and
   * resolves with them; rejects when the store fails. A call while a sweep runs joins that sweep.
   */
  sweep(): Promise<ReleasedReservation[]> {
    if (this.closed) return Promise.resolve([]);
    this.inFlight ??= this.runSweep().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** Called after every sweep; returns the unsubscribe function. */
  onSweep(listener: ReaperSweepListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  counters(): ReaperCounters {
    return { ...this.totals };
  }

  /** Stops the timer and waits for a sweep in progress, so the store can be closed after it. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.inFlight?.catch(() => undefined);
  }

  private async runSweep(): Promise<ReleasedReservation[]> {
    const reservedAtOrBefore = this.clock.now() - this.reservationTtlMs;
    const released: ReleasedReservation[] = [];
    let outcome: ReaperSweepOutcome;
    try {
      for (let batch = 0; batch < this.maxBatchesPerSweep; batch += 1) {
        const result = await this.store.releaseExpiredReservations(reservedAtOrBefore, this.batchSize);
        released.push(...result.released);
        if (!result.more) break;
      }
      outcome = { ok: true, released };
    } catch (error) {
      outcome = { ok: false, released, error };
    }
    this.totals.sweeps += 1;
    // Counted even when a later batch failed: those orders were released all the same.
    this.totals.releasedOrders += released.length;
    this.totals.releasedUnits += released.reduce((units, order) => units + order.quantity, 0);
    if (!outcome.ok) this.totals.failedSweeps += 1;
    for (const listener of this.listeners) listener(outcome);
    if (!outcome.ok) throw outcome.error;
    return released;
  }
}

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  const resolved = value ?? fallback;
  if (!Number.isInteger(resolved) || resolved <= 0) throw new InvalidOptionsError(name, value, 'a positive integer');
  return resolved;
}
