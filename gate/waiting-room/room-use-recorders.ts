/**
 * What the gate tells the controller about admitted shoppers, through Redis: who was active in each
 * window (active-shoppers-recorder.ts) and which places in line have been used since the opening
 * (shown-places-recorder.ts). Both note in memory per request and send on the metrics interval.
 */
import type Redis from 'ioredis';
import type { WaitingRoomState } from '../../contracts/waiting-room';
import type { GateLogger } from '../proxy/gate-logger';
import { ActiveShoppersRecorder } from './active-shoppers-recorder';
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
      onFlushProblem: ({ failing, error }) =>
        failing
          ? logger.warn(
              'waiting room active shoppers could not be sent to Redis; the controller counts fewer until they can',
              { error },
            )
          : logger.info('waiting room active shoppers sent to Redis again'),
    });
    this.shownPlaces = new ShownPlacesRecorder({
      redis,
      saleName,
      keyPrefix,
      onFlushProblem: ({ failing, error }) =>
        failing
          ? logger.warn(
              'waiting room shown places could not be sent to Redis; the controller reads the opening’s show-up once they can',
              { error },
            )
          : logger.info('waiting room shown places sent to Redis again'),
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
