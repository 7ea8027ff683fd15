/** decideRoom and the waiting page's estimate rate, on a fake clock: held back at an opening, published when it changes. */
import type { WaitingRoomState } from '../../../contracts/waiting-room';
import { waitingStatus } from '../../../contracts/waiting-room-schedule';
import { WaitingRoomSchema } from '../../../contracts/config/waiting-room-schema';
import type { RateMeasurement } from '../../../lambda/waiting-room-controller/decide-rate';
import {
  decideRoom,
  type RoomControl,
  type RoomInput,
  type RoomPolicy,
} from '../../../lambda/waiting-room-controller/decide-room';
import { QueueCommandSchema } from '../../../lambda/waiting-room-controller/queue-commands';
import { ratePolicyFromConfig } from '../../../lambda/waiting-room-controller/rate-policy';
import { FakeClock } from '../../support/fake-clock';
import { roomState } from '../../support/waiting-room-state';

const DROP = 1_800_000_000_000;
const MINUTE = 60_000;
const policy: RoomPolicy = {
  drops: [{ preQueueFromMs: DROP - 30 * MINUTE, atMs: DROP }],
  openAtLevel: 2,
  initialRatePerSecond: 20,
  dropHoldMs: 10 * MINUTE,
  rate: {
    ...ratePolicyFromConfig(
      WaitingRoomSchema.parse({ enabled: true, minRatePerSecond: 2, maxRatePerSecond: 202, sessionMinutes: 5 }),
      800,
    ),
    sessionSeconds: 4,
  },
};
const closed: WaitingRoomState = roomState({ open: false, t0Ms: 0, openedAtMs: 0, ratePerSecond: 20 });
// Little's law at 20/s: 50 of 100 admitted shop, 37.5% of the concurrency used → 40/s (see first-measurement.test.ts).
const halfShowUp: RateMeasurement = {
  admittedRequestsPerSecond: 100,
  activeShoppers: 50,
  activeWindowSeconds: 1,
  shedShare: 0,
  p99Ms: 200,
  inFlight: 37.5,
  concurrencyLimit: 100,
};
/** Bookkeeping as stored before the estimate fields existed (the rehearsal's loop also starts from this shape). */
const legacyControl: RoomControl = { rate: { ratePerSecond: 20, lastIncreaseAtMs: 0, lastDecreaseAtMs: 0 } };

