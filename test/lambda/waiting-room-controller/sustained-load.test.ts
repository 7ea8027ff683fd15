import {
  decideRate,
  type RateMeasurement,
  type RatePolicy,
  type RateState,
} from '../../../lambda/waiting-room-controller/decide-rate';
import { ratePolicyFromConfig } from '../../../lambda/waiting-room-controller/rate-policy';
import { WaitingRoomSchema } from '../../../contracts/config/waiting-room-schema';
import { FakeClock } from '../../support/fake-clock';

const T = 1_800_000_000_000;
/** The Lambda's policy: target 75% of the concurrency limits, no hold, no trim. */
const lambdaPolicy: RatePolicy = ratePolicyFromConfig(
  WaitingRoomSchema.parse({ enabled: true, minRatePerSecond: 2, maxRatePerSecond: 202, sessionMinutes: 5 }),
  800,
);
/** As the drop rehearsal runs it: raises below 70%, trims above 80%, each once it lasts 5 s. */
const policy: RatePolicy = { ...lambdaPolicy, loadHoldMs: 5_000, raiseMargin: 0.05, trimMargin: 0.05 };
const lull: RateMeasurement = {
  admittedRequestsPerSecond: 300,
  activeShoppers: 0,
  shedShare: 0,
  p99Ms: 200,
  inFlight: 30,
  concurrencyLimit: 100,
};
const nearTarget: RateMeasurement = { ...lull, inFlight: 78 };
const overTarget: RateMeasurement = { ...lull, inFlight: 90 };
const state = (ratePerSecond: number, lastChangeAtMs = T - 60_000): RateState => ({
  ratePerSecond,
  lastIncreaseAtMs: lastChangeAtMs,
  lastDecreaseAtMs: lastChangeAtMs,
  estimateRatePerSecond: ratePerSecond,
  measuringSinceMs: 0,
  firstMeasuredAtMs: 0,
  headroomSinceMs: 0,
  overTargetSinceMs: 0,
});

function loop(start: RateState, rules: RatePolicy = policy) {
  const clock = new FakeClock(T);
  let current = start;
  const step = (measured: RateMeasurement | undefined) => {
    const decision = decideRate({ measured, current, policy: rules, nowMs: clock.now() });
    current = decision.next;
    return decision;
  };
  return { clock, step, current: () => current };
}

describe('a raise waits for the headroom to last', () => {
  it('raises only once every measurement has shown headroom for the hold', () => {
    const { clock, step, current } = loop(state(20));
    const first = step(lull);
    expect(first.change).toBe('hold');
    expect(first.reason).toBe('concurrency 30% used: a raise waits 5 s more to see the headroom last');
    expect(current().headroomSinceMs).toBe(T);
    clock.advance(4_999);
    expect(step(lull).change).toBe('hold');
    clock.advance(1);
    expect(step(lull).change).toBe('increase');
    expect(current().ratePerSecond).toBe(24);
  });

  it('starts the hold again after a reading within the raise margin, as after a lull between peaks', () => {
    const { clock, step, current } = loop(state(20));
    step(lull);
    clock.advance(3_000);
    expect(step({ ...lull, inFlight: 72 }).reason).toMatch(/within the raise margin/);
    expect(current().headroomSinceMs).toBe(0);
    clock.advance(3_000);
    expect(step(lull).change).toBe('hold');
    clock.advance(4_999);
    expect(step(lull).change).toBe('hold');
    clock.advance(1);
    expect(step(lull).change).toBe('increase');
  });

  it('keeps the run through a missing measurement, which says nothing either way', () => {
    const { clock, step, current } = loop(state(20));
    step(lull);
    clock.advance(3_000);
    expect(step(undefined).change).toBe('hold');
    expect(current().headroomSinceMs).toBe(T);
    clock.advance(2_000);
    expect(step(lull).change).toBe('increase');
  });

  it('does not count an overload as headroom, and waits for it anew after any change', () => {
    const { clock, step, current } = loop(state(20));
    step(lull);
    clock.advance(5_000);
    step(lull);
    expect(current().headroomSinceMs).toBe(0);
    clock.advance(10_000);
    expect(step({ ...lull, p99Ms: 700 }).change).toBe('decrease');
    expect(current().headroomSinceMs).toBe(0);
    clock.advance(10_000);
    step(lull);
    expect(current().headroomSinceMs).toBe(clock.now());
  });

  it('raises on the first reading of headroom without a hold, as the Lambda runs it', () => {
    const decision = decideRate({ measured: lull, current: state(20), policy: lambdaPolicy, nowMs: T });
    expect(decision.change).toBe('increase');
    expect(decision.next.headroomSinceMs).toBe(0);
  });
});

