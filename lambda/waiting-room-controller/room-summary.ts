/**
 * The room in a few numbers, for the controller's metrics, its log and `saleday queue status`:
 * a pure function of the state, the ticket counter and now.
 */
import type { WaitingRoomState } from '../../contracts/waiting-room';
import { admittedBelow, estimateRateOf } from '../../contracts/waiting-room-schedule';

export interface RoomSummary {
  open: boolean;
  /** Open, collecting arrivals whose order is drawn at the opening. */
  preQueue: boolean;
  ratePerSecond: number;
  /** Tickets issued and not yet admitted. */
  waiting: number;
  admittedPerMinute: number;
  /**
   * How long the last ticket in line waits at the estimate rate, as the waiting page times it
   * (pre-queue: plus the time to the opening); undefined when admission is paused or while estimating.
   */
  estimatedWaitSeconds: number | undefined;
  /** Admitting, but the controller has not measured the line yet: the waiting page promises no wait. */
  estimating: boolean;
  issuedCount: number;
  keyId: string;
}

export function summarizeRoom(state: WaitingRoomState, issuedCount: number, nowMs: number): RoomSummary {
  const preQueue = state.open && state.preQueueUntilMs > 0 && !state.shuffleSeed;
  const waiting = state.open ? Math.max(0, issuedCount - admittedBelow(state, nowMs)) : 0;
  const untilOpening = preQueue ? Math.max(0, state.preQueueUntilMs - nowMs) / 1000 : 0;
  const admitting = state.open && state.ratePerSecond > 0;
  const estimateRate = estimateRateOf(state);
  return {
    open: state.open,
    preQueue,
    ratePerSecond: state.ratePerSecond,
    waiting,
    admittedPerMinute: admitting && !preQueue ? state.ratePerSecond * 60 : 0,
    estimatedWaitSeconds: !state.open
      ? 0
      : admitting && estimateRate > 0
        ? Math.ceil(untilOpening + waiting / estimateRate)
        : undefined,
    estimating: admitting && estimateRate === 0,
    issuedCount,
    keyId: state.keyId,
  };
}
