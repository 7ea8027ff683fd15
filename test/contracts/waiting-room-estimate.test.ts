/** The waiting page's estimate in the contract: which rate it uses, and when it is held back (estimating). */
import type { WaitingRoomState } from '../../contracts/waiting-room';
import { estimateRateOf, waitingStatus } from '../../contracts/waiting-room-schedule';
import { ROOM_OPENED_AT, roomState } from '../support/waiting-room-state';

const OPENED_AT = ROOM_OPENED_AT;
// Bad values of the estimate rate go in as they would arrive in a stored document.
const room = (overrides: Record<string, unknown> = {}): WaitingRoomState =>
  ({ ...roomState({ passSeconds: 600, passMaxSeconds: 1800 }), ...overrides }) as WaitingRoomState;

// 2 s after the opening at 10/s, the line is at ticket 20: place 119 has 99 ahead, 100 tickets to go.
const NOW = OPENED_AT + 2_000;
const PLACE = 119;

describe('waitingStatus: the estimate rate', () => {
  it.each<[string, Record<string, unknown>, number | null, boolean]>([
    ['absent: the admission rate (documents written before the field)', {}, 10, false],
    ['equal to the rate: the same numbers as without it', { estimateRatePerSecond: 10 }, 10, false],
    ['faster than the rate: 100 tickets at 20/s', { estimateRatePerSecond: 20 }, 5, false],
    ['slower than the rate: 100 tickets at 4/s', { estimateRatePerSecond: 4 }, 25, false],
    ['to the nearest second, down: 100 tickets at 3/s', { estimateRatePerSecond: 3 }, 33, false],
    ['to the nearest second, up: 100 tickets at 6/s', { estimateRatePerSecond: 6 }, 17, false],
    ['0: not measured yet, so no wait is promised', { estimateRatePerSecond: 0 }, null, true],
    [
      '0 while admission is paused: paused, not estimating',
      { estimateRatePerSecond: 0, ratePerSecond: 0, ticket0: 20 },
      null,
      false,
    ],
    ['measured but paused: no wait', { estimateRatePerSecond: 5, ratePerSecond: 0, ticket0: 20 }, null, false],
  ])('%s', (_name, overrides, estimatedWaitSeconds, estimating) => {
    const status = waitingStatus(room(overrides), PLACE, NOW);
    expect(status).toEqual(
      expect.objectContaining({ status: 'waiting', position: 100, peopleAhead: 99, estimatedWaitSeconds, estimating }),
    );
  });

  it.each<[string, unknown]>([
    ['negative', -3],
    ['not a number', Number.NaN],
    ['infinite', Number.POSITIVE_INFINITY],
    ['text', '20'],
    ['null', null],
  ])('reads a %s estimate rate as absent: the admission rate', (_name, value) => {
    const state = room({ estimateRatePerSecond: value });
    expect(estimateRateOf(state)).toBe(10);
    expect(waitingStatus(state, PLACE, NOW)).toEqual(waitingStatus(room(), PLACE, NOW));
  });

  it('does not estimate in the pre-queue, whatever the estimate rate', () => {
    const state = room({ preQueueUntilMs: OPENED_AT, ratePerSecond: 0, estimateRatePerSecond: 0 });
    expect(waitingStatus(state, -1, NOW)).toEqual({
      status: 'pre-queue',
      position: null,
      peopleAhead: null,
      estimatedWaitSeconds: null,
      estimating: false,
      opensAtMs: OPENED_AT,
      ratePerSecond: 0,
    });
  });

  it('counts only the tickets still ahead: at the ticket’s turn the estimate is 0', () => {
    const state = room({ estimateRatePerSecond: 40 });
    expect(waitingStatus(state, 19, NOW).estimatedWaitSeconds).toBe(0);
    // 40 tickets to go at 40/s: 1 s (at the admission rate, 10/s, it would say 4 s); 61 round to 2 s.
    expect(waitingStatus(state, 59, NOW).estimatedWaitSeconds).toBe(1);
    expect(waitingStatus(state, 60, NOW).estimatedWaitSeconds).toBe(1);
    expect(waitingStatus(state, 80, NOW).estimatedWaitSeconds).toBe(2);
  });
});
