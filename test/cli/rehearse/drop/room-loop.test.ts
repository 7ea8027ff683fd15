import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { configWithRoom, REHEARSAL_JOIN_LIMIT_PER_IP } from '../../../../cli/rehearse/drop/drop-fleet';
import { RoomLoop } from '../../../../cli/rehearse/drop/room-loop';
import { rehearsalRatePolicy } from '../../../../cli/rehearse/drop/drop-rehearsal';
import { planDrop } from '../../../../cli/rehearse/drop/drop-plan';
import {
  WAITING_ROOM_STATE_KEY,
  waitingRoomSigningKeyName,
  type WaitingRoomState,
} from '../../../../contracts/waiting-room';
import { seededRandom } from '../../../../contracts/seeded-random';
import { RedisRoomStore } from '../../../../gate/waiting-room/redis-room-store';
import { ticketCounterKey } from '../../../../gate/waiting-room/ticket-issuer';
import { FakeClock } from '../../../support/fake-clock';
import { testRedisUrl } from '../../../support/test-redis';

describe('the rehearsal room loop', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(testRedisUrl());
  });
  afterAll(() => redis.disconnect());

  it('opens the pre-queue, draws it at the drop, then follows the rate, writing the edge store and the Redis record alike', async () => {
    const saleName = `drop-${randomUUID().slice(0, 8)}`;
    const clock = new FakeClock(1_800_000_000_000);
    const startMs = clock.now();
    const edgeStore = new Map<string, string>();
    const plan = planDrop({ capacityRps: 100, random: seededRandom(1) });
    const loop = new RoomLoop({
      redis,
      saleName,
      stores: [edgeStore],
      signingKey: { kid: 'k1', secret: 'a-secret-of-enough-length' },
      policy: {
        drops: [{ preQueueFromMs: startMs, atMs: startMs + 20_000 }],
        initialRatePerSecond: 8,
        dropHoldMs: 60_000,
        rate: rehearsalRatePolicy(plan, { sla: { p99LatencyMs: 800, errorRate: 0.01 } }),
      },
      pass: { seconds: 60, maxSeconds: 180 },
      // Headroom: half the measured capacity served, nothing shed.
      measure: () => ({
        admittedRequestsPerSecond: 50,
        activeShoppers: 20,
        shedShare: 0,
        p99Ms: 40,
        inFlight: 50,
        concurrencyLimit: 100,
      }),
      startMs,
      tickMs: 250,
      now: () => clock.now(),
    });
    await loop.prepare();
    expect(edgeStore.get(waitingRoomSigningKeyName('k1'))).toBe('a-secret-of-enough-length');
    const edgeState = () => JSON.parse(edgeStore.get(WAITING_ROOM_STATE_KEY)!) as WaitingRoomState;
    expect(edgeState().open).toBe(false);

    await loop.step();
    expect(edgeState()).toMatchObject({
      open: true,
      preQueueUntilMs: startMs + 20_000,
      ratePerSecond: 0,
      shuffleSeed: '',
    });
    await redis.set(ticketCounterKey(saleName), '40'); // forty joined during the pre-queue
    clock.advance(20_000);
    await loop.step();
    expect(edgeState()).toMatchObject({ open: true, preQueueSize: 40, ratePerSecond: 8 });
    expect(edgeState().shuffleSeed.length).toBeGreaterThanOrEqual(16);
    // The first measurement comes a spacing and the opening's transient after the opening.
    clock.advance(plan.room.spacingMs + plan.room.openingTransientMs - 1);
    await loop.step();
    expect(edgeState().ratePerSecond).toBe(8);
    clock.advance(2);
    await loop.step();
    expect(edgeState().ratePerSecond).toBeGreaterThan(8);
    const record = await new RedisRoomStore({ redis, saleName }).read();
    expect(record?.state).toEqual(edgeState());
    expect(loop.timeline()[20]).toMatchObject({ second: 20, open: true, issued: 40 });
    await loop.close();
  });

  it('waits for a measurement read asynchronously (the gates’ active shoppers come from Redis)', async () => {
    const saleName = `drop-${randomUUID().slice(0, 8)}`;
    const clock = new FakeClock(1_800_000_000_000);
    const startMs = clock.now();
    const plan = planDrop({ capacityRps: 100, random: seededRandom(1) });
    const loop = new RoomLoop({
      redis,
      saleName,
      stores: [],
      signingKey: { kid: 'k1', secret: 'a-secret-of-enough-length' },
      policy: {
        drops: [{ preQueueFromMs: startMs, atMs: startMs }],
        initialRatePerSecond: 8,
        dropHoldMs: 60_000,
        rate: rehearsalRatePolicy(plan, { sla: { p99LatencyMs: 800, errorRate: 0.01 } }),
      },
      pass: { seconds: 60, maxSeconds: 180 },
      // Overload, known only once the Redis read answers.
      measure: async () => ({
        admittedRequestsPerSecond: 100,
        activeShoppers: Number(await redis.get(ticketCounterKey(saleName))),
        shedShare: 0.2,
        p99Ms: 40,
        inFlight: 100,
        concurrencyLimit: 100,
      }),
      startMs,
      tickMs: 250,
      now: () => clock.now(),
    });
    await loop.prepare();
    await redis.set(ticketCounterKey(saleName), '40');
    await loop.step();
    // Opened at 8/s and, the shedding read, lowered by the decrease factor at once.
    expect(loop.current()).toMatchObject({ open: true, ratePerSecond: 8 * 0.7 });
    await loop.close();
  });
});

describe('the rehearsal rate policy', () => {
  it("takes the plan's spacing and opening transient, and raises and trims outside 5% of the target", () => {
    const plan = planDrop({ capacityRps: 100, random: seededRandom(1) });
    expect(rehearsalRatePolicy(plan, { sla: { p99LatencyMs: 800, errorRate: 0.01 } })).toMatchObject({
      slaP99Ms: 800,
      increaseSpacingMs: plan.room.spacingMs,
      openingTransientMs: plan.room.openingTransientMs,
      raiseMargin: 0.05,
      trimMargin: 0.05,
    });
  });
});

describe('the rehearsal config', () => {
  it('enables the room with whole-minute passes and the rehearsal join limit, keeping the rest', () => {
    const original = {
      $schema: './x.json',
      saleName: 's',
      waitingRoom: { sessionMinutes: 3 },
      gate: { flagsPollMs: 500, queue: { maxLengthPerClass: 7 } },
    };
    const copy = JSON.parse(configWithRoom(JSON.stringify(original), { seconds: 60, maxSeconds: 180 })) as Record<
      string,
      unknown
    >;
    expect(copy).toEqual({
      saleName: 's',
      gate: {
        flagsPollMs: 500,
        concurrency: { minLimit: 32 },
        queue: { maxLengthPerClass: 7, targetDelayMs: 100, intervalMs: 1000 },
      },
      waitingRoom: {
        sessionMinutes: 3,
        enabled: true,
        passMinutes: 1,
        passMaxMinutes: 3,
        joinLimits: { perIp: REHEARSAL_JOIN_LIMIT_PER_IP },
      },
    });
  });
});
