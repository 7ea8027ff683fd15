/**
 * The gate's share of the fleet's active-shopper count (contracts/metrics/waiting-room-metrics.ts):
 * the ticket number of every request let through on a pass (or an admitted ticket) is remembered in
 * memory per time window, and each flush sends one pipelined `PFADD` + `EXPIRE` per window touched,
 * so serving never waits on Redis and Redis sees a few commands per metrics interval, not one per
 * request. A failed flush loses that interval's numbers (the count is an estimate) and is logged
 * once until a flush succeeds again; the memory held between flushes is bounded.
 */
import type Redis from 'ioredis';
import {
  WAITING_ROOM_ACTIVE_KEY_TTL_SECONDS,
  WAITING_ROOM_ACTIVE_WINDOW_MS,
  waitingRoomActiveShoppersKey,
} from '../../contracts/metrics/waiting-room-metrics';
import { PipelinedFlush, type FlushProblem } from './pipelined-flush';

/** Ticket numbers held between two flushes, across windows; past it, numbers wait for the next flush. */
export const ACTIVE_SHOPPERS_MAX_PENDING = 100_000;

export interface ActiveShoppersRecorderOptions {
  redis: Pick<Redis, 'pipeline'>;
  saleName: string;
  /** @default 'saleday' */
  keyPrefix?: string;
  /** Width of one counting window (the key's "minute"). @default WAITING_ROOM_ACTIVE_WINDOW_MS */
  windowMs?: number;
  /** @default ACTIVE_SHOPPERS_MAX_PENDING */
  maxPending?: number;
  /** Called once when flushes start failing, and once when they work again. */
  onFlushProblem: (problem: FlushProblem) => void;
}

export class ActiveShoppersRecorder {
  private pending = new Map<number, Set<number>>();
  private pendingCount = 0;
  private droppedSinceFlush = 0;
  private readonly sender: PipelinedFlush<Map<number, Set<number>>>;
  private readonly windowMs: number;
  private readonly maxPending: number;

  constructor(options: ActiveShoppersRecorderOptions) {
    this.windowMs = options.windowMs ?? WAITING_ROOM_ACTIVE_WINDOW_MS;
    this.maxPending = options.maxPending ?? ACTIVE_SHOPPERS_MAX_PENDING;
    if (!(Number.isInteger(this.windowMs) && this.windowMs >= 100))
      throw new RangeError(
        `active shoppers window: got ${this.windowMs} ms; expected a whole number of milliseconds, at least 100`,
      );
    this.sender = new PipelinedFlush({
      redis: options.redis,
      take: () => this.take(),
      queue: (pipeline, batch) => {
        for (const [window, numbers] of batch) {
          const key = waitingRoomActiveShoppersKey(options.saleName, window, options.keyPrefix);
          pipeline.pfadd(key, ...[...numbers].map(String));
          pipeline.expire(key, WAITING_ROOM_ACTIVE_KEY_TTL_SECONDS);
        }
      },
      onFlushProblem: options.onFlushProblem,
    });
  }

  /** Remembers that ticket `number` was served at `nowMs`; no I/O. */
  record(number: number, nowMs: number): void {
    const window = Math.floor(nowMs / this.windowMs);
    let numbers = this.pending.get(window);
    if (numbers?.has(number)) return;
    if (this.pendingCount >= this.maxPending) {
      this.droppedSinceFlush += 1;
      return;
    }
    if (!numbers) this.pending.set(window, (numbers = new Set()));
    numbers.add(number);
    this.pendingCount += 1;
  }

  /** Numbers held now (for tests and the bound). */
  size(): number {
    return this.pendingCount;
  }

  /** Numbers refused since the last flush because the bound was reached. */
  dropped(): number {
    return this.droppedSinceFlush;
  }

  /** Sends what was recorded since the last flush; never throws. A flush already running is joined. */
  flush(): Promise<void> {
    return this.sender.flush();
  }

  private take(): Map<number, Set<number>> | undefined {
    if (this.pendingCount === 0) return undefined;
    const batch = this.pending;
    this.pending = new Map();
    this.pendingCount = 0;
    this.droppedSinceFlush = 0;
    return batch;
  }
}