describe('a load that lasts above the target is trimmed without waiting for shedding', () => {
  it('comes down halfway to the rate that puts the load at the target once it has lasted the hold', () => {
    const { clock, step, current } = loop(state(20));
    expect(step(overTarget).reason).toBe(
      'concurrency 90% used, above the target by more than the trim margin; a trim waits 5 s more to see it last',
    );
    expect(current().overTargetSinceMs).toBe(T);
    clock.advance(5_000);
    const trim = step(overTarget);
    // At 90% where the target is 75%, 20/s × 75/90 = 16.7/s puts the load at the target.
    expect(trim.change).toBe('decrease');
    expect(current().ratePerSecond).toBeCloseTo(18.33, 2);
    expect(trim.reason).toBe(
      'concurrency 90% used, above the target by more than the trim margin: rate 20 → 18.3/s, halfway to 16.7/s',
    );
    expect(current()).toMatchObject({
      lastDecreaseAtMs: T + 5_000,
      overTargetSinceMs: 0,
      estimateRatePerSecond: current().ratePerSecond,
    });
  });

  it('starts the run again after a reading back within the margin, as after a peak', () => {
    const { clock, step, current } = loop(state(20));
    step(overTarget);
    clock.advance(3_000);
    expect(step(nearTarget).reason).toMatch(/at or above the 75% target/);
    expect(current().overTargetSinceMs).toBe(0);
    clock.advance(1_000);
    step(overTarget);
    clock.advance(4_999);
    expect(step(overTarget).change).toBe('hold');
    clock.advance(1);
    expect(step(overTarget).change).toBe('decrease');
  });

  it('waits for the last change to show before trimming again', () => {
    const { clock, step } = loop(state(20, T - 2_000));
    step(overTarget);
    clock.advance(5_000);
    expect(step(overTarget).reason).toMatch(/the last change is too recent to judge$/);
    clock.advance(3_000);
    expect(step(overTarget).change).toBe('decrease');
    clock.advance(5_000);
    expect(step(overTarget).change).toBe('hold');
    clock.advance(5_000);
    expect(step(overTarget).change).toBe('decrease');
  });

  it('never goes below the minimum rate', () => {
    const full = { ...lull, inFlight: 100 };
    const { clock, step, current } = loop(state(2.1));
    step(full);
    clock.advance(5_000);
    // Halfway to 2.1 × 75% = 1.6/s would be 1.8/s: the minimum, 2/s, instead.
    expect(step(full).change).toBe('decrease');
    expect(current().ratePerSecond).toBe(2);
    clock.advance(10_000);
    step(full);
    clock.advance(5_000);
    expect(step(full).reason).toMatch(/already at the minimum rate$/);
    expect(current().ratePerSecond).toBe(2);
  });

  it('leaves an overload to the cut, which is deeper', () => {
    const { clock, step, current } = loop(state(20));
    step(overTarget);
    clock.advance(5_000);
    expect(step({ ...overTarget, shedShare: 0.1 }).reason).toMatch(/^gates shedding 10%/);
    expect(current().ratePerSecond).toBe(14);
  });

  it('never trims without a trim margin, as the Lambda runs it: only an overload lowers the rate', () => {
    const { clock, step, current } = loop(state(20), lambdaPolicy);
    for (let i = 0; i < 10; i++) {
      expect(step(overTarget).reason).toBe('concurrency 90% used, at or above the 75% target');
      clock.advance(10_000);
    }
    expect(current()).toMatchObject({ ratePerSecond: 20, overTargetSinceMs: 0 });
  });
});
