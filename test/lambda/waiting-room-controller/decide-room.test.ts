import type { WaitingRoomState } from '../../../contracts/waiting-room';
import {
  decideRoom,
  type RoomControl,
  type RoomInput,
  type RoomPolicy,
} from '../../../lambda/waiting-room-controller/decide-room';
import type { RateMeasurement } from '../../../lambda/waiting-room-controller/decide-rate';
import { QueueCommandSchema } from '../../../lambda/waiting-room-controller/queue-commands';
import { ratePolicyFromConfig } from '../../../lambda/waiting-room-controller/rate-policy';
import { admittedBelow } from '../../../contracts/waiting-room-schedule';
import { WaitingRoomSchema } from '../../../contracts/config/waiting-room-schema';
import { FakeClock } from '../../support/fake-clock';
import { roomState } from '../../support/waiting-room-state';

const DROP = 1_800_000_000_000;
const MINUTE = 60_000;
const policy: RoomPolicy = {
  drops: [{ preQueueFromMs: DROP - 30 * MINUTE, atMs: DROP }],
  openAtLevel: 2,
  initialRatePerSecond: 20,
  dropHoldMs: 10 * MINUTE,
  rate: ratePolicyFromConfig(
    WaitingRoomSchema.parse({ enabled: true, minRatePerSecond: 2, maxRatePerSecond: 202, sessionMinutes: 5 }),
    800,
  ),
};
const closed: WaitingRoomState = roomState({ open: false, t0Ms: 0, openedAtMs: 0, ratePerSecond: 20 });
const calm: RateMeasurement = {
  admittedRequestsPerSecond: 300,
  activeShoppers: 0,
  shedShare: 0,
  p99Ms: 200,
  inFlight: 30,
  concurrencyLimit: 100,
};
const shedding: RateMeasurement = { ...calm, shedShare: 0.1 };
const noLevers: RoomControl = { rate: { ratePerSecond: 20, lastIncreaseAtMs: 0, lastDecreaseAtMs: 0 } };

/** Runs the controller cycle after cycle on one fake clock, carrying state and bookkeeping along. */
function controller(start: number, issuedCount = 7) {
  const clock = new FakeClock(start);
  let state = closed;
  let control = noLevers;
  const world = { issuedCount, level: 0, measured: calm as RateMeasurement | undefined };
  return {
    clock,
    world,
    get state() {
      return state;
    },
    get control() {
      return control;
    },
    cycle(extra: Partial<RoomInput> = {}) {
      const decision = decideRoom({
        current: state,
        control,
        policy,
        degradationLevel: world.level,
        measured: world.measured,
        issuedCount: world.issuedCount,
        newSeed: () => 'a-fresh-secret-seed-0001',
        nowMs: clock.now(),
        ...extra,
      });
      state = decision.state;
      control = decision.control;
      return decision.changes;
    },
  };
}

describe('decideRoom: a drop with its pre-queue', () => {
  it('stays closed before the pre-queue, opens a pre-queue that admits nobody, then draws the order at the drop', () => {
    const c = controller(DROP - 31 * MINUTE);
    expect(c.cycle()).toEqual([]);
    expect(c.state.open).toBe(false);

    c.clock.set(DROP - 30 * MINUTE);
    expect(c.cycle()).toEqual([expect.stringMatching(/^pre-queue opened \(drop at .*\), admission from /)]);
    expect(c.state).toEqual(
      expect.objectContaining({
        open: true,
        ratePerSecond: 0,
        preQueueUntilMs: DROP,
        preQueueStart: 7,
        ticket0: 7,
        ticketsFromMs: DROP - 30 * MINUTE,
        shuffleSeed: '',
      }),
    );
    expect(admittedBelow(c.state, DROP - 1)).toBe(7);

    c.world.issuedCount = 7 + 500;
    c.clock.set(DROP - 1);
    expect(c.cycle()).toEqual([]);
    c.clock.set(DROP + 200);
    expect(c.cycle()).toEqual(['pre-queue of 500 drawn in random order; admitting 20/s']);
    expect(c.state).toEqual(
      expect.objectContaining({
        preQueueSize: 500,
        shuffleSeed: 'a-fresh-secret-seed-0001',
        ticket0: 7,
        t0Ms: DROP + 200,
        ratePerSecond: 20,
        openedAtMs: DROP + 200,
      }),
    );
  });

  it('follows the rate decision once open, and closes when the line has reached every ticket after the hold', () => {
    const c = controller(DROP - 30 * MINUTE);
    c.cycle();
    c.world.issuedCount = 107;
    c.clock.set(DROP);
    c.cycle();
    c.clock.advance(30_000);
    c.world.measured = shedding;
    expect(c.cycle()).toEqual([expect.stringMatching(/gates shedding 10% of requests: rate 20 → 14\/s/)]);
    c.world.measured = calm;
    c.clock.set(DROP + 10 * MINUTE - 1);
    c.cycle();
    expect(c.state.open).toBe(true); // still within the hold
    c.clock.set(DROP + 10 * MINUTE);
    expect(c.cycle()).toEqual(['room closed (the line reached every ticket)']);
  });
});

