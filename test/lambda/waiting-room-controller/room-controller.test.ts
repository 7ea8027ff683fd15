/**
 * The controller as the Lambda runs it (createRoomController, configured through its environment)
 * against a private real redis-server, with the KeyValueStore, CloudWatch and Secrets Manager
 * mocked at the SDK. Time and the pauses between ticks are a fake clock.
 */
import {
  CloudFrontKeyValueStoreClient,
  DescribeKeyValueStoreCommand,
  ListKeysCommand,
  UpdateKeysCommand,
} from '@aws-sdk/client-cloudfront-keyvaluestore';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import type Redis from 'ioredis';
import {
  waitingRoomActiveShoppersKey,
  waitingRoomShownPlacesKey,
} from '../../../contracts/metrics/waiting-room-metrics';
import { WAITING_ROOM_STATE_KEY, type WaitingRoomState } from '../../../contracts/waiting-room';
import { RedisRoomStore } from '../../../gate/waiting-room/redis-room-store';
import { ticketCounterKey } from '../../../gate/waiting-room/ticket-issuer';
import { createRedisConnection } from '../../../guard/redis/redis-connection';
import {
  createRoomController,
  type RoomControllerHandle,
  type RoomControllerResult,
} from '../../../lambda/waiting-room-controller/room-controller';
import {
  isRoomControllerEnvironmentError,
  type RoomControllerSettings,
} from '../../../lambda/waiting-room-controller/room-controller-settings';
import { FakeClock } from '../../support/fake-clock';
import { startRedisServer, type RedisServerHandle } from '../../support/redis-server';

const SALE = 'room-test';
const KVS_ARN = 'arn:aws:cloudfront::123456789012:key-value-store/0f0e0d0c-1111-2222-3333-444455556666';
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:room-signing-AbCdEf';
const K1 = 'first-signing-secret-0123456789';
const K2 = 'second-signing-secret-012345678';
const T0 = Date.parse('2026-11-27T09:00:00Z');
const DROP = T0 + 60 * 60_000;
const settings: RoomControllerSettings = {
  saleName: SALE,
  slaP99Ms: 800,
  room: {
    passMinutes: 15,
    passMaxMinutes: 60,
    initialRatePerSecond: 20,
    minRatePerSecond: 2,
    maxRatePerSecond: 200,
    sessionMinutes: 10,
  },
  drops: [{ preQueueFromMs: DROP - 30 * 60_000, atMs: DROP }],
  maxLeverSeconds: 4 * 3600,
};

const kvs = mockClient(CloudFrontKeyValueStoreClient);
const cloudWatch = mockClient(CloudWatchClient);
const secrets = mockClient(SecretsManagerClient);
/** The mocked KeyValueStore's content, changed by UpdateKeys as the real one would be. */
let edge = new Map<string, string>();
let secretValue = JSON.stringify({ k1: K1 });
let redisServer: RedisServerHandle;
let redis: Redis;
let clock: FakeClock;
let controller: RoomControllerHandle;
const sleeps: number[] = [];

function env(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return {
    SALEDAY_WAITING_ROOM_CONTROLLER_CONFIG: JSON.stringify(settings),
    REDIS_URL: redisServer.url,
    SIGNING_SECRET_ARN: SECRET_ARN,
    KEY_VALUE_STORE_ARN: KVS_ARN,
    ...overrides,
  };
}

const tick = {
  version: '0',
  id: 'tick',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '123456789012',
  time: '2026-11-27T09:00:00Z',
  region: 'eu-west-1',
  resources: [],
  detail: {},
};
const edgeState = () => JSON.parse(edge.get(WAITING_ROOM_STATE_KEY)!) as WaitingRoomState;
const stored = () => new RedisRoomStore({ redis, saleName: SALE }).read();
const written = (result: RoomControllerResult) => {
  if (!('state' in result)) throw new Error(`expected a cycle result, got ${JSON.stringify(result)}`);
  return result;
};

