/** The room's summary (metrics, log, `saleday queue status`) times the estimated wait like the waiting page. */
import type { WaitingRoomState } from '../../../contracts/waiting-room';
import { summarizeRoom } from '../../../lambda/waiting-room-controller/room-summary';
import { ROOM_OPENED_AT, roomState } from '../../support/waiting-room-state';

const T = ROOM_OPENED_AT;
const open = (overrides: Partial<WaitingRoomState> = {}): WaitingRoomState => roomState(overrides);

describe('summarizeRoom: the estimated wait', () => {
  // 2 s at 10/s: 20 admitted, 180 of 200 wait.
  it.each<[string, Partial<WaitingRoomState>, number | undefined, boolean]>([
    ['at the admission rate when the state has no estimate rate', {}, 18, false],
    ['at the measured estimate rate', { estimateRatePerSecond: 30 }, 6, false],
    ['none while the controller has not measured the line', { estimateRatePerSecond: 0 }, undefined, true],
    ['none while admission is paused', { ratePerSecond: 0, ticket0: 20, estimateRatePerSecond: 0 }, undefined, false],
  ])('%s', (_name, overrides, estimatedWaitSeconds, estimating) => {
    const summary = summarizeRoom(open(overrides), 200, T + 2_000);
    expect(summary).toEqual(expect.objectContaining({ waiting: 180, estimatedWaitSeconds, estimating }));
  });
});
