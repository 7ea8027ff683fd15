/**
 * The recorder on its own, on a real Redis: one key per window touched, the bound on what it holds
 * between flushes, and a failed flush reported once per episode.
 */
import Redis from 'ioredis';
import { waitingRoomActiveShoppersKey } from '../../../contracts/metrics/waiting-room-metrics';
import { ActiveShoppersRecorder } from '../../../gate/waiting-room/active-shoppers-recorder';
import { activeWindowMs, WAITING_ROOM_ACTIVE_WINDOW_ENV } from '../../../gate/waiting-room/room-gate';
import { createRedisConnection } from '../../../guard/redis/redis-connection';
import { startRedisServer } from '../../support/redis-server';
import { testRedisUrl } from '../../support/test-redis';
import { uniqueSaleName } from './fixtures/room-gate-fixture';

let redis: Redis;

beforeAll(() => {
  redis = new Redis(testRedisUrl());
});

afterAll(async () => {
  await redis.quit();
});

const noProblem = () => {
  throw new Error('no flush should fail here');
};

it('holds at most maxPending numbers until the flush, then takes numbers again', async () => {
  const saleName = uniqueSaleName();
  const recorder = new ActiveShoppersRecorder({ redis, saleName, maxPending: 5, onFlushProblem: noProblem });
  const atMs = 600_000;
  for (let n = 1; n <= 10; n += 1) recorder.record(n, atMs);
  recorder.record(3, atMs); // already held: neither counted again nor dropped
  expect(recorder.size()).toBe(5);
  expect(recorder.dropped()).toBe(5);
  await recorder.flush();
  expect(recorder.size()).toBe(0);
  expect(await redis.pfcount(waitingRoomActiveShoppersKey(saleName, 10))).toBe(5);
  recorder.record(11, atMs);
  expect(recorder.size()).toBe(1);
  await recorder.flush();
  expect(await redis.pfcount(waitingRoomActiveShoppersKey(saleName, 10))).toBe(6);
});

it('writes each window to its own key, numbered by the window width', async () => {
  const saleName = uniqueSaleName();
  const recorder = new ActiveShoppersRecorder({ redis, saleName, windowMs: 1000, onFlushProblem: noProblem });
  recorder.record(1, 5_000);
  recorder.record(2, 5_999);
  recorder.record(1, 6_000);
  await recorder.flush();
  expect(await redis.pfcount(waitingRoomActiveShoppersKey(saleName, 5))).toBe(2);
  expect(await redis.pfcount(waitingRoomActiveShoppersKey(saleName, 6))).toBe(1);
});

it('refuses a window narrower than 100 ms, naming the value', () => {
  expect(() => new ActiveShoppersRecorder({ redis, saleName: 's', windowMs: 10, onFlushProblem: noProblem })).toThrow(
    /got 10 ms; expected a whole number of milliseconds, at least 100/,
  );
});

it('reports a failing Redis once, never throws, and reports the recovery', async () => {
  const server = await startRedisServer();
  const client = createRedisConnection({ url: server.url, failFast: true, log: () => undefined });
  const problems: boolean[] = [];
  const recorder = new ActiveShoppersRecorder({
    redis: client,
    saleName: uniqueSaleName(),
    onFlushProblem: ({ failing }) => problems.push(failing),
  });
  try {
    await server.kill();
    for (let i = 0; i < 3; i += 1) {
      recorder.record(i, 60_000);
      await expect(recorder.flush()).resolves.toBeUndefined();
    }
    expect(problems).toEqual([true]);
    const restarted = await server.restart();
    let recovered = false;
    for (let i = 0; i < 100 && !recovered; i += 1) {
      recorder.record(100 + i, 60_000);
      await recorder.flush();
      recovered = problems.length === 2;
      if (!recovered) await new Promise((r) => setTimeout(r, 100));
    }
    expect(problems).toEqual([true, false]);
    await restarted.kill();
  } finally {
    client.disconnect();
    await server.kill().catch(() => undefined);
  }
});

it('reads the gate’s window from its environment, refusing what is not a whole number of ms', () => {
  expect(activeWindowMs({})).toBeUndefined();
  expect(activeWindowMs({ [WAITING_ROOM_ACTIVE_WINDOW_ENV]: '2000' })).toBe(2000);
  expect(() => activeWindowMs({ [WAITING_ROOM_ACTIVE_WINDOW_ENV]: '2s' })).toThrow(
    'SALEDAY_WAITING_ROOM_ACTIVE_WINDOW_MS: got "2s"; expected a whole number of milliseconds, at least 100',
  );
});
