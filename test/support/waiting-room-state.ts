/** A waiting room's state for tests: open since ROOM_OPENED_AT at 10 tickets a second, no pre-queue; overrides change the rest. */
import type { WaitingRoomState } from '../../contracts/waiting-room';

export const ROOM_OPENED_AT = 1_800_000_000_000;

export function roomState(overrides: Partial<WaitingRoomState> = {}): WaitingRoomState {
  return {
    v: 1,
    open: true,
    keyId: 'k1',
    t0Ms: ROOM_OPENED_AT,
    ticket0: 0,
    ratePerSecond: 10,
    openedAtMs: ROOM_OPENED_AT,
    ticketsFromMs: 0,
    preQueueUntilMs: 0,
    preQueueStart: 0,
    preQueueSize: 0,
    shuffleSeed: '',
    passSeconds: 900,
    passMaxSeconds: 3600,
    ...overrides,
  };
}
