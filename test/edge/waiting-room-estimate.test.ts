/**
 * The edge function's estimate in its sandbox (no Node globals): the estimate rate from the room's
 * state, "estimating" while it is 0, malformed values read as absent, and the same answers as the contract.
 */
import {
  WAITING_ROOM_STATE_KEY,
  WAITING_ROOM_TICKET_COOKIE,
  type WaitingRoomState,
} from '../../contracts/waiting-room';
import { placeOf, waitingStatus, withRate } from '../../contracts/waiting-room-schedule';
import { viewerRequest } from '../../edge/local/cloudfront-function-runtime';
import { OPENED_AT, openState, testRoom, type TestRoom } from './waiting-room-test-room';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const ISSUED_AT = OPENED_AT - 1000;

async function ask(room: TestRoom, ticket: number, accept = 'application/json') {
  return room.edge.handler(
    viewerRequest({ accept, cookies: { [WAITING_ROOM_TICKET_COOKIE]: room.ticket(ticket, ISSUED_AT) } }),
  );
}

async function askJson(room: TestRoom, ticket: number) {
  return JSON.parse((await ask(room, ticket)).body);
}

describe('the edge: the estimate rate', () => {
  // 2 s after the opening at 10/s the line is at ticket 20; ticket 119 has 99 ahead and 100 tickets to go.
  it.each<[string, Partial<WaitingRoomState>, number | null, boolean]>([
    ['absent: the admission rate', {}, 10, false],
    ['measured faster than the rate', { estimateRatePerSecond: 20 }, 5, false],
    ['measured slower than the rate', { estimateRatePerSecond: 4 }, 25, false],
    ['not measured yet', { estimateRatePerSecond: 0 }, null, true],
    ['not measured, admission paused', { estimateRatePerSecond: 0, ratePerSecond: 0, ticket0: 20 }, null, false],
  ])('%s', async (_name, overrides, estimatedWaitSeconds, estimating) => {
    const state = openState(overrides);
    const room = testRoom(state);
    room.clock.advance(2_000);
    const body = await askJson(room, 119);
    expect(body).toEqual(expect.objectContaining({ position: 100, estimatedWaitSeconds, estimating }));
    expect(body).toEqual(waitingStatus(state, placeOf(state, 119, ISSUED_AT), OPENED_AT + 2_000));
  });

  it.each([
    ['negative', '-3'],
    ['text', '"20"'],
    ['null', 'null'],
    ['boolean', 'true'],
    ['too large to be a number', '1e999'],
  ])('reads a %s estimate rate as absent: the admission rate', async (_name, raw) => {
    const room = testRoom();
    const text = JSON.stringify(openState()).replace(/}$/, `,"estimateRatePerSecond":${raw}}`);
    room.edge.store.set(WAITING_ROOM_STATE_KEY, text);
    room.clock.advance(2_000);
    expect(await askJson(room, 119)).toEqual(expect.objectContaining({ estimatedWaitSeconds: 10, estimating: false }));
  });

  it('agrees with the contract over a line that changed rate, with an estimate rate apart from the rate', async () => {
    const state = { ...withRate(openState(), 7, OPENED_AT + 3_000), estimateRatePerSecond: 9.5 };
    const room = testRoom(state);
    for (const [elapsedMs, ticket] of [
      [3_000, 40],
      [4_321, 77],
      [9_999, 500],
      [60_000, 10_000],
    ] as const) {
      room.clock.set(OPENED_AT + elapsedMs);
      const body = await askJson(room, ticket);
      expect(body).toEqual(waitingStatus(state, placeOf(state, ticket, ISSUED_AT), OPENED_AT + elapsedMs));
      expect(body.estimatedWaitSeconds).toBeGreaterThan(0);
    }
  });
});

describe('the edge: the page while estimating', () => {
  it('tells a person the place in line and that the wait is being estimated, instead of a wait', async () => {
    const room = testRoom(openState({ estimateRatePerSecond: 0 }));
    room.clock.advance(2_000);
    const answer = await ask(room, 119, BROWSER_ACCEPT);
    expect(answer.statusCode).toBe(200);
    expect(answer.body).toContain('You are number 100 in line. Estimating your wait&hellip;');
    expect(answer.body).not.toContain('Estimated wait');
  });

  it('gives the wait at the measured rate once there is one', async () => {
    const room = testRoom(openState({ estimateRatePerSecond: 20 }));
    room.clock.advance(2_000);
    const answer = await ask(room, 119, BROWSER_ACCEPT);
    expect(answer.body).toContain('You are number 100 in line. Estimated wait: 5 seconds.');
    expect(answer.body).not.toContain('Estimating');
    // Half the 5 s wait, spread by place (place 119: × 0.77).
    expect(answer.body).toContain('<meta http-equiv="refresh" content="2">');
  });

  it.each([
    // Half the time the line takes to reach the place at the current rate, at most 10 s, spread by
    // place (× 0.5 to 1: place 119 × 0.77, place 10,000 × 0.67), at least 2 s.
    ['near the front', 20, 2],
    ['99 ahead at 10/s', 119, 4],
    ['far back', 10_000, 7],
  ])('refreshes while estimating: %s', async (_name, ticket, refresh) => {
    const room = testRoom(openState({ estimateRatePerSecond: 0 }));
    room.clock.advance(2_000);
    const html = await ask(room, ticket, BROWSER_ACCEPT);
    expect(html.body).toContain(`<meta http-equiv="refresh" content="${refresh}">`);
    const json = await ask(room, ticket);
    expect(JSON.parse(json.body).estimating).toBe(true);
    expect(json.headers['retry-after'].value).toBe(String(refresh));
  });
});
