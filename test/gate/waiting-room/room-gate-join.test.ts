/**
 * The join through the real gate over HTTP, on a real Redis: a signed ticket bound to the
 * visitor's identity (one INCR), the reserved-path refusal letting exactly the join through, the
 * per-IP and per-identity join limits, and a gate that refuses to start without its secrets.
 */
import Redis from 'ioredis';
import { OUTCOME_HEADER } from '../../../contracts/metrics/gate-metrics';
import {
  WAITING_ROOM_HEADER,
  WAITING_ROOM_JOIN_PATH,
  WAITING_ROOM_TICKET_COOKIE,
} from '../../../contracts/waiting-room';
import { silentLogger } from '../../../gate/proxy/gate-logger';
import { createGate, startGate, type StartedGate } from '../../../gate/proxy/gate-server';
import { decodeTicket, identityHash, ticketCounterKey } from '../../../gate/waiting-room';
import { testRedisUrl, uniquePrefix } from '../../support/test-redis';
import { testConfig } from '../proxy/fixtures/test-config';
import { createTestHttpClient } from '../proxy/fixtures/http-client';
import { startTestUpstream, type TestUpstream } from '../proxy/fixtures/test-upstream';
import {
  emfSum,
  eventually,
  KID,
  roomConfig,
  ROOM_ENV,
  SECRET,
  startRoomGate,
  uniqueSaleName,
} from './fixtures/room-gate-fixture';

const saleName = uniqueSaleName();
const secretOf = (kid: string) => (kid === KID ? SECRET : undefined);
let redis: Redis;
let upstream: TestUpstream;
let gate: StartedGate;
const emf: string[] = [];
const http = createTestHttpClient();

beforeAll(async () => {
  redis = new Redis(testRedisUrl());
  upstream = await startTestUpstream();
  // Small join limits that do not refill within a test, however slow the machine.
  gate = await startRoomGate({
    saleName,
    redisUrl: testRedisUrl(),
    upstream,
    emf,
    room: {
      joinLimits: { perIp: { ratePerSecond: 0.001, burst: 4 }, perIdentity: { ratePerSecond: 0.001, burst: 2 } },
    },
  });
});

afterAll(async () => {
  await http.close();
  await gate.close();
  await upstream.close();
  await redis.quit();
});

/** A request from client address `ip` (behind the two proxies the test config trusts). */
const join = (ip: string, headers: Record<string, string> = {}, next = '/drop?size=42') =>
  http.get(`${gate.url}${WAITING_ROOM_JOIN_PATH}?next=${encodeURIComponent(next)}`, {
    'x-forwarded-for': `${ip}, 10.0.0.1`,
    ...headers,
  });
const cookieOf = (setCookie: string | undefined) => /saleday-wr-ticket=([^;]+)/.exec(setCookie ?? '')?.[1];

describe('the join', () => {
  it('answers 302 back to next with a signed ticket cookie bound to the identity, one INCR per join', async () => {
    const before = Number((await redis.get(ticketCounterKey(saleName))) ?? 0);
    const answer = await join('203.0.113.10', { 'x-user-id': 'alice' });
    expect(answer.status).toBe(302);
    expect(answer.headers.location).toBe('/drop?size=42');
    expect(answer.headers[OUTCOME_HEADER]).toBe('served');
    expect(answer.headers[WAITING_ROOM_HEADER]).toBe('ticket');
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(answer.headers['set-cookie']).toMatch(
      /^saleday-wr-ticket=[^;]+; Path=\/; Secure; HttpOnly; SameSite=Lax; Max-Age=\d+$/,
    );
    const ticket = decodeTicket(cookieOf(answer.headers['set-cookie']), secretOf);
    expect(ticket.ok && ticket.value).toEqual(
      expect.objectContaining({ number: before, kid: KID, identityHash: identityHash(SECRET, 'u:alice') }),
    );
    expect(Number(await redis.get(ticketCounterKey(saleName)))).toBe(before + 1);
  });

  it('keeps a visitor’s own valid ticket (no new number) and replaces one bound to someone else', async () => {
    const first = cookieOf((await join('203.0.113.11', { 'x-user-id': 'bob' })).headers['set-cookie']);
    const count = Number(await redis.get(ticketCounterKey(saleName)));
    const again = await join('203.0.113.11', { 'x-user-id': 'bob', cookie: `${WAITING_ROOM_TICKET_COOKIE}=${first}` });
    expect(again.status).toBe(302);
    expect(again.headers['set-cookie']).toBeUndefined();
    expect(again.headers[WAITING_ROOM_HEADER]).toBe('ticket-kept');
    expect(Number(await redis.get(ticketCounterKey(saleName)))).toBe(count);
    const stolen = await join('203.0.113.12', {
      'x-user-id': 'carol',
      cookie: `${WAITING_ROOM_TICKET_COOKIE}=${first}`,
    });
    expect(stolen.headers['set-cookie']).toContain(WAITING_ROOM_TICKET_COOKIE);
    expect(Number(await redis.get(ticketCounterKey(saleName)))).toBe(count + 1);
  });

  it('sends an unsafe next (another host, the join itself) to /', async () => {
    expect((await join('203.0.113.13', { 'x-user-id': 'dave' }, '//evil.example/x')).headers.location).toBe('/');
    expect(
      (await join('203.0.113.13', { 'x-user-id': 'erin' }, `${WAITING_ROOM_JOIN_PATH}?next=/`)).headers.location,
    ).toBe('/');
  });

  it('refuses methods other than GET and HEAD with 405', async () => {
    const answer = await http.send('POST', `${gate.url}${WAITING_ROOM_JOIN_PATH}`, {
      headers: { 'x-forwarded-for': '203.0.113.14, 10.0.0.1' },
      body: '',
    });
    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe('GET, HEAD');
  });

  it('lets exactly the join path through the gate’s reserved-path refusal', async () => {
    for (const path of [
      '/_gate/queue',
      '/_gate/queue/join/',
      '/_gate/queue/joinx',
      '/_gate/queue/join/x',
      '/_queue/join',
    ]) {
      const answer = await http.get(`${gate.url}${path}`, { 'x-forwarded-for': '203.0.113.15, 10.0.0.1' });
      expect([path, answer.status]).toEqual([path, 404]);
    }
  });
});

