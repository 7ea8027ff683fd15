/**
 * The gate's share of the line's show-up record (contracts/metrics/waiting-room-metrics.ts): the
 * first time this gate serves an admitted ticket after an opening, it notes the ticket's place in
 * line; each flush sets those places' bits in the opening's bitmap with one `BITFIELD` per few
 * thousand places and an `EXPIRE`, so serving never waits on Redis. A failed flush forgets that it
 * noted those tickets, so their next request notes them again: a used place must not read as unused,
 * since the controller raises the rate for the tickets that go unused. Memory is bounded: past
 * `maxNoted` tickets an opening's later places go unmarked (the reading needs the first ones only).
 */
import type Redis from 'ioredis';
import {
  WAITING_ROOM_SHOWN_KEY_TTL_SECONDS,
  WAITING_ROOM_SHOWN_MAX_PLACES,
  waitingRoomShownPlacesKey,
} from '../../contracts/metrics/waiting-room-metrics';
import type { WaitingRoomState } from '../../contracts/waiting-room';
import { placeOf } from '../../contracts/waiting-room-schedule';

/** Tickets noted per opening; past it, later places are not marked. */
export const SHOWN_PLACES_MAX_NOTED = 200_000;
/** Places set by one BITFIELD command: a long line's first flush stays a few small commands. */
const PLACES_PER_COMMAND = 2000;

export interface ShownPlacesRecorderOptions {
  redis: Pick<Redis, 'pipeline'>;
  saleName: string;
  /** @default 'saleday' */
  keyPrefix?: string;
  /** @default SHOWN_PLACES_MAX_NOTED */
  maxNoted?: number;
  /** Called once when flushes start failing, and once when they work again. */
  onFlushProblem: (problem: { failing: boolean; error?: string }) => void;
}

interface Noted {
  openedAtMs: number;
  key: string;
  ticketNumber: number;
  offset: number;
}

export class ShownPlacesRecorder {
  private openedAtMs = 0;
  private noted = new Set<number>();
  private pending: Noted[] = [];
  private failing = false;
  private flushing: Promise<void> | undefined;
  private readonly maxNoted: number;

  constructor(private readonly options: ShownPlacesRecorderOptions) {
    this.maxNoted = options.maxNoted ?? SHOWN_PLACES_MAX_NOTED;
  }

  /** Notes that admitted ticket `ticketNumber` was served under `state`; no I/O, one shuffle per new ticket. */
  record(state: WaitingRoomState, ticketNumber: number): void {
    if (!(state.openedAtMs > 0)) return;
    if (state.openedAtMs !== this.openedAtMs) {
      this.openedAtMs = state.openedAtMs;
      this.noted = new Set();
    }
    if (this.noted.has(ticketNumber) || this.noted.size >= this.maxNoted) return;
    this.noted.add(ticketNumber);
    const offset = placeOf(state, ticketNumber, state.openedAtMs) - state.preQueueStart;
    // A pass from before this opening has no place in its line.
    if (!(offset >= 0 && offset < WAITING_ROOM_SHOWN_MAX_PLACES)) return;
    const key = waitingRoomShownPlacesKey(this.options.saleName, state.openedAtMs, this.options.keyPrefix);
    this.pending.push({ openedAtMs: state.openedAtMs, key, ticketNumber, offset });
  }

  /** Places noted and not yet sent (for tests). */
  size(): number {
    return this.pending.length;
  }

  /** Sends what was noted since the last flush; never throws. A flush already running is joined. */
  flush(): Promise<void> {
    this.flushing ??= this.send().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async send(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    try {
      const pipeline = this.options.redis.pipeline();
      for (const [key, offsets] of offsetsByKey(batch)) {
        for (let i = 0; i < offsets.length; i += PLACES_PER_COMMAND) {
          const sets = offsets.slice(i, i + PLACES_PER_COMMAND).flatMap((offset) => ['SET', 'u1', offset, 1]);
          pipeline.bitfield(key, ...(sets as ['SET', string, number, number]));
        }
        pipeline.expire(key, WAITING_ROOM_SHOWN_KEY_TTL_SECONDS);
      }
      const results = (await pipeline.exec()) ?? [];
      const failed = results.find(([error]) => error);
      if (failed) throw failed[0];
      if (this.failing) this.options.onFlushProblem({ failing: false });
      this.failing = false;
    } catch (error) {
      for (const n of batch) if (n.openedAtMs === this.openedAtMs) this.noted.delete(n.ticketNumber);
      if (!this.failing)
        this.options.onFlushProblem({ failing: true, error: error instanceof Error ? error.message : String(error) });
      this.failing = true;
    }
  }
}

function offsetsByKey(batch: readonly Noted[]): Map<string, number[]> {
  const byKey = new Map<string, number[]>();
  for (const { key, offset } of batch) {
    const offsets = byKey.get(key);
    if (offsets) offsets.push(offset);
    else byKey.set(key, [offset]);
  }
  return byKey;
}
