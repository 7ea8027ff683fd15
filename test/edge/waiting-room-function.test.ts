import { readFileSync } from 'node:fs';
import {
  WAITING_ROOM_JOIN_PATH,
  WAITING_ROOM_PASS_COOKIE,
  WAITING_ROOM_STATE_KEY,
  WAITING_ROOM_TICKET_COOKIE,
} from '../../contracts/waiting-room';
import { decodePass } from '../../gate/waiting-room/room-cookies';
import { FUNCTION_FILE, IDENTITY, OLD_SECRET, OPENED_AT, SECRET, openState, testRoom } from './waiting-room-test-room';
import { viewerRequest } from '../../edge/local/cloudfront-function-runtime';

const secretOf = (kid: string) => ({ k1: OLD_SECRET, k2: SECRET })[kid];

describe('the waiting-room function within CloudFront Functions limits', () => {
  const source = readFileSync(FUNCTION_FILE, 'utf8');

  it('is under the 10 KB function size quota', () => {
    expect(Buffer.byteLength(source, 'utf8')).toBeLessThan(10 * 1024);
  });

  it('uses no syntax or global the 2.0 runtime lacks', () => {
    for (const forbidden of [
      /\?\./,
      /\?\?/,
      /\bclass\s/,
      /\brequire\(/,
      /\bprocess\./,
      /\bBuffer\b/,
      /\bsetTimeout\b/,
      /\bfunction\s*\*/,
      /async\s*\(/,
      /async\s+\w+\s*=>/,
    ]) {
      expect(source).not.toMatch(forbidden);
    }
  });

  it('runs in a sandbox where Node globals do not exist', () => {
    const { edge } = testRoom();
    expect(
      edge.evaluate(
        '[typeof require, typeof process, typeof Buffer, typeof setTimeout, typeof URL, typeof TextEncoder].join()',
      ),
    ).toBe('undefined,undefined,undefined,undefined,undefined,undefined');
  });
});

describe('the waiting-room function: when it lets requests through', () => {
  it('passes every request through while the room is closed', async () => {
    const room = testRoom(openState({ open: false }));
    const event = viewerRequest({});
    expect(await room.edge.handler(event)).toBe(event.request);
  });

  it('passes requests through when the store holds no room state (fails open; the gate checks passes too)', async () => {
    const room = testRoom();
    room.edge.store.delete(WAITING_ROOM_STATE_KEY);
    const event = viewerRequest({});
    expect(await room.edge.handler(event)).toBe(event.request);
  });

  it('lets the join through to the gate while the room is open', async () => {
    const room = testRoom();
    const event = viewerRequest({ uri: WAITING_ROOM_JOIN_PATH, query: { next: '/x' } });
    expect(await room.edge.handler(event)).toBe(event.request);
  });

  it('passes a request with a valid pass through untouched', async () => {
    const room = testRoom();
    const event = viewerRequest({
      cookies: {
        [WAITING_ROOM_PASS_COOKIE]: room.pass({ expiresAtMs: OPENED_AT + 500_000, capAtMs: OPENED_AT + 1_000_000 }),
      },
    });
    expect(await room.edge.handler(event)).toBe(event.request);
  });

  it('accepts a pass signed with the previous key while that key is still in the store', async () => {
    const room = testRoom();
    const event = viewerRequest({
      cookies: {
        [WAITING_ROOM_PASS_COOKIE]: room.pass({
          expiresAtMs: OPENED_AT + 500_000,
          capAtMs: OPENED_AT + 1_000_000,
          kid: 'k1',
        }),
      },
    });
    expect(await room.edge.handler(event)).toBe(event.request);
  });
});

describe('the waiting-room function: sending visitors without a place to the join', () => {
  it('redirects a visitor with no ticket to the join, naming the page to come back to', async () => {
    const room = testRoom();
    const answer = await room.edge.handler(viewerRequest({ query: { size: '42', color: 'red' } }));
    expect(answer.statusCode).toBe(302);
    expect(answer.headers.location.value).toBe(
      `${WAITING_ROOM_JOIN_PATH}?next=${encodeURIComponent('/products/drop?size=42&color=red')}`,
    );
    expect(answer.headers['saleday-waiting-room'].value).toBe('join');
    expect(answer.headers['cache-control'].value).toBe('no-store');
  });

  it('uses 307 for a method other than GET or HEAD', async () => {
    const room = testRoom();
    expect((await room.edge.handler(viewerRequest({ method: 'POST', uri: '/api/checkout' }))).statusCode).toBe(307);
  });

  const refusedTickets: Array<[string, (room: ReturnType<typeof testRoom>) => string]> = [
    ['a bad signature', (room) => `${room.ticket(3).split('.')[0]}.${'A'.repeat(43)}`],
    ['a tampered number', (room) => room.ticket(3).replace(/^t1:3:/, 't1:1:')],
    ['an unknown key id', (room) => room.ticket(3).replace(':k2.', ':k9.')],
    ['a pass offered as a ticket', (room) => room.pass({ expiresAtMs: OPENED_AT + 1, capAtMs: OPENED_AT + 1 })],
    ['no signature at all', () => 't1:3:1:abc:k2'],
    ['a key id that is not a key id', (room) => room.ticket(3).replace(':k2.', ':k/2.')],
  ];
  it.each(refusedTickets)('treats a ticket with %s as no ticket', async (_name, make) => {
    const room = testRoom();
    const answer = await room.edge.handler(viewerRequest({ cookies: { [WAITING_ROOM_TICKET_COOKIE]: make(room) } }));
    expect(answer.headers['saleday-waiting-room'].value).toBe('join');
  });

  const refusedPasses: Array<[string, (room: ReturnType<typeof testRoom>) => string]> = [
    ['expired', (room) => room.pass({ expiresAtMs: OPENED_AT, capAtMs: OPENED_AT + 1000 })],
    [
      'tampered (expiry moved)',
      (room) =>
        room
          .pass({ expiresAtMs: OPENED_AT - 1, capAtMs: OPENED_AT + 1000 })
          .replace(`:${OPENED_AT - 1}:`, `:${OPENED_AT + 999}:`),
    ],
    [
      'signed by a removed key',
      (room) => room.pass({ expiresAtMs: OPENED_AT + 1000, capAtMs: OPENED_AT + 1000 }).replace(':k2.', ':k3.'),
    ],
  ];
  it.each(refusedPasses)('does not accept a pass that is %s', async (_name, make) => {
    const room = testRoom();
    const answer = await room.edge.handler(viewerRequest({ cookies: { [WAITING_ROOM_PASS_COOKIE]: make(room) } }));
    expect(answer.headers['saleday-waiting-room'].value).toBe('join');
  });

  it('sends a ticket issued before the room started (an earlier opening) back to the join', async () => {
    const room = testRoom(openState({ ticketsFromMs: OPENED_AT - 60_000 }));
    room.clock.advance(10_000);
    const old = await room.edge.handler(
      viewerRequest({ cookies: { [WAITING_ROOM_TICKET_COOKIE]: room.ticket(2, OPENED_AT - 60_001) } }),
    );
    expect(old.headers['saleday-waiting-room'].value).toBe('join');
    const current = await room.edge.handler(
      viewerRequest({ cookies: { [WAITING_ROOM_TICKET_COOKIE]: room.ticket(2, OPENED_AT - 60_000) } }),
    );
    expect(current.headers['saleday-waiting-room'].value).toBe('admitted');
  });

  it('sends a ticket whose turn passed longer ago than a pass may last back to the join', async () => {
    const room = testRoom();
    room.clock.set(OPENED_AT + 1800_000 + 2_000); // rate 10/s: ticket 0's turn came 1800 s + 2 s ago
    const answer = await room.edge.handler(
      viewerRequest({ cookies: { [WAITING_ROOM_TICKET_COOKIE]: room.ticket(0) } }),
    );
    expect(answer.headers['saleday-waiting-room'].value).toBe('join');
  });
});

describe('the waiting-room function: admission by schedule', () => {
  it('keeps ticket 5 waiting at the opening and admits it once the line reaches it (10 per second)', async () => {
    const room = testRoom();
    const event = () => viewerRequest({ query: { a: '1' }, cookies: { [WAITING_ROOM_TICKET_COOKIE]: room.ticket(5) } });
    expect((await room.edge.handler(event())).headers['saleday-waiting-room'].value).toBe('waiting');
    room.clock.advance(599);
    expect((await room.edge.handler(event())).headers['saleday-waiting-room'].value).toBe('waiting');
    room.clock.advance(1);
    const answer = await room.edge.handler(event());
    expect(answer.statusCode).toBe(302);
    expect(answer.headers.location.value).toBe('/products/drop?a=1');
    expect(answer.headers['saleday-waiting-room'].value).toBe('admitted');
    expect(answer.cookies[WAITING_ROOM_TICKET_COOKIE].attributes).toMatch(/Max-Age=0$/);
    const pass = decodePass(answer.cookies[WAITING_ROOM_PASS_COOKIE].value, secretOf);
    expect(pass).toEqual({
      ok: true,
      value: {
        number: 5,
        expiresAtMs: OPENED_AT + 600 + 600_000,
        capAtMs: OPENED_AT + 600 + 1_800_000,
        identityHash: IDENTITY,
        kid: 'k2',
      },
    });
    expect(answer.cookies[WAITING_ROOM_PASS_COOKIE].attributes).toBe(
      'Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=1800',
    );
  });

  it('admits only the tickets below ticket0 while the rate is 0 (paused)', async () => {
    const room = testRoom(openState({ ratePerSecond: 0, ticket0: 4 }));
    room.clock.advance(3_600_000);
    const withTicket = (n: number) => viewerRequest({ cookies: { [WAITING_ROOM_TICKET_COOKIE]: room.ticket(n) } });
    expect((await room.edge.handler(withTicket(3))).headers['saleday-waiting-room'].value).toBe('admitted');
    expect((await room.edge.handler(withTicket(4))).headers['saleday-waiting-room'].value).toBe('waiting');
  });

  it('signs new passes with the current key even when the ticket was signed with the previous one', async () => {
    const room = testRoom();
    room.clock.advance(1000);
    const answer = await room.edge.handler(
      viewerRequest({ cookies: { [WAITING_ROOM_TICKET_COOKIE]: room.ticket(2, OPENED_AT, 'k1') } }),
    );
    const pass = decodePass(answer.cookies[WAITING_ROOM_PASS_COOKIE].value, secretOf);
    expect(pass.ok && pass.value.kid).toBe('k2');
  });

  it('renews a pass in its last third by redirecting to the same URL, never past its cap', async () => {
    const room = testRoom();
    const cap = OPENED_AT + 300_000;
    const nearExpiry = room.pass({ expiresAtMs: OPENED_AT + 199_000, capAtMs: cap });
    const answer = await room.edge.handler(viewerRequest({ cookies: { [WAITING_ROOM_PASS_COOKIE]: nearExpiry } }));
    expect(answer.statusCode).toBe(302);
    expect(answer.headers['saleday-waiting-room'].value).toBe('renewed');
    const renewed = decodePass(answer.cookies[WAITING_ROOM_PASS_COOKIE].value, secretOf);
    expect(renewed.ok && renewed.value).toEqual(expect.objectContaining({ expiresAtMs: cap, capAtMs: cap }));
    expect(answer.cookies[WAITING_ROOM_TICKET_COOKIE]).toBeUndefined();
  });

  it('does not renew a pass outside its last third, nor one already at its cap', async () => {
    const room = testRoom();
    const early = viewerRequest({
      cookies: {
        [WAITING_ROOM_PASS_COOKIE]: room.pass({ expiresAtMs: OPENED_AT + 201_000, capAtMs: OPENED_AT + 900_000 }),
      },
    });
    expect(await room.edge.handler(early)).toBe(early.request);
    const capped = viewerRequest({
      cookies: {
        [WAITING_ROOM_PASS_COOKIE]: room.pass({ expiresAtMs: OPENED_AT + 10_000, capAtMs: OPENED_AT + 10_000 }),
      },
    });
    expect(await room.edge.handler(capped)).toBe(capped.request);
  });
});
