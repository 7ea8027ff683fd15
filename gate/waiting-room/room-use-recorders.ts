/**
 * What the gate tells the controller about admitted shoppers, through Redis: who was active in each
 * window (active-shoppers-recorder.ts) and which places in line have been used since the opening
 * (shown-places-recorder.ts). Both note in memory per request and send on the metrics interval.
 */
import type Redis from 'ioredis';
import type { WaitingRoomState } from '../../contracts/waiting-room';
import type { GateLogger } from '../proxy/gate-logger';
import { ActiveShoppersRecorder } from './active-shoppers-recorder';
import type { FlushProblem } from './pipelined-flush';
import { ShownPlacesRecorder } from './shown-places-recorder';

export interface RoomUseRecordersOptions {
  redis: Redis;
  saleName: string;
  keyPrefix?: string;
  /** The active-shopper window. @default WAITING_ROOM_ACTIVE_WINDOW_MS */
  activeWindowMs?: number;
  logger: GateLogger;
}

export class RoomUseRecorders {
  private readonly shoppers: ActiveShoppersRecorder;
  private readonly shownPlaces: ShownPlacesRecorder;

  constructor(options: RoomUseRecordersOptions) {
    const { redis, saleName, keyPrefix, logger } = options;
    this.shoppers = new ActiveShoppersRecorder({
      redis,
      saleName,
      keyPrefix,
      windowMs: options.activeWindowMs,
      onFlushProblem: logFlushProblem(logger, 'active shoppers', 'the controller counts fewer until they can'),
    });
    this.shownPlaces = new ShownPlacesRecorder({
      redis,
      saleName,
      keyPrefix,
      onFlushProblem: logFlushProblem(
        logger,
        'shown places',
        'the controller reads the opening’s show-up once they can',
      ),
    });
  }

  /** Notes admitted ticket `ticketNumber` served at `nowMs` under `state`; no I/O. */
  record(state: WaitingRoomState, ticketNumber: number, nowMs: number): void {
    this.shoppers.record(ticketNumber, nowMs);
    this.shownPlaces.record(state, ticketNumber);
  }

  /** Sends what was noted; never throws. */
  async flush(): Promise<void> {
    await Promise.all([this.shoppers.flush(), this.shownPlaces.flush()]);
  }
}

/** Logs a recorder's failing flushes once per episode, with what the controller loses meanwhile. */
function logFlushProblem(logger: GateLogger, what: string, meanwhile: string): (problem: FlushProblem) => void {
  return ({ failing, error }) =>
    failing
      ? logger.warn(`waiting room ${what} could not be sent to Redis; ${meanwhile}`, { error })
      : logger.info(`waiting room ${what} sent to Redis again`);
}