function gatesMeasure(values: Record<string, number[]>) {
  cloudWatch
    .on(GetMetricDataCommand)
    .resolves({ MetricDataResults: Object.entries(values).map(([Id, Values]) => ({ Id, Values })) });
}

beforeAll(async () => {
  redisServer = await startRedisServer();
  redis = createRedisConnection({ url: redisServer.url });
});

afterAll(async () => {
  await redis.quit();
  await redisServer.kill();
});

beforeEach(async () => {
  await redis.flushall();
  kvs.reset();
  cloudWatch.reset();
  secrets.reset();
  edge = new Map();
  secretValue = JSON.stringify({ k1: K1 });
  sleeps.length = 0;
  clock = new FakeClock(T0);
  secrets.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).callsFake(() => ({ SecretString: secretValue }));
  kvs.on(DescribeKeyValueStoreCommand).callsFake(() => ({
    ETag: `etag-${edge.size}`,
    KvsARN: KVS_ARN,
    ItemCount: edge.size,
    TotalSizeInBytes: 1,
    Created: new Date(),
  }));
  kvs.on(ListKeysCommand).callsFake(() => ({ Items: [...edge].map(([Key, Value]) => ({ Key, Value })) }));
  kvs
    .on(UpdateKeysCommand)
    .callsFake((input: { Puts?: { Key: string; Value: string }[]; Deletes?: { Key: string }[] }) => {
      for (const put of input.Puts ?? []) edge.set(put.Key, put.Value);
      for (const del of input.Deletes ?? []) edge.delete(del.Key);
      return { ETag: 'next', ItemCount: edge.size, TotalSizeInBytes: 1 };
    });
  gatesMeasure({});
  controller = createRoomController(
    env(),
    {
      cloudWatch: cloudWatch as unknown as CloudWatchClient,
      secrets: secrets as unknown as SecretsManagerClient,
      keyValueStore: kvs as unknown as CloudFrontKeyValueStoreClient,
    },
    {
      now: () => clock.now(),
      sleep: async (ms) => {
        sleeps.push(ms);
        clock.advance(ms);
      },
    },
  );
});

afterEach(() => controller.close());