function controller(start: number, issuedCount = 1000) {
  const clock = new FakeClock(start);
  let state = closed;
  let control = legacyControl;
  const world = { issuedCount, level: 0, measured: undefined as RateMeasurement | undefined };
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

const rateLever = (ratePerSecond: number) =>
  QueueCommandSchema.parse({ action: 'rate', ratePerSecond, ttlSeconds: 600, reason: 'steady', actor: 'me' });

describe('decideRoom: the estimate held back at an opening', () => {
  it('opens first come first served with the estimate at 0, and the page says it is estimating', () => {
    const c = controller(DROP + 60 * MINUTE);
    c.world.level = 2;
    c.cycle();
    expect(c.state).toEqual(expect.objectContaining({ open: true, ratePerSecond: 20, estimateRatePerSecond: 0 }));
    expect(c.control.rate).toEqual(
      expect.objectContaining({ estimateRatePerSecond: 0, measuringSinceMs: DROP + 60 * MINUTE }),
    );
    expect(waitingStatus(c.state, 1500, c.clock.now())).toEqual(
      expect.objectContaining({ position: 501, estimatedWaitSeconds: null, estimating: true }),
    );
  });

  it('holds it back through the pre-queue and from the draw, timing the measurement from the draw', () => {
    const c = controller(DROP - 30 * MINUTE, 7);
    c.cycle();
    expect(c.state).toEqual(expect.objectContaining({ ratePerSecond: 0, estimateRatePerSecond: 0 }));
    c.world.issuedCount = 507;
    c.clock.set(DROP + 200);
    expect(c.cycle()).toEqual(['pre-queue of 500 drawn in random order; admitting 20/s']);
    expect(c.state).toEqual(expect.objectContaining({ ratePerSecond: 20, estimateRatePerSecond: 0 }));
    expect(c.control.rate).toEqual(expect.objectContaining({ estimateRatePerSecond: 0, measuringSinceMs: DROP + 200 }));
  });

  it('publishes the measured rate at the first measurement, and the estimate once a later one agrees', () => {
    const c = controller(DROP + 60 * MINUTE);
    c.world.level = 2;
    c.cycle();
    c.world.measured = halfShowUp;
    c.clock.advance(9_999);
    const before = c.state;
    expect(c.cycle()).toEqual([]);
    expect(c.state).toBe(before);
    c.clock.advance(1);
    expect(c.cycle()).toEqual([
      "first measurement: show-up 50%, Little's law rate 20 → 40/s; waits estimated once a measurement agrees",
    ]);
    expect(c.state).toEqual(
      expect.objectContaining({ ratePerSecond: 40, estimateRatePerSecond: 0, t0Ms: DROP + 60 * MINUTE + 10_000 }),
    );
    expect(waitingStatus(c.state, 1500, c.clock.now())).toEqual(
      expect.objectContaining({ estimatedWaitSeconds: null, estimating: true }),
    );
    // At 40/s, 100 shoppers (show-up 50%) at 75% use: Little's law agrees with the rate.
    c.world.measured = { ...halfShowUp, activeShoppers: 100, inFlight: 75 };
    c.clock.advance(10_000);
    expect(c.cycle()).toEqual(["line measured: show-up 50%, Little's law rate 40 → 40/s; waits estimated at 40/s"]);
    expect(c.state).toEqual(expect.objectContaining({ ratePerSecond: 40, estimateRatePerSecond: 40 }));
    // 10 s at 20/s and 10 s at 40/s put the line at ticket 1600: ticket 2000 has 401 to go at 40/s.
    expect(waitingStatus(c.state, 2000, c.clock.now())).toEqual(
      expect.objectContaining({ position: 401, estimatedWaitSeconds: 10, estimating: false }),
    );
  });

  it('writes a new state when only the estimate changes (the fallback), and the same state when nothing does', () => {
    const c = controller(DROP + 60 * MINUTE);
    c.world.level = 2;
    c.cycle();
    c.clock.advance(29_999);
    const held = c.state;
    expect(c.cycle()).toEqual([]);
    expect(c.state).toBe(held);
    c.clock.advance(1);
    expect(c.cycle()).toEqual(['line not measured 30 s after the opening: waits estimated at 20/s']);
    expect(c.state).not.toBe(held);
    expect(c.state).toEqual({ ...held, estimateRatePerSecond: 20 });
    const published = c.state;
    c.clock.advance(1_000);
    expect(c.cycle()).toEqual([]);
    expect(c.state).toBe(published);
  });
});

describe('decideRoom: a rate set by hand is the estimate rate', () => {
  it('uses the lever’s rate for the estimate at once', () => {
    const c = controller(DROP + 60 * MINUTE);
    c.world.level = 2;
    c.cycle();
    c.clock.advance(1_000);
    expect(c.cycle({ command: rateLever(8) })).toEqual([
      'lever rate 8/s for 600 s by me: steady',
      'rate 8/s by hand (steady, me)',
    ]);
    expect(c.state).toEqual(expect.objectContaining({ ratePerSecond: 8, estimateRatePerSecond: 8 }));
    expect(c.control.rate).toEqual(expect.objectContaining({ estimateRatePerSecond: 8, measuringSinceMs: 0 }));
  });

  it('publishes the estimate even when the lever keeps the rate the room already had', () => {
    const c = controller(DROP + 60 * MINUTE);
    c.world.level = 2;
    c.cycle();
    expect(c.cycle({ command: rateLever(20) })).toEqual([
      'lever rate 20/s for 600 s by me: steady',
      'waits estimated at 20/s, the rate set by hand (steady, me)',
    ]);
    expect(c.state).toEqual(expect.objectContaining({ ratePerSecond: 20, estimateRatePerSecond: 20 }));
  });
});

describe('decideRoom: bookkeeping from before the estimate', () => {
  it('reads it as measured: an open room without the field keeps its state untouched', () => {
    const open: WaitingRoomState = { ...closed, open: true, t0Ms: DROP, openedAtMs: DROP, ticket0: 0 };
    const decision = decideRoom({
      current: open,
      control: { rate: { ratePerSecond: 20, lastIncreaseAtMs: DROP, lastDecreaseAtMs: 0 } },
      policy,
      degradationLevel: 2,
      measured: halfShowUp,
      issuedCount: 5000,
      newSeed: () => 'a-fresh-secret-seed-0001',
      nowMs: DROP + 5_000,
    });
    expect(decision.state).toBe(open);
    expect(decision.changes).toEqual([]);
    expect(decision.control.rate).toEqual(
      expect.objectContaining({ ratePerSecond: 20, estimateRatePerSecond: 20, measuringSinceMs: 0 }),
    );
  });
});
