/**
 * The pass check through the real gate over HTTP while the room is open (defence in depth behind
 * the edge): no pass, a pass of another identity, a forged or expired one are refused (302 to the
 * join for page loads, 403 JSON otherwise); a valid pass and static routes go through; a closed
 * room changes nothing.
 */
import Redis from 'ioredis';
import { OUTCOME_HEADER } from '../../../contracts/metrics/gate-metrics';
import {
  WAITING_ROOM_HEADER,
  WAITING_ROOM_JOIN_PATH,
  WAITING_ROOM_PASS_COOKIE,
  WAITING_ROOM_TICKET_COOKIE,
} from '../../../contracts/waiting-room';
import type { StartedGate } from '../../../gate/proxy/gate-server';
import { testRedisUrl } from '../../support/test-redis';
import { createTestHttpClient } from '../proxy/fixtures/http-client';
import { startTestUpstream, type TestUpstream } from '../proxy/fixtures/test-upstream';
import {
  emfSum,
  eventually,
  passFor,
  roomState,
  startRoomGate,
  ticketFor,
  uniqueSaleName,
  writeRoom,
} from './fixtures/room-gate-fixture';

const saleName = uniqueSaleName();
let redis: Redis;
let upstream: TestUpstream;
let gate: StartedGate;
const emf: string[] = [];
const http = createTestHttpClient();

beforeAll(async () => {
  redis = new Redis(testRedisUrl());
  upstream = await startTestUpstream();
  await writeRoom(redis, saleName, roomState());
  gate = await startRoomGate({ saleName, redisUrl: testRedisUrl(), upstream, emf });
});

afterAll(async () => {
  await http.close();
  await gate.close();
  await upstream.close();
  await redis.quit();
});

const pass = (cookie: string) => `${WAITING_ROOM_PASS_COOKIE}=${cookie}`;
const get = (path: string, user: string, cookie?: string) =>
  http.get(`${gate.url}${path}`, { 'x-user-id': user, ...(cookie ? { cookie } : {}) });

describe('while the room is open', () => {
  it('sends a page load without a pass to the join, coming back to the same URL', async () => {
    const answer = await get('/drop?size=42', 'nopass');
    expect(answer.status).toBe(302);
    expect(answer.headers.location).toBe(`${WAITING_ROOM_JOIN_PATH}?next=${encodeURIComponent('/drop?size=42')}`);
    expect(answer.headers[WAITING_ROOM_HEADER]).toBe('gate-refused');
    expect(answer.headers[OUTCOME_HEADER]).toBe('limited');
    expect(upstream.received.get('/drop')).toBeUndefined();
  });

  it('answers 403 JSON naming the join to a request that cannot follow a redirect', async () => {
    const answer = await http.send('POST', `${gate.url}/api/checkout`, {
      headers: { 'x-user-id': 'nopass', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(answer.status).toBe(403);
    expect(answer.json()).toEqual({
      error: 'waiting-room',
      reason: 'missing',
      join: `${WAITING_ROOM_JOIN_PATH}?next=${encodeURIComponent('/api/checkout')}`,
    });
  });

  it('lets a valid pass of this identity through to the app', async () => {
    const answer = await get('/api/products/1', 'admitted', pass(passFor('u:admitted')));
    expect(answer.status).toBe(200);
    expect(answer.headers[OUTCOME_HEADER]).toBe('served');
    const checkout = await http.send('POST', `${gate.url}/api/checkout`, {
      headers: { 'x-user-id': 'admitted', cookie: pass(passFor('u:admitted')), 'content-type': 'application/json' },
      body: '{"sku":"a"}',
    });
    expect(checkout.status).toBe(201);
  });

  it('refuses a pass bound to another identity, a forged one, an expired one and one of an unknown key', async () => {
    const cases: Array<[string, string]> = [
      ['other-identity', passFor('u:someone-else')],
      ['bad-signature', passFor('u:thief', { secret: 'another-secret-0123456789abcdef' })],
      ['expired', passFor('u:thief', { expiresAtMs: Date.now() - 1000 })],
      ['unknown-key', passFor('u:thief', { kid: 'k9', secret: 'another-secret-0123456789abcdef' })],
      ['malformed', 'p1:1:2:3.abc'],
    ];
    for (const [reason, cookie] of cases) {
      const page = await get('/drop', 'thief', pass(cookie));
      expect([reason, page.status]).toEqual([reason, 302]);
      const api = await http.send('POST', `${gate.url}/api/cart`, {
        headers: { 'x-user-id': 'thief', cookie: pass(cookie) },
        body: '',
      });
      expect([reason, api.status, api.json().reason]).toEqual([reason, 403, reason]);
    }
  });

  it('accepts a pass bound to the visitor’s address after it signed in', async () => {
    const answer = await http.get(`${gate.url}/drop`, {
      'x-user-id': 'signed-in-later',
      'x-forwarded-for': '203.0.113.50, 10.0.0.1',
      cookie: pass(passFor('ip:203.0.113.50')),
    });
    expect(answer.status).toBe(200);
  });

  it('does not loop a visitor who holds a ticket not yet admitted back to the join', async () => {
    const answer = await get('/drop', 'in-line', `${WAITING_ROOM_TICKET_COOKIE}=${ticketFor('u:in-line', 1_000_000)}`);
    expect(answer.status).toBe(403);
    expect(answer.json()).toEqual({ error: 'waiting-room', reason: 'not-admitted-yet' });
  });

  it('lets static routes, health and the gate’s own paths through without a pass', async () => {
    expect((await get('/assets/app.js', 'nopass')).status).toBe(200);
    expect((await get('/healthz', 'nopass')).status).toBe(200);
    expect((await get('/_gate/ready', 'nopass')).status).not.toBe(302);
  });

  it('counts passes admitted and refused in the gate’s metrics', async () => {
    expect(
      await eventually(
        () => emfSum(emf, 'WaitingRoomPassRefused') >= 12 && emfSum(emf, 'WaitingRoomPassAdmitted') >= 3,
      ),
    ).toBe(true);
    expect(emf.map((l) => JSON.parse(l) as Record<string, unknown>).some((r) => r.WaitingRoomOpen === 1)).toBe(true);
  });
});

describe('an admitted ticket whose pass the edge could not issue', () => {
  it('goes through on the room’s schedule, as the edge would have admitted it', async () => {
    await writeRoom(redis, saleName, roomState({ ratePerSecond: 1000, t0Ms: Date.now() - 10_000 }));
    const ticket = `${WAITING_ROOM_TICKET_COOKIE}=${ticketFor('u:early', 3)}`;
    expect(await eventually(async () => (await get('/drop', 'early', ticket)).status === 200)).toBe(true);
    // Bound to its identity: the same ticket in another's hands is refused.
    expect((await get('/drop', 'not-early', ticket)).status).toBe(302);
  });
});

describe('when the room closes', () => {
  it('lets everything through again, with no pass', async () => {
    await writeRoom(redis, saleName, roomState({ open: false }));
    expect(await eventually(async () => (await get('/drop', 'anyone')).status === 200)).toBe(true);
    expect(
      (await http.send('POST', `${gate.url}/api/cart`, { headers: { 'x-user-id': 'anyone' }, body: '' })).status,
    ).toBe(200);
  });
});
