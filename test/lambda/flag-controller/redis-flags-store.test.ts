import type Redis from 'ioredis';
import {
  FLAGS_CHANNEL,
  FLAGS_KEY,
  initialFlags,
  openBreakers,
  parseFlagsDocument,
  type FlagsDocument,
} from '../../../contracts/flags/flags-document';
import { createRedisConnection } from '../../../guard/redis/redis-connection';
import { RedisFlagsStore } from '../../../lambda/flag-controller/redis-flags-store';
import { runControllerCycle, type ControllerCycleDeps } from '../../../lambda/flag-controller/run-cycle';
import { startRedisServer, type RedisServerHandle } from '../../support/redis-server';

// The key is fixed (saleday:flags), so this file owns a private redis-server.
let redis: RedisServerHandle;
let admin: Redis;
let subscriber: Redis;
const published: FlagsDocument[] = [];
const stores: RedisFlagsStore[] = [];

const doc = (version: number, fields: Partial<FlagsDocument> = {}): FlagsDocument => ({
  ...initialFlags(new Date('2026-11-27T09:00:00Z')),
  version,
  reason: `v${version}`,
  ...fields,
});
const store = () => {
  const s = new RedisFlagsStore({ url: redis.url });
  stores.push(s);
  return s;
};

beforeAll(async () => {
  redis = await startRedisServer();
  admin = createRedisConnection({ url: redis.url });
  subscriber = createRedisConnection({ url: redis.url });
  subscriber.on('message', (_channel: string, message: string) => {
    const parsed = parseFlagsDocument(message);
    if (parsed) published.push(parsed);
  });
  await subscriber.subscribe(FLAGS_CHANNEL);
});

afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await admin.quit();
  await subscriber.quit();
  await redis.kill();
});

beforeEach(async () => {
  await admin.del(FLAGS_KEY);
  published.length = 0;
});

/** Waits until the subscriber has seen `count` messages (pub/sub is asynchronous to the writer). */
async function publishedCount(count: number): Promise<FlagsDocument[]> {
  await admin.ping(); // a round trip on another connection; then give the subscriber its turn
  for (let i = 0; i < 200 && published.length < count; i += 1) await new Promise((r) => setImmediate(r));
  return published;
}

describe('RedisFlagsStore', () => {
  it('reads nothing from an empty Redis, then stores and publishes the full document', async () => {
    const flags = store();
    expect(await flags.read()).toBeUndefined();
    const first = doc(1, { level: 2 });
    expect(await flags.write(first)).toEqual({ written: true, current: first });
    expect(await flags.read()).toEqual(first);
    expect(parseFlagsDocument(await admin.get(FLAGS_KEY))).toEqual(first);
    expect(await publishedCount(1)).toEqual([first]);
  });

  it.each([
    ['an older version', 4],
    ['the same version', 5],
  ])('refuses %s and returns the stored document, publishing nothing', async (_name, version) => {
    const flags = store();
    await flags.write(doc(5, { level: 1 }));
    const result = await flags.write(doc(version, { level: 3 }));
    expect(result.written).toBe(false);
    expect(result.current).toMatchObject({ version: 5, level: 1 });
    expect((await flags.read())?.level).toBe(1);
    expect((await publishedCount(1)).map((d) => d.version)).toEqual([5]);
  });

  it('replaces a stored value that is not a flags document at all', async () => {
    await admin.set(FLAGS_KEY, 'not json');
    const flags = store();
    expect(await flags.read()).toBeUndefined();
    expect((await flags.write(doc(1))).written).toBe(true);
  });

  it('stands in a blank document at the version of a newer but unreadable one, so the next decision replaces it', async () => {
    await admin.set(FLAGS_KEY, JSON.stringify({ version: 9, level: 'high' }));
    const flags = store();
    const result = await flags.write(doc(1));
    expect(result).toMatchObject({ written: false, current: { version: 9, level: 0 } });
    expect((await flags.write(doc(result.current.version + 1))).written).toBe(true);
  });

  it('never loses an update when controllers race: versions strictly increase and every command lands', async () => {
    const racers = ['inventory', 'payments', 'recommender', 'search', 'shipping'];
    const results = await Promise.all(
      racers.map((dependency) => {
        const deps: ControllerCycleDeps = {
          store: store(),
          effects: [],
          policy: { calmPeriodSeconds: 120, breakerCalmSeconds: 60 },
          maxAttempts: racers.length,
        };
        const command = {
          action: 'override' as const,
          breakers: { [dependency]: true },
          ttlSeconds: 600,
          reason: `${dependency} down`,
          actor: dependency,
        };
        return runControllerCycle(deps, { kind: 'command', command }, new Date('2026-11-27T09:00:00Z'));
      }),
    );
    expect(results.every((r) => r.outcome === 'written')).toBe(true);
    const t = Date.parse('2026-11-27T09:00:00Z'); // versions embed the controller's clock, then grow by one
    expect(results.map((r) => r.document.version).sort()).toEqual([t, t + 1, t + 2, t + 3, t + 4]);
    expect(results.some((r) => r.attempts > 1)).toBe(true);
    const final = (await store().read())!;
    expect(final.version).toBe(t + 4);
    expect(openBreakers(final)).toEqual([...racers].sort());
    const versions = (await publishedCount(5)).map((d) => d.version);
    expect(versions).toEqual([t, t + 1, t + 2, t + 3, t + 4]);
  });

  it('uses a given client without closing it', async () => {
    const client = createRedisConnection({ url: redis.url });
    const flags = new RedisFlagsStore({ client });
    await flags.write(doc(1));
    await flags.close();
    expect(await client.ping()).toBe('PONG');
    await client.quit();
  });

  it('names the missing option when neither url nor client is given', () => {
    expect(() => new RedisFlagsStore({})).toThrow(/url: got nothing/);
  });
});
