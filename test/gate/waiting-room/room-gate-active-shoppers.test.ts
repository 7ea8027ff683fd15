/**
 * The gates feed the fleet's active-shopper count: every request let through on a pass adds the
 * pass's ticket number to the minute's HyperLogLog, in one pipelined flush per metrics interval, so
 * the controller's PFCOUNT counts each shopper once however many requests and gates served it; and
 * each pass's place is marked as used in the opening's bitmap. Redis down costs the shoppers nothing.
 */
import Redis from 'ioredis';
import {
  WAITING_ROOM_ACTIVE_KEY_TTL_SECONDS,
  waitingRoomActiveShoppersKey,
  waitingRoomShownPlacesKey,
} from '../../../contracts/metrics/waiting-room-metrics';
import { WAITING_ROOM_PASS_COOKIE } from '../../../contracts/waiting-room';
import type { GateLogger } from '../../../gate/proxy/gate-logger';
import type { StartedGate } from '../../../gate/proxy/gate-server';
import { startRedisServer, type RedisServerHandle } from '../../support/redis-server';
import { testRedisUrl } from '../../support/test-redis';
import { createTestHttpClient } from '../proxy/fixtures/http-client';
import { startTestUpstream, type TestUpstream } from '../proxy/fixtures/test-upstream';
import { eventually, passFor, roomState, startRoomGate, uniqueSaleName, writeRoom } from './fixtures/room-gate-fixture';

const http = createTestHttpClient();
let upstream: TestUpstream;

beforeAll(async () => {
  upstream = await startTestUpstream();
});

afterAll(async () => {
  await http.close();
  await upstream.close();
});

const minute = () => Math.floor(Date.now() / 60_000);
/** The distinct shoppers counted over the minutes from `first` to now (a test may straddle a minute). */
async function countedSince(redis: Redis, saleName: string, first: number): Promise<number> {
  const keys: string[] = [];
  for (let m = first; m <= minute(); m += 1) keys.push(waitingRoomActiveShoppersKey(saleName, m));
  return redis.pfcount(...keys);
}

/** Sends a page load with the pass of `number`, bound to `user`, through `gate`. */
async function shop(gate: StartedGate, user: string, number: number): Promise<number> {
  const answer = await http.get(`${gate.url}/drop`, {
    'x-user-id': user,
    cookie: `${WAITING_ROOM_PASS_COOKIE}=${passFor(`u:${user}`, { number })}`,
  });
  return answer.status;
}

describe('on a shared Redis', () => {
  const saleName = uniqueSaleName();
  const state = roomState();
  let redis: Redis;
  let first: StartedGate;
  let second: StartedGate;

  beforeAll(async () => {
    redis = new Redis(testRedisUrl());
    await writeRoom(redis, saleName, state);
    first = await startRoomGate({ saleName, redisUrl: testRedisUrl(), upstream });
    second = await startRoomGate({ saleName, redisUrl: testRedisUrl(), upstream });
  });

  afterAll(async () => {
    await first.close();
    await second.close();
    await redis.quit();
  });

  it('counts three shoppers once each, however many requests they make, with a TTL on the key', async () => {
    const from = minute();
    const statuses: number[] = [];
    for (let round = 0; round < 4; round += 1) {
      for (const number of [101, 102, 103]) statuses.push(await shop(first, `shopper-${number}`, number));
    }
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(await eventually(async () => (await countedSince(redis, saleName, from)) === 3)).toBe(true);
    const ttl = await redis.ttl(waitingRoomActiveShoppersKey(saleName, minute()));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(WAITING_ROOM_ACTIVE_KEY_TTL_SECONDS);
  });

  it('counts a shopper served by two gates once', async () => {
    const from = minute();
    for (const number of [102, 103, 104]) expect(await shop(second, `shopper-${number}`, number)).toBe(200);
    expect(await eventually(async () => (await countedSince(redis, saleName, from)) >= 4)).toBe(true);
    // 101-103 from the first gate, 102-104 from the second: four shoppers.
    expect(await countedSince(redis, saleName, from - 1)).toBe(4);
  });

  it('marks each pass holder’s place as used in the opening’s bitmap, from either gate', async () => {
    const key = waitingRoomShownPlacesKey(saleName, state.openedAtMs);
    expect(await eventually(async () => (await redis.bitcount(key)) === 4)).toBe(true);
    // A first-come room: a ticket's place is its number, counted from the opening's first place (0).
    for (const place of [101, 102, 103, 104]) expect(await redis.getbit(key, place)).toBe(1);
    expect(await redis.getbit(key, 100)).toBe(0);
    expect(await redis.ttl(key)).toBeGreaterThan(0);
  });

  it('does not count requests refused for want of a pass', async () => {
    const from = minute();
    const before = await countedSince(redis, saleName, from - 1);
    expect((await http.get(`${first.url}/drop`, { 'x-user-id': 'nopass' })).status).toBe(302);
    await new Promise((r) => setTimeout(r, 300)); // several 50 ms flush intervals
    expect(await countedSince(redis, saleName, from - 1)).toBe(before);
    expect(await redis.bitcount(waitingRoomShownPlacesKey(saleName, state.openedAtMs))).toBe(4);
  });
});

describe('with Redis down', () => {
  const saleName = uniqueSaleName();
  let server: RedisServerHandle;
  let gate: StartedGate;
  const warnings: string[] = [];
  const logger: GateLogger = {
    debug: () => undefined,
    info: () => undefined,
    error: () => undefined,
    warn: (message) => warnings.push(message),
  };

  beforeAll(async () => {
    server = await startRedisServer();
    const writer = new Redis(server.url);
    await writeRoom(writer, saleName, roomState());
    await writer.quit();
    gate = await startRoomGate({ saleName, redisUrl: server.url, upstream, logger });
  });

  afterAll(async () => {
    await server.kill();
  });

  it('still serves pass holders, logs the failed flushes once, and closes without throwing', async () => {
    await server.kill();
    for (let i = 0; i < 5; i += 1) {
      expect(await shop(gate, `shopper-${i}`, i + 1)).toBe(200);
      await new Promise((r) => setTimeout(r, 120)); // flushes (every 50 ms) fail in between
    }
    const flushWarnings = (what: string) => warnings.filter((w) => w.includes(what)).length;
    expect(await eventually(() => flushWarnings('active shoppers') >= 1)).toBe(true);
    expect(flushWarnings('active shoppers')).toBe(1);
    expect(flushWarnings('shown places')).toBe(1);
    await expect(gate.close()).resolves.toBeUndefined();
  });
});
