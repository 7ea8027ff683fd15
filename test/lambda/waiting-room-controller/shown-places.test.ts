/**
 * Reading the opening's show-up from the gates' bitmap on a real Redis: the latest places admitted
 * a lag ago (two seconds of admission, at least 64), in whole bytes, capped by the tickets issued;
 * nothing while closed, before an opening, when the rate changed within the lag (the state no
 * longer says which places were admitted), or past the places every gate marks.
 */
import Redis from 'ioredis';
import { waitingRoomShownPlacesKey } from '../../../contracts/metrics/waiting-room-metrics';
import type { WaitingRoomState } from '../../../contracts/waiting-room';
import {
  OPENING_SHOW_UP_LAG_MS,
  readOpeningShowUp,
  recentPlaces,
} from '../../../lambda/waiting-room-controller/shown-places';
import { WAITING_ROOM_SHOWN_MAX_NOTED } from '../../../contracts/metrics/waiting-room-metrics';
import { testRedisUrl } from '../../support/test-redis';
import { roomState, uniqueSaleName } from '../../gate/waiting-room/fixtures/room-gate-fixture';

let redis: Redis;

beforeAll(() => {
  redis = new Redis(testRedisUrl());
});

afterAll(async () => {
  await redis.quit();
});

const OPENED = 1_800_000_000_000;
// Opened at 20 places a second from place 500 (the pre-queue's first ticket).
const state: WaitingRoomState = roomState({
  openedAtMs: OPENED,
  t0Ms: OPENED,
  ticket0: 500,
  preQueueStart: 500,
  ratePerSecond: 20,
});

async function mark(saleName: string, offsets: readonly number[]): Promise<void> {
  const key = waitingRoomShownPlacesKey(saleName, OPENED);
  for (const offset of offsets) await redis.setbit(key, offset, 1);
}

const read = (saleName: string, over: Partial<Parameters<typeof readOpeningShowUp>[0]> = {}) =>
  readOpeningShowUp({ redis, saleName, state, issuedCount: 10_000, nowMs: OPENED + 10_000, ...over });

it('counts the used places among the latest admitted a lag ago, in whole bytes, and all used places', async () => {
  const saleName = uniqueSaleName();
  // 10 s after the opening, 6.5 s of admission are a lag old: 130 places, 128 in whole bytes, the latest 64 read.
  expect(OPENING_SHOW_UP_LAG_MS).toBe(3500);
  await mark(saleName, [0, 5, 63, 64, 127, 128, 150]);
  expect(await read(saleName)).toEqual({ places: 64, shown: 2, shownInAll: 7 });
});

it('reads two seconds of admission at a faster rate', async () => {
  const saleName = uniqueSaleName();
  await mark(saleName, [0, 449, 450, 455, 456, 649, 650]);
  // 100/s: 650 places a lag old, 648 in whole bytes; the latest 200 are places 448 to 647.
  const fast = { ...state, ratePerSecond: 100 };
  expect(await read(saleName, { state: fast })).toEqual({ places: 200, shown: 4, shownInAll: 7 });
});

it('reads no place past those every gate marks', () => {
  expect(recentPlaces(WAITING_ROOM_SHOWN_MAX_NOTED, 20)).toEqual({
    fromByte: WAITING_ROOM_SHOWN_MAX_NOTED / 8 - 8,
    places: 64,
  });
  expect(recentPlaces(WAITING_ROOM_SHOWN_MAX_NOTED + 1, 20)).toEqual({ fromByte: 0, places: 0 });
  expect(recentPlaces(0, 20)).toEqual({ fromByte: 0, places: 0 });
});

it('counts no more places than tickets were issued', async () => {
  const saleName = uniqueSaleName();
  await mark(saleName, [3, 17]);
  expect(await read(saleName, { issuedCount: 500 + 40 })).toEqual({ places: 40, shown: 2, shownInAll: 2 });
  expect(await read(saleName, { issuedCount: 500 + 7 })).toEqual({ places: 0, shown: 0, shownInAll: 2 });
});

it('reads nothing while closed, before an opening, or when the rate changed within the lag', async () => {
  const saleName = uniqueSaleName();
  await mark(saleName, [1]);
  expect(await read(saleName, { state: undefined })).toBeUndefined();
  expect(await read(saleName, { state: { ...state, open: false } })).toBeUndefined();
  expect(await read(saleName, { state: { ...state, openedAtMs: 0 } })).toBeUndefined();
  expect(await read(saleName, { state: { ...state, t0Ms: OPENED + 8000 } })).toBeUndefined();
  expect(await read(saleName, { nowMs: OPENED + 3000 })).toBeUndefined();
});
