/**
 * The gate's share of the line's show-up record (contracts/metrics/waiting-room-metrics.ts): the
 * first time this gate serves an admitted ticket after an opening, it notes the ticket's place in
 * line; each flush sets those places' bits in the opening's bitmap with one `BITFIELD` per few
 * thousand places and an `EXPIRE`, so serving never waits on Redis. A failed flush forgets that it
 * noted those tickets, so their next request notes them again: a used place must not read as unused,
 * since the controller raises the rate for the tickets that go unused. Memory is bounded: past
 * `maxNoted` tickets an opening's later places go unmarked (the controller reads no place past the
 * default bound).
 */
import type Redis from 'ioredis';
import {
  WAITING_ROOM_SHOWN_KEY_TTL_SECONDS,
  WAITING_ROOM_SHOWN_MAX_NOTED,
  WAITING_ROOM_SHOWN_MAX_PLACES,
  waitingRoomShownPlacesKey,
} from '../../contracts/metrics/waiting-room-metrics';
import type { WaitingRoomState } from '../../contracts/waiting-room';
import { placeOf } from '../../contracts/waiting-room-schedule';
import { PipelinedFlush, type FlushProblem } from './pipelined-flush';

/** Places set by one BITFIELD command: a long line's first flush stays a few small commands. */
const PLACES_PER_COMMAND = 2000;

export interface ShownPlacesRecorderOptions {
  redis: Pick<Redis, 'pipeline'>;
  saleName: string;
  /** @default 'saleday' */
  keyPrefix?: string;
  /** Tickets noted per opening; past it, later places are not marked. @default WAITING_ROOM_SHOWN_MAX_NOTED */
  maxNoted?: number;
  /** Called once when flushes start failing, and once when they work again. */
  onFlushProblem: (problem: FlushProblem) => void;
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
  private readonly sender: PipelinedFlush<Noted[]>;
  private readonly maxNoted: number;

  constructor(private readonly options: ShownPlacesRecorderOptions) {
    this.maxNoted = options.maxNoted ?? WAITING_ROOM_SHOWN_MAX_NOTED;
    this.sender = new PipelinedFlush({
      redis: options.redis,
      take: () => this.take(),
      queue: queueBitfields,
      lost: (batch) => {
        for (const n of batch) if (n.openedAtMs === this.openedAtMs) this.noted.delete(n.ticketNumber);
      },
      onFlushProblem: options.onFlushProblem,
    });
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
    return this.sender.flush();
  }

  private take(): Noted[] | undefined {
    if (this.pending.length === 0) return undefined;
    const batch = this.pending;
    this.pending = [];
    return batch;
  }
}

function queueBitfields(pipeline: ReturnType<Redis['pipeline']>, batch: readonly Noted[]): void {
  for (const [key, offsets] of offsetsByKey(batch)) {
    for (let i = 0; i < offsets.length; i += PLACES_PER_COMMAND) {
      const sets = offsets.slice(i, i + PLACES_PER_COMMAND).flatMap((offset) => ['SET', 'u1', offset, 1]);
      pipeline.bitfield(key, ...(sets as ['SET', string, number, number]));
    }
    pipeline.expire(key, WAITING_ROOM_SHOWN_KEY_TTL_SECONDS);
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
