/**
 * The gate's view of the room: the newest valid record read from Redis every `pollMs`, available
 * synchronously to the request path. Static stability: when Redis is unreachable or a record is
 * malformed, the last good state stays; nothing here throws at callers.
 */
import type { WaitingRoomState } from '../../contracts/waiting-room';
import type { RoomRecord } from './room-record';

export interface RoomRecordReader {
  read(): Promise<RoomRecord | undefined>;
}

export class WaitingRoomStateCache {
  private record: RoomRecord | undefined;
  private timer: NodeJS.Timeout | undefined;
  private missing = false;

  constructor(
    private readonly options: {
      store: RoomRecordReader;
      pollMs: number;
      onError?: (error: unknown) => void;
      /** Told when a record read before disappears from Redis (true) and when one is back (false). */
      onMissingChange?: (missing: boolean) => void;
    },
  ) {
    if (!(options.pollMs >= 100))
      throw new RangeError(`waiting room pollMs: got ${options.pollMs}; expected at least 100`);
  }

  /** Reads once now, then every pollMs (the timer does not keep the process alive). */
  async start(): Promise<void> {
    await this.refresh();
    this.timer ??= setInterval(() => void this.refresh(), this.options.pollMs);
    this.timer.unref();
  }

  /** One read; a newer valid record replaces the current one, anything else is reported and ignored. */
  async refresh(): Promise<void> {
    try {
      const read = await this.options.store.read();
      // A record that vanished (a flush, a failover that lost it) keeps the last one: only the controller closes the room.
      this.noteMissing(read === undefined && this.record !== undefined);
      if (read && (!this.record || read.version > this.record.version)) this.record = read;
    } catch (error) {
      this.options.onError?.(error);
    }
  }

  /** The last known state; undefined before any record was read (the room counts as closed). */
  current(): WaitingRoomState | undefined {
    return this.record?.state;
  }

  /** True while a record read before is absent from Redis (the last one is still in force). */
  recordMissing(): boolean {
    return this.missing;
  }

  private noteMissing(missing: boolean): void {
    if (missing === this.missing) return;
    this.missing = missing;
    this.options.onMissingChange?.(missing);
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
