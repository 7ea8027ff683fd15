/** The room record on a real Redis: versioned compare-and-set writes, validation, and the gate's cache surviving a Redis loss. */
import Redis from 'ioredis';
import type { WaitingRoomState } from '../../../contracts/waiting-room';
import {
  RedisRoomStore,
  RoomRecordRejectedError,
  roomStateKey,
  WaitingRoomStateCache,
} from '../../../gate/waiting-room';
import { startRedisServer } from '../../support/redis-server';
import { testRedisUrl, uniquePrefix } from '../../support/test-redis';
import { roomState } from '../../support/waiting-room-state';

// Opened at t = 1 ms, as the records this store was first written with.
const state = (overrides: Partial<WaitingRoomState> = {}): WaitingRoomState =>
  roomState({ t0Ms: 1, openedAtMs: 1, ...overrides });

let redis: Redis;
beforeAll(() => {
  redis = new Redis(testRedisUrl());
});
afterAll(async () => {
  await redis.quit();
});

const storeFor = (prefix: string, client = redis) =>
  new RedisRoomStore({ redis: client, saleName: 'winter-flash', keyPrefix: prefix });

describe('RedisRoomStore', () => {
  it('writes version 1 first, under the hash tag the ticket counter shares, and reads it back', async () => {
    const prefix = uniquePrefix('wr-store');
    const store = storeFor(prefix);
    expect(await store.read()).toBeUndefined();
    expect(await store.write({ updatedAtMs: 5, state: state(), control: { levers: [] } }, 0)).toEqual({
      written: true,
      version: 1,
    });
    expect(store.key).toBe(roomStateKey('winter-flash', prefix));
    expect(store.key).toContain('{wr:winter-flash}');
    expect(await store.read()).toEqual({ version: 1, updatedAtMs: 5, state: state(), control: { levers: [] } });
  });

  it('refuses a write that does not replace the stored version, and lets exactly one of two racing writes win', async () => {
    const store = storeFor(uniquePrefix('wr-cas'));
    await store.write({ updatedAtMs: 1, state: state() }, 0);
    expect(await store.write({ updatedAtMs: 2, state: state({ ratePerSecond: 1 }) }, 0)).toEqual({
      written: false,
      storedVersion: 1,
    });
    const outcomes = await Promise.all([
      store.write({ updatedAtMs: 3, state: state({ ratePerSecond: 3 }) }, 1),
      store.write({ updatedAtMs: 4, state: state({ ratePerSecond: 4 }) }, 1),
    ]);
    expect(outcomes.filter((o) => o.written)).toHaveLength(1);
    expect(outcomes.filter((o) => !o.written)).toEqual([{ written: false, storedVersion: 2 }]);
    expect((await store.read())?.version).toBe(2);
  });

  it('never stores a state a reader would reject', async () => {
    const store = storeFor(uniquePrefix('wr-invalid'));
    await expect(store.write({ updatedAtMs: 1, state: state({ keyId: 'bad key' }) }, 0)).rejects.toThrow(
      /state\.keyId: expected 1-32 letters/,
    );
    expect(await store.read()).toBeUndefined();
  });

  it('rejects a malformed record found in Redis, naming the field', async () => {
    const store = storeFor(uniquePrefix('wr-malformed'));
    await redis.set(
      store.key,
      JSON.stringify({ version: 1, updatedAtMs: 0, state: { ...state(), ratePerSecond: -1 } }),
    );
    const error = await store.read().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RoomRecordRejectedError);
    expect((error as Error).message).toMatch(/state\.ratePerSecond/);
  });
});

describe('WaitingRoomStateCache', () => {
  it('serves the newest record, keeps the last good one through a malformed record and a lost Redis', async () => {
    const own = await startRedisServer();
    const client = new Redis(own.url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    await client.connect(); // connected before the first write (no offline queue)
    const store = storeFor('saleday', client);
    const errors: unknown[] = [];
    const cache = new WaitingRoomStateCache({ store, pollMs: 60_000, onError: (e) => errors.push(e) });
    try {
      expect(cache.current()).toBeUndefined();
      await store.write({ updatedAtMs: 1, state: state({ ratePerSecond: 7 }) }, 0);
      await cache.start();
      expect(cache.current()?.ratePerSecond).toBe(7);
      await client.set(store.key, '{"version": 9, "state": "nonsense"}');
      await cache.refresh();
      expect(cache.current()?.ratePerSecond).toBe(7);
      await own.kill();
      await cache.refresh();
      expect(cache.current()?.ratePerSecond).toBe(7);
      expect(errors).toHaveLength(2);
      expect(errors[0]).toBeInstanceOf(RoomRecordRejectedError);
    } finally {
      cache.close();
      client.disconnect();
      await own.kill();
    }
  });

  it('refuses a poll interval under 100 ms', () => {
    expect(() => new WaitingRoomStateCache({ store: storeFor('x'), pollMs: 10 })).toThrow(
      /pollMs: got 10; expected at least 100/,
    );
  });
});