describe('the join limits', () => {
  it('stop a bot rotating identities from one address (per-IP limit), with 429 and Retry-After', async () => {
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push(await join('198.51.100.1', { 'x-user-id': `rotating-${i}` }));
    expect(statuses.map((a) => a.status)).toEqual([302, 302, 302, 302, 429, 429]);
    const refused = statuses[4]!;
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(refused.headers[OUTCOME_HEADER]).toBe('limited');
    expect(refused.headers[WAITING_ROOM_HEADER]).toBe('join-limited');
    expect(refused.json()).toEqual({ error: 'too many joins from this address' });
  });

  it('stop one identity joining from many addresses (per-identity limit)', async () => {
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await join(`198.51.100.${10 + i}`, { 'x-user-id': 'farmer' })).status);
    expect(statuses).toEqual([302, 302, 429, 429]);
  });

  it('count issued and refused joins in the gate’s metrics', async () => {
    expect(await eventually(() => emfSum(emf, 'WaitingRoomJoinsLimited') >= 4)).toBe(true);
    expect(emfSum(emf, 'WaitingRoomJoinsIssued')).toBeGreaterThanOrEqual(8);
    expect(emfSum(emf, 'WaitingRoomJoinsKept')).toBeGreaterThanOrEqual(1);
  });
});

describe('a gate without the room', () => {
  it('keeps refusing the join path as any other reserved path (waitingRoom absent or disabled)', async () => {
    for (const edit of [
      (raw: Record<string, unknown>) => delete raw.waitingRoom,
      (raw: Record<string, unknown>) => (raw.waitingRoom = { enabled: false }),
    ]) {
      const plain = await startGate({
        config: testConfig(edit),
        upstream: upstream.url,
        port: 0,
        redisUrl: testRedisUrl(),
        env: {},
        logger: silentLogger,
        rateLimitPrefix: uniquePrefix('no-room'),
      });
      try {
        expect((await http.get(`${plain.url}${WAITING_ROOM_JOIN_PATH}?next=/`)).status).toBe(404);
        expect((await http.get(`${plain.url}/drop`, { 'x-user-id': 'anyone' })).status).toBe(200);
      } finally {
        await plain.close();
      }
    }
  });
});

describe('a gate with the room enabled', () => {
  it('refuses to start without its signing secrets, naming the variable', () => {
    expect(() =>
      createGate({ config: roomConfig(saleName), upstream: upstream.url, env: {}, logger: silentLogger }),
    ).toThrow(/SALEDAY_WAITING_ROOM_SECRETS is not set/);
  });

  it('refuses malformed secrets without quoting them', () => {
    const attempt = () =>
      createGate({
        config: roomConfig(saleName),
        upstream: upstream.url,
        env: { SALEDAY_WAITING_ROOM_SECRETS: 'k1:short' },
        logger: silentLogger,
      });
    expect(attempt).toThrow(/SALEDAY_WAITING_ROOM_SECRETS: entry 1 of 1 is not valid/);
    expect(attempt).not.toThrow(/short/);
  });

  it('refuses to start without Redis', () => {
    expect(() =>
      createGate({ config: roomConfig(saleName), upstream: upstream.url, env: ROOM_ENV, logger: silentLogger }),
    ).toThrow(/waitingRoom.enabled is true but the gate has no Redis/);
  });
});
