/**
 * The room in the gate when its record disappears or Redis dies, during an open room: the gate
 * keeps the last-known state (admitted shoppers keep shopping, the crowd stays outside), and a
 * join that cannot get a number answers 503 with Retry-After. See room-gate.ts for why.
 */
import Redis from 'ioredis';
import { OUTCOME_HEADER } from '../../../contracts/metrics/gate-metrics';
import { WAITING_ROOM_JOIN_PATH, WAITING_ROOM_PASS_COOKIE } from '../../../contracts/waiting-room';
import type { StartedGate } from '../../../gate/proxy/gate-server';
import { roomStateKey } from '../../../gate/waiting-room';
import { startRedisServer, type RedisServerHandle } from '../../support/redis-server';
import { createTestHttpClient } from '../proxy/fixtures/http-client';
import { startTestUpstream, type TestUpstream } from '../proxy/fixtures/test-upstream';
import {
  emfSum,
  eventually,
  passFor,
  roomState,
  startRoomGate,
  uniqueSaleName,
  writeRoom,
} from './fixtures/room-gate-fixture';

const saleName = uniqueSaleName();
let redisServer: RedisServerHandle;
let upstream: TestUpstream;
let gate: StartedGate;
const emf: string[] = [];
const http = createTestHttpClient();

beforeAll(async () => {
  redisServer = await startRedisServer();
  upstream = await startTestUpstream();
  const writer = new Redis(redisServer.url);
  await writeRoom(writer, saleName, roomState());
  await writer.quit();
  gate = await startRoomGate({ saleName, redisUrl: redisServer.url, upstream, emf });
});

afterAll(async () => {
  await http.close();
  await gate.close();
  await upstream.close();
  await redisServer.kill();
});

const page = (user: string, cookie?: string) =>
  http.get(`${gate.url}/drop`, { 'x-user-id': user, ...(cookie ? { cookie } : {}) });
const withPass = (user: string) => page(user, `${WAITING_ROOM_PASS_COOKIE}=${passFor(`u:${user}`)}`);
const lastRecord = () =>
  JSON.parse(emf.filter((l) => l.includes('WaitingRoomOpen')).at(-1) ?? '{}') as Record<string, number>;

it('keeps the last-known open room when the record is deleted, and says so in its metrics', async () => {
  expect((await page('crowd')).status).toBe(302);
  const redis = new Redis(redisServer.url);
  await redis.del(roomStateKey(saleName));
  await redis.quit();
  expect(await eventually(() => lastRecord().WaitingRoomRecordMissing === 1)).toBe(true);
  expect(lastRecord().WaitingRoomOpen).toBe(1);
  expect((await page('crowd')).status).toBe(302);
  expect((await withPass('shopper')).status).toBe(200);
});

it('keeps checking passes while Redis is down, and answers a join 503 with Retry-After', async () => {
  await redisServer.kill();
  expect((await page('crowd')).status).toBe(302);
  expect((await withPass('shopper')).status).toBe(200);
  const joined = await http.get(`${gate.url}${WAITING_ROOM_JOIN_PATH}?next=/drop`, { 'x-user-id': 'newcomer' });
  expect(joined.status).toBe(503);
  expect(Number(joined.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  expect(joined.headers[OUTCOME_HEADER]).toBe('upstream-error');
  expect(await eventually(() => emfSum(emf, 'WaitingRoomJoinsFailed') >= 1)).toBe(true);
});

it('issues tickets again once Redis is back', async () => {
  redisServer = await redisServer.restart();
  expect(
    await eventually(
      async () =>
        (await http.get(`${gate.url}${WAITING_ROOM_JOIN_PATH}?next=/drop`, { 'x-user-id': 'newcomer' })).status === 302,
      10_000,
    ),
  ).toBe(true);
});
