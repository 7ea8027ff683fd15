/**
 * The waiting room's times are other machines' wall time: the edge and the controller sign passes
 * and write the room record with Date.now(), the controller counts shoppers in epoch-aligned
 * windows, and CloudWatch files metric records by their timestamp. A gate whose monotonic clock
 * lags the wall clock by hours (as after a VM pause) must read all of them on the wall clock.
 * Real gate over HTTP, real redis-server.
 */
import Redis from 'ioredis';
import { waitingRoomActiveShoppersKey } from '../../../contracts/metrics/waiting-room-metrics';
import {
  WAITING_ROOM_JOIN_PATH,
  WAITING_ROOM_PASS_COOKIE,
  WAITING_ROOM_TICKET_COOKIE,
} from '../../../contracts/waiting-room';
import type { StartedGate } from '../../../gate/proxy/gate-server';
import { decodeTicket } from '../../../gate/waiting-room';
import { systemClock, wallClock, type Clock } from '../../../guard/clock';
import { testRedisUrl } from '../../support/test-redis';
import { createTestHttpClient } from '../proxy/fixtures/http-client';
import { startTestUpstream, type TestUpstream } from '../proxy/fixtures/test-upstream';
import {
  eventually,
  KID,
  passFor,
  roomState,
  SECRET,
  startRoomGate,
  ticketFor,
  uniqueSaleName,
  writeRoom,
} from './fixtures/room-gate-fixture';

const LAG_MS = 5 * 3_600_000;
/** Monotonic, five hours behind the wall clock. */
const lagging: Clock = { now: () => systemClock.now() - LAG_MS };

const saleName = uniqueSaleName();
const secretOf = (kid: string) => (kid === KID ? SECRET : undefined);
let redis: Redis;
let upstream: TestUpstream;
let gate: StartedGate;
const emf: string[] = [];
const http = createTestHttpClient();
const startedAt = Date.now();

beforeAll(async () => {
  redis = new Redis(testRedisUrl());
  upstream = await startTestUpstream();
  // Open for ten seconds at 5 a second: tickets 0-49 have had their turn.
  await writeRoom(redis, saleName, roomState({ ratePerSecond: 5, t0Ms: Date.now() - 10_000 }));
  gate = await startRoomGate({ saleName, redisUrl: testRedisUrl(), upstream, emf, clock: lagging, wallClock });
});

afterAll(async () => {
  await http.close();
  await gate.close();
  await upstream.close();
  await redis.quit();
});

const get = (path: string, user: string, cookie?: string) =>
  http.get(`${gate.url}${path}`, { 'x-user-id': user, ...(cookie ? { cookie } : {}) });
const minute = () => Math.floor(Date.now() / 60_000);

describe('a room gate whose monotonic clock lags the wall clock by hours', () => {
  it('stamps the tickets it issues with wall time', async () => {
    const before = Date.now();
    const answer = await get(`${WAITING_ROOM_JOIN_PATH}?next=%2Fdrop`, 'joiner');
    expect(answer.status).toBe(302);
    const cookie = /saleday-wr-ticket=([^;]+)/.exec(answer.headers['set-cookie'] ?? '')?.[1];
    const ticket = decodeTicket(cookie, secretOf);
    expect(ticket.ok).toBe(true);
    const issuedAtMs = ticket.ok ? ticket.value.issuedAtMs : NaN;
    expect(issuedAtMs).toBeGreaterThanOrEqual(before);
    expect(issuedAtMs).toBeLessThanOrEqual(Date.now());
  });

  it('refuses a pass that expired a minute ago by the wall clock', async () => {
    const expired = passFor('u:late', { expiresAtMs: Date.now() - 60_000 });
    expect((await get('/drop', 'late', `${WAITING_ROOM_PASS_COOKIE}=${expired}`)).status).toBe(302);
    const valid = passFor('u:on-time');
    expect((await get('/drop', 'on-time', `${WAITING_ROOM_PASS_COOKIE}=${valid}`)).status).toBe(200);
  });

  it('lets an admitted ticket through on the schedule the controller wrote in wall time', async () => {
    const ticket = `${WAITING_ROOM_TICKET_COOKIE}=${ticketFor('u:early', 3)}`;
    expect((await get('/drop', 'early', ticket)).status).toBe(200);
  });

  it('counts an active shopper in the wall-clock minute the controller reads', async () => {
    const from = minute();
    const pass = passFor('u:shopper', { number: 4242 });
    expect((await get('/drop', 'shopper', `${WAITING_ROOM_PASS_COOKIE}=${pass}`)).status).toBe(200);
    const keys = () =>
      Array.from({ length: minute() - from + 1 }, (_, i) => waitingRoomActiveShoppersKey(saleName, from + i));
    expect(await eventually(async () => (await redis.pfcount(...keys())) >= 1)).toBe(true);
  });

  it('stamps its metric records, the room’s and the gate’s, with wall time', async () => {
    expect(await eventually(() => emf.some((line) => line.includes('WaitingRoomOpen')))).toBe(true);
    const stamps = emf.map((line) => (JSON.parse(line) as { _aws: { Timestamp: number } })._aws.Timestamp);
    expect(Math.min(...stamps)).toBeGreaterThanOrEqual(startedAt);
    expect(Math.max(...stamps)).toBeLessThanOrEqual(Date.now());
  });
});
