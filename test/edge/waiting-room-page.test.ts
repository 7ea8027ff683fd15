import { WAITING_ROOM_TICKET_COOKIE, type WaitingRoomState } from '../../contracts/waiting-room';
import { openedState, placeOf, preQueueShuffle, waitingStatus, withRate } from '../../contracts/waiting-room-schedule';
import { viewerRequest } from '../../edge/local/cloudfront-function-runtime';
import { OPENED_AT, openState, testRoom, type TestRoom } from './waiting-room-test-room';

const JSON_ACCEPT = 'application/json';
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

async function askJson(room: TestRoom, ticket: string) {
  const answer = await room.edge.handler(
    viewerRequest({ accept: JSON_ACCEPT, cookies: { [WAITING_ROOM_TICKET_COOKIE]: ticket } }),
  );
  return { answer, body: JSON.parse(answer.body) };
}

describe('the waiting page: JSON and HTML', () => {
  it('answers JSON callers with 503, Retry-After and their status', async () => {
    const room = testRoom();
    const { answer, body } = await askJson(room, room.ticket(25));
    expect(answer.statusCode).toBe(503);
    expect(answer.headers['content-type'].value).toBe('application/json');
    expect(answer.headers['cache-control'].value).toBe('no-store');
    expect(body).toEqual({
      status: 'waiting',
      position: 26,
      peopleAhead: 25,
      estimatedWaitSeconds: 3,
      estimating: false,
      opensAtMs: 0,
      ratePerSecond: 10,
    });
    expect(answer.headers['retry-after'].value).toBe('2');
  });

  it('answers a browser with a 200 page that refreshes itself and tells the place in line', async () => {
    const room = testRoom(openState({ ratePerSecond: 2 }));
    const answer = await room.edge.handler(
      viewerRequest({ accept: BROWSER_ACCEPT, cookies: { [WAITING_ROOM_TICKET_COOKIE]: room.ticket(400) } }),
    );
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type'].value).toBe('text/html; charset=utf-8');
    expect(answer.body).toContain('<meta http-equiv="refresh" content="30">');
    expect(answer.body).toContain('You are number 401 in line. Estimated wait: 3 minutes.');
  });

  it('says when the sale opens to a visitor in the pre-queue, without a position', async () => {
    const opensAt = Date.UTC(2026, 10, 27, 9, 0);
    const room = testRoom(openState({ preQueueUntilMs: opensAt, ratePerSecond: 0, t0Ms: opensAt }));
    room.clock.set(opensAt - 600_000);
    const html = await room.edge.handler(
      viewerRequest({ cookies: { [WAITING_ROOM_TICKET_COOKIE]: room.ticket(7, opensAt - 700_000) } }),
    );
    expect(html.body).toContain('The sale opens at 09:00 UTC.');
    const { body } = await askJson(room, room.ticket(7, opensAt - 700_000));
    expect(body).toEqual({
      status: 'pre-queue',
      position: null,
      peopleAhead: null,
      estimatedWaitSeconds: null,
      estimating: false,
      opensAtMs: opensAt,
      ratePerSecond: 0,
    });
  });
});

describe('the waiting page: position and estimated wait', () => {
  const base = openState();
  const rows: Array<[string, WaitingRoomState, number, number]> = [
    ['at the opening, 10/s', base, 0, 99],
    ['12.3 s in, 10/s', base, 12_300, 500],
    ['after a slow-down to 2/s', withRate(base, 2, OPENED_AT + 10_000), 20_000, 250],
    ['after a speed-up to 250/s', withRate(base, 250, OPENED_AT + 5_000), 6_000, 10_000],
    ['scheduled to start in a minute', openState({ t0Ms: OPENED_AT + 60_000 }), 0, 30],
    ['paused', openState({ ratePerSecond: 0, ticket0: 50 }), 5_000, 80],
  ];
  it.each(rows)('matches the schedule %s', async (_name, state, elapsedMs, ticket) => {
    const room = testRoom(state);
    room.clock.advance(elapsedMs);
    const { body } = await askJson(room, room.ticket(ticket));
    expect(body).toEqual(waitingStatus(state, placeOf(state, ticket, OPENED_AT - 1000), OPENED_AT + elapsedMs));
  });

  it('spreads the refresh of neighbours in line over half to all of half their wait, so they do not come back in step', async () => {
    const room = testRoom(openState({ ratePerSecond: 1 }));
    const refreshes: number[] = [];
    for (let ticket = 40; ticket < 60; ticket += 1) {
      const answer = await room.edge.handler(
        viewerRequest({ cookies: { [WAITING_ROOM_TICKET_COOKIE]: room.ticket(ticket) } }),
      );
      refreshes.push(Number(answer.headers['retry-after'].value));
    }
    // Each waits 41 to 60 s at 1/s: half of that, times 0.5 to 1.
    for (const [i, refresh] of refreshes.entries()) {
      expect(refresh).toBeGreaterThanOrEqual(Math.ceil((41 + i) / 4));
      expect(refresh).toBeLessThanOrEqual(Math.ceil((41 + i) / 2));
    }
    expect(new Set(refreshes).size).toBeGreaterThanOrEqual(8);
  });

  it('gives an estimate that holds: the ticket is admitted at the estimated second, not before', async () => {
    const state = withRate(openState(), 3, OPENED_AT + 4_000);
    const room = testRoom(state);
    room.clock.advance(5_500);
    const { body } = await askJson(room, room.ticket(123));
    const admittedBy = (ms: number) => {
      room.clock.set(ms);
      return room.edge.handler(viewerRequest({ cookies: { [WAITING_ROOM_TICKET_COOKIE]: room.ticket(123) } }));
    };
    const asked = OPENED_AT + 5_500;
    expect(
      (await admittedBy(asked + (body.estimatedWaitSeconds - 1) * 1000)).headers['saleday-waiting-room'].value,
    ).toBe('waiting');
    expect((await admittedBy(asked + body.estimatedWaitSeconds * 1000)).headers['saleday-waiting-room'].value).toBe(
      'admitted',
    );
  });
});