describe('decideRoom: the degradation level', () => {
  it('opens first come first served at the level, and stays open until the line drains', () => {
    const c = controller(DROP + MINUTE * 60, 1000);
    c.world.level = 2;
    expect(c.cycle()).toEqual(['room opened (degradation level 2)']);
    expect(c.state).toEqual(
      expect.objectContaining({
        open: true,
        ticket0: 1000,
        preQueueSize: 0,
        preQueueUntilMs: 0,
        ratePerSecond: 20,
        ticketsFromMs: DROP + MINUTE * 60,
      }),
    );
    c.world.level = 0;
    c.world.issuedCount = 1100; // 100 people joined: 5 s at 20/s
    c.clock.advance(4_000);
    c.cycle();
    expect(c.state.open).toBe(true);
    c.clock.advance(1_000);
    expect(c.cycle()).toEqual(['room closed (the line reached every ticket)']);
  });
});

describe('decideRoom: levers', () => {
  it('closes by hand even with people waiting, and the room reopens when the lever expires', () => {
    const c = controller(DROP + MINUTE * 60);
    c.world.level = 3;
    c.cycle();
    c.world.issuedCount = 5000;
    const close = QueueCommandSchema.parse({
      action: 'close',
      ttlSeconds: 60,
      reason: 'payments down',
      actor: 'sre@shop',
    });
    expect(c.cycle({ command: close })).toEqual([
      'lever close for 60 s by sre@shop: payments down',
      'room closed (by hand: payments down, sre@shop)',
    ]);
    c.clock.advance(60_000);
    expect(c.cycle()).toEqual(['lever close expired (payments down)', 'room opened (degradation level 3)']);
  });

  it('holds a rate set by hand until it expires, then climbs gently from it', () => {
    const c = controller(DROP + MINUTE * 60);
    c.cycle({ command: QueueCommandSchema.parse({ action: 'open', ttlSeconds: 3600, reason: 'test', actor: 'me' }) });
    c.clock.advance(1000);
    expect(
      c.cycle({
        command: QueueCommandSchema.parse({
          action: 'rate',
          ratePerSecond: 5,
          ttlSeconds: 120,
          reason: 'slow it',
          actor: 'me',
        }),
      }),
    ).toEqual(['lever rate 5/s for 120 s by me: slow it', 'rate 5/s by hand (slow it, me)']);
    c.world.measured = calm;
    c.clock.advance(60_000);
    expect(c.cycle()).toEqual([]);
    expect(c.state.ratePerSecond).toBe(5);
    c.clock.advance(60_000);
    expect(c.cycle()).toEqual(['rate lever expired (slow it)', expect.stringMatching(/rate 5 → 9\/s/)]);
  });

  it('clears every lever', () => {
    const c = controller(DROP + MINUTE * 60);
    c.cycle({ command: QueueCommandSchema.parse({ action: 'open', ttlSeconds: 3600, reason: 'test', actor: 'me' }) });
    c.cycle({ command: QueueCommandSchema.parse({ action: 'clear', reason: 'done', actor: 'me' }) });
    expect(c.control.manualOpen).toBeUndefined();
  });

  it.each([
    [{ action: 'open', ttlSeconds: 60, actor: 'me' }, /reason/],
    [{ action: 'rate', ratePerSecond: -1, ttlSeconds: 60, reason: 'x', actor: 'me' }, /ratePerSecond/],
    [{ action: 'close', ttlSeconds: 0, reason: 'x', actor: 'me' }, /ttlSeconds/],
    [{ action: 'pause', reason: 'x', actor: 'me' }, /action/],
  ])('refuses the command %j', (command, field) => {
    const result = QueueCommandSchema.safeParse(command);
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues.map((i) => i.path))).toMatch(field);
  });
});