describe('the waiting-room controller handler', () => {
  it('on its first tick stores a closed room in Redis and copies the state and the signing key to the KeyValueStore', async () => {
    const result = written(await controller.handler(tick));
    expect(result).toMatchObject({ outcome: 'written', ticks: 1, summary: { open: false, waiting: 0 } });
    expect((await stored())?.state).toMatchObject({ open: false, keyId: 'k1', passSeconds: 900, passMaxSeconds: 3600 });
    expect(edgeState()).toEqual((await stored())?.state);
    expect(edge.get('waiting-room.key.k1')).toBe(K1);
    expect(sleeps).toEqual([]);
  });

  it('reads the store again only when the room changed or the last check is older than ten minutes', async () => {
    await controller.handler(tick);
    const listed = () => kvs.commandCalls(ListKeysCommand).length;
    const afterFirst = listed();
    clock.advance(60_000);
    await controller.handler(tick);
    expect(listed()).toBe(afterFirst);
    clock.advance(10 * 60_000);
    await controller.handler(tick);
    expect(listed()).toBe(afterFirst + 1);
  });

  it('opens the room by hand: admission starts after the tickets already issued, at the initial rate', async () => {
    await redis.set(ticketCounterKey(SALE), '7');
    const result = written(
      await controller.handler({ action: 'open', ttlSeconds: 1800, reason: 'drop came early', actor: 'ana' }),
    );
    expect(result.changes).toEqual(
      expect.arrayContaining([
        'lever open for 1800 s by ana: drop came early',
        'room opened (by hand: drop came early, ana)',
      ]),
    );
    expect(result.state).toMatchObject({ open: true, ticket0: 7, t0Ms: T0, ratePerSecond: 20, ticketsFromMs: T0 });
    expect(edgeState()).toEqual(result.state);
    expect((await stored())?.control).toMatchObject({
      manualOpen: { value: true, untilMs: T0 + 1800_000, reason: 'drop came early', actor: 'ana' },
    });
  });

  it('holds the wait estimate back at an opening, and publishes it to the edge when only the estimate changes', async () => {
    const opened = written(
      await controller.handler({ action: 'open', ttlSeconds: 1800, reason: 'drop', actor: 'ana' }),
    );
    expect(opened.state).toMatchObject({ ratePerSecond: 20, estimateRatePerSecond: 0 });
    expect(edgeState().estimateRatePerSecond).toBe(0);
    expect(opened.summary).toMatchObject({ estimating: true, estimatedWaitSeconds: undefined });
    clock.advance(60_000);
    // The gates report nothing: the rate holds, and the estimate takes it three spacings after the opening.
    const later = written(await controller.handler(tick));
    expect(later.state).toMatchObject({ ratePerSecond: 20, estimateRatePerSecond: 20 });
    expect(edgeState()).toEqual(later.state);
    expect((await stored())?.state.estimateRatePerSecond).toBe(20);
  });

  it('while the room is open, ticks four times a minute and lowers the rate at once when the gates shed', async () => {
    await controller.handler({ action: 'open', ttlSeconds: 1800, reason: 'drop', actor: 'ana' });
    clock.advance(60_000);
    gatesMeasure({ requests0: [1000], shed0: [100], p990: [300], inflight: [90], limit: [100] });
    const result = written(await controller.handler(tick));
    expect(result.ticks).toBe(4);
    expect(sleeps).toEqual([15_000, 15_000, 15_000]);
    // 20 → 14 → 9.8 → 6.86 → 4.8: a decrease per tick, spaced by more than the policy's 10 s.
    expect(result.state.ratePerSecond).toBeCloseTo(20 * 0.7 ** 4, 5);
    expect(edgeState().ratePerSecond).toBeCloseTo(result.state.ratePerSecond, 5);
  });

  it('divides the opening rate by the share of admitted places the gates marked as used', async () => {
    await controller.handler({ action: 'open', ttlSeconds: 1800, reason: 'drop', actor: 'ana' });
    await redis.set(ticketCounterKey(SALE), '1000');
    // Every other place of the first 200 used; 64 shoppers counted in each minute around the opening.
    for (let offset = 0; offset < 200; offset += 2) await redis.setbit(waitingRoomShownPlacesKey(SALE, T0), offset, 1);
    const minute = Math.floor(T0 / 60_000);
    for (const m of [minute - 1, minute, minute + 1])
      await redis.pfadd(waitingRoomActiveShoppersKey(SALE, m), ...Array.from({ length: 64 }, (_, i) => String(i)));
    gatesMeasure({ requests0: [100], shed0: [0], p990: [200], inflight: [30], limit: [100] });
    clock.advance(10_000);
    const result = written(await controller.handler(tick));
    // 10 s in, 6.5 s of admission at 20/s are old enough: 130 places, 128 in whole bytes; of the
    // latest 64, 32 used.
    const counted = 0.5 + Math.sqrt((0.5 * 0.5) / 64);
    expect(result.control.rate.ratePerSecond).toBeCloseTo(20 / counted, 6);
    expect((await stored())?.state.ratePerSecond).toBeCloseTo(20 / counted, 6);
    expect(result.state.ratePerSecond).toBeCloseTo(20 / counted, 6);
  });

  it('opens the pre-queue of a configured drop by itself, then draws it at the drop', async () => {
    clock.set(DROP - 30 * 60_000);
    expect(written(await controller.handler(tick)).summary).toMatchObject({ open: true, preQueue: true });
    await redis.set(ticketCounterKey(SALE), '500');
    clock.set(DROP);
    const opened = written(await controller.handler(tick));
    expect(opened.state.preQueueSize).toBe(500);
    expect(opened.state.shuffleSeed.length).toBeGreaterThanOrEqual(16);
    expect(edgeState().shuffleSeed).toBe(opened.state.shuffleSeed);
  });

  it('follows a rotation of the secret: the new first key becomes current, and a removed key leaves the store', async () => {
    await controller.handler(tick);
    secretValue = JSON.stringify({ k2: K2, k1: K1 });
    clock.advance(6 * 60_000); // past the cached secret's age
    const rotated = written(await controller.handler(tick));
    expect(rotated.changes).toContain('signing key k1 → k2');
    expect(edgeState().keyId).toBe('k2');
    expect(edge.get('waiting-room.key.k2')).toBe(K2);
    expect(edge.get('waiting-room.key.k1')).toBe(K1);
    secretValue = JSON.stringify({ k2: K2 });
    clock.advance(6 * 60_000);
    await controller.handler(tick);
    expect(edge.has('waiting-room.key.k1')).toBe(false);
  });

  it('answers status from Redis without writing', async () => {
    await controller.handler({ action: 'rate', ratePerSecond: 50, ttlSeconds: 600, reason: 'by hand', actor: 'ana' });
    await controller.handler({ action: 'open', ttlSeconds: 600, reason: 'by hand', actor: 'ana' });
    await redis.set(ticketCounterKey(SALE), '300');
    const updates = kvs.commandCalls(UpdateKeysCommand).length;
    const status = await controller.handler({ action: 'status' });
    expect(status).toMatchObject({
      outcome: 'status',
      summary: { open: true, ratePerSecond: 50, waiting: 300, admittedPerMinute: 3000, estimatedWaitSeconds: 6 },
    });
    expect(kvs.commandCalls(UpdateKeysCommand)).toHaveLength(updates);
  });

  it.each([
    [
      'a rate above the room’s maximum',
      { action: 'rate', ratePerSecond: 500, ttlSeconds: 60, reason: 'r', actor: 'a' },
      /ratePerSecond: got 500; expected 0 \(pause\) or a rate from/,
    ],
    [
      'a lever longer than the override cap',
      { action: 'open', ttlSeconds: 5 * 3600, reason: 'r', actor: 'a' },
      /ttlSeconds: got 18000; expected at most 14400/,
    ],
    [
      'a negative rate',
      { action: 'rate', ratePerSecond: -1, ttlSeconds: 60, reason: 'r', actor: 'a' },
      /ratePerSecond/,
    ],
    [
      'a lever without a reason',
      { action: 'close', ttlSeconds: 60, reason: ' ', actor: 'a' },
      /reason: expected a reason/,
    ],
    ['an unknown action', { action: 'explode' }, /action: got "explode"; expected/],
  ])('skips %s, naming the problem, and writes nothing', async (_name, event, problem) => {
    const result = await controller.handler(event);
    expect(result.outcome).toBe('skipped');
    expect((result as { problems: string[] }).problems.join('\n')).toMatch(problem);
    expect(await stored()).toBeUndefined();
  });

  it('refuses to start on a bad environment, naming each variable', () => {
    let thrown: unknown;
    try {
      createRoomController(env({ KEY_VALUE_STORE_ARN: 'not-an-arn', SIGNING_SECRET_ARN: undefined }), {
        cloudWatch: cloudWatch as unknown as CloudWatchClient,
        secrets: secrets as unknown as SecretsManagerClient,
        keyValueStore: kvs as unknown as CloudFrontKeyValueStoreClient,
      });
    } catch (error) {
      thrown = error;
    }
    expect(isRoomControllerEnvironmentError(thrown)).toBe(true);
    expect((thrown as Error).message).toMatch(/KEY_VALUE_STORE_ARN: expected a CloudFront KeyValueStore ARN/);
    expect((thrown as Error).message).toMatch(/SIGNING_SECRET_ARN: expected the signing secret ARN/);
  });
});