describe('the pre-queue: random order at the opening, first come first served after', () => {
  const opensAt = OPENED_AT;
  const size = 60;
  const opened = openedState(openState({ preQueueUntilMs: opensAt, ratePerSecond: 0, open: true }), {
    nowMs: opensAt,
    issuedCount: size,
    shuffleSeed: 'seed-drawn-at-the-opening',
    ratePerSecond: 1,
  });

  /** People ahead of the ticket at the opening: its place counted from the first ticket of the line. */
  async function placeAtOpening(room: TestRoom, ticket: number, issuedAtMs: number): Promise<number> {
    const { body } = await askJson(room, room.ticket(ticket, issuedAtMs));
    return body.position - 1;
  }

  it('gives the pre-queue tickets a permutation of their places, the same one the TypeScript twin computes', async () => {
    const room = testRoom(opened);
    const places: number[] = [];
    for (let n = 0; n < size; n++) places.push(await placeAtOpening(room, n, opensAt - 60_000 + n));
    expect([...places].sort((a, b) => a - b)).toEqual(Array.from({ length: size }, (_, i) => i));
    expect(places).toEqual(
      Array.from({ length: size }, (_, n) => preQueueShuffle(n, size, 'seed-drawn-at-the-opening')),
    );
  });

  it('does not keep arrival order: the places barely correlate with it', async () => {
    const room = testRoom(opened);
    const places: number[] = [];
    for (let n = 0; n < size; n++) places.push(await placeAtOpening(room, n, opensAt - 60_000 + n));
    const mean = (size - 1) / 2;
    const covariance = places.reduce((sum, p, n) => sum + (p - mean) * (n - mean), 0);
    const variance = places.reduce((sum, _p, n) => sum + (n - mean) ** 2, 0);
    expect(Math.abs(covariance / variance)).toBeLessThan(0.35);
    expect(places.slice(0, 5)).not.toEqual([0, 1, 2, 3, 4]);
  });

  it('shuffles only the tickets of this pre-queue when the counter started higher (an earlier opening)', async () => {
    const started = openState({
      preQueueUntilMs: opensAt,
      ratePerSecond: 0,
      preQueueStart: 1000,
      ticket0: 1000,
      ticketsFromMs: opensAt - 3_600_000,
    });
    const reopened = openedState(started, {
      nowMs: opensAt,
      issuedCount: 1000 + size,
      shuffleSeed: 'seed-drawn-at-the-opening',
      ratePerSecond: 1,
    });
    expect(reopened).toEqual(expect.objectContaining({ preQueueSize: size, ticket0: 1000, t0Ms: opensAt }));
    const room = testRoom(reopened);
    const places: number[] = [];
    // The line starts at ticket 1000, so the answer's position counts from there.
    for (let n = 1000; n < 1000 + size; n++) places.push(await placeAtOpening(room, n, opensAt - 60_000));
    expect([...places].sort((a, b) => a - b)).toEqual(Array.from({ length: size }, (_, i) => i));
    expect(places).not.toEqual(Array.from({ length: size }, (_, i) => i));
    expect(await placeAtOpening(room, 1000 + size, opensAt + 1)).toBe(size);
  });

  it('draws a different order with a different seed', () => {
    const a = Array.from({ length: size }, (_, n) => preQueueShuffle(n, size, 'seed-one-0123456789'));
    const b = Array.from({ length: size }, (_, n) => preQueueShuffle(n, size, 'seed-two-0123456789'));
    expect(a).not.toEqual(b);
  });

  it('places tickets issued after the opening behind the pre-queue, in arrival order', async () => {
    const room = testRoom(opened);
    expect(await placeAtOpening(room, size, opensAt + 5)).toBe(size);
    expect(await placeAtOpening(room, size + 7, opensAt + 9)).toBe(size + 7);
  });

  it.each([1, 2, 3, 4, 5, 16, 17, 1000])('is a permutation for a pre-queue of %i', (n) => {
    const places = new Set(Array.from({ length: n }, (_, i) => preQueueShuffle(i, n, 'a-seed-of-sixteen-chars')));
    expect(places.size).toBe(n);
    expect(Math.max(...places)).toBe(n - 1);
  });
});
