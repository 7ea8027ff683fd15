/**
 * The shown-places recorder on its own, on a real Redis: a ticket's place (drawn or first come)
 * marked once per opening, passes from an earlier line left out, the bound on what it notes, and a
 * failed flush that leaves the places to be marked again rather than lost.
 */
import Redis from 'ioredis';
import { waitingRoomShownPlacesKey } from '../../../contracts/metrics/waiting-room-metrics';
import type { WaitingRoomState } from '../../../contracts/waiting-room';
import { placeOf } from '../../../contracts/waiting-room-schedule';
import { ShownPlacesRecorder } from '../../../gate/waiting-room/shown-places-recorder';
import { createRedisConnection } from '../../../guard/redis/redis-connection';
import { startRedisServer } from '../../support/redis-server';
import { testRedisUrl } from '../../support/test-redis';
import { roomState, uniqueSaleName } from './fixtures/room-gate-fixture';

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

/** A drawn pre-queue of tickets 1000–1099, then first come first served from 1100. */
function drawnRoom(openedAtMs: number): WaitingRoomState {
  return roomState({
    openedAtMs,
    preQueueStart: 1000,
    preQueueSize: 100,
    shuffleSeed: 'a-secret-seed-of-16+-chars',
    ticket0: 1000,
  });
}

/** The places marked in `key`, as offsets from the opening's first place. */
async function markedOffsets(key: string, upTo: number): Promise<number[]> {
  const marked: number[] = [];
  for (let offset = 0; offset < upTo; offset += 1) if ((await redis.getbit(key, offset)) === 1) marked.push(offset);
  return marked;
}

it('marks a drawn ticket at its drawn place and a later ticket at its number, once each', async () => {
  const saleName = uniqueSaleName();
  const state = drawnRoom(1_700_000_000_000);
  const recorder = new ShownPlacesRecorder({ redis, saleName, onFlushProblem: noProblem });
  for (const number of [1003, 1042, 1003, 1105, 1042]) recorder.record(state, number);
  expect(recorder.size()).toBe(3);
  await recorder.flush();
  const drawn = [1003, 1042].map((n) => placeOf(state, n, state.openedAtMs) - 1000);
  expect(drawn).not.toEqual([3, 42]); // the draw moved them
  const key = waitingRoomShownPlacesKey(saleName, state.openedAtMs);
  expect(await markedOffsets(key, 120)).toEqual([...drawn, 105].sort((a, b) => a - b));
  expect(await redis.ttl(key)).toBeGreaterThan(0);
  recorder.record(state, 1003);
  expect(recorder.size()).toBe(0);
});

it('leaves out passes from before the opening and starts afresh at a new opening', async () => {
  const saleName = uniqueSaleName();
  const recorder = new ShownPlacesRecorder({ redis, saleName, onFlushProblem: noProblem });
  const first = drawnRoom(1_700_000_000_000);
  recorder.record(first, 999); // admitted in an earlier line: no place in this one
  recorder.record(first, 1100);
  expect(recorder.size()).toBe(1);
  const next = { ...first, openedAtMs: first.openedAtMs + 3_600_000, preQueueStart: 1100, preQueueSize: 0 };
  recorder.record(next, 1100);
  recorder.record(next, 1101);
  await recorder.flush();
  expect(await markedOffsets(waitingRoomShownPlacesKey(saleName, first.openedAtMs), 120)).toEqual([100]);
  expect(await markedOffsets(waitingRoomShownPlacesKey(saleName, next.openedAtMs), 10)).toEqual([0, 1]);
});

it('notes nothing while the room has not opened, and at most maxNoted tickets per opening', async () => {
  const saleName = uniqueSaleName();
  const recorder = new ShownPlacesRecorder({ redis, saleName, maxNoted: 3, onFlushProblem: noProblem });
  recorder.record(roomState({ openedAtMs: 0 }), 5);
  expect(recorder.size()).toBe(0);
  const state = roomState({ openedAtMs: 1_700_000_000_000 });
  for (let n = 1; n <= 6; n += 1) recorder.record(state, n);
  expect(recorder.size()).toBe(3);
});

it('marks the places of a failed flush at their next request, and reports the failure once', async () => {
  const server = await startRedisServer();
  const client = createRedisConnection({ url: server.url, failFast: true, log: () => undefined });
  const problems: boolean[] = [];
  const saleName = uniqueSaleName();
  const recorder = new ShownPlacesRecorder({
    redis: client,
    saleName,
    onFlushProblem: ({ failing }) => problems.push(failing),
  });
  const state = roomState({ openedAtMs: 1_700_000_000_000 });
  try {
    await server.kill();
    recorder.record(state, 7);
    await expect(recorder.flush()).resolves.toBeUndefined();
    recorder.record(state, 8);
    await recorder.flush();
    expect(problems).toEqual([true]);
    const restarted = await server.restart();
    const key = waitingRoomShownPlacesKey(saleName, state.openedAtMs);
    for (let i = 0; i < 100 && problems.length < 2; i += 1) {
      recorder.record(state, 7);
      recorder.record(state, 8);
      await recorder.flush();
      if (problems.length < 2) await new Promise((r) => setTimeout(r, 100));
    }
    expect(problems).toEqual([true, false]);
    expect([await client.getbit(key, 7), await client.getbit(key, 8)]).toEqual([1, 1]);
    await restarted.kill();
  } finally {
    client.disconnect();
    await server.kill().catch(() => undefined);
  }
});
