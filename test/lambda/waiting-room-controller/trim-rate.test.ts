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
/** The Lambda's policy: target 75% of the concurrency limits, no trim. */
const lambdaPolicy: RatePolicy = ratePolicyFromConfig(
  WaitingRoomSchema.parse({ enabled: true, minRatePerSecond: 2, maxRatePerSecond: 202, sessionMinutes: 5 }),
  800,
);
/** As the drop rehearsal runs it: trims above 80% (the target 75% and a 5% margin). */
const policy: RatePolicy = { ...lambdaPolicy, raiseMargin: 0.05, trimMargin: 0.05 };
const reading = (inFlight: number): RateMeasurement => ({
  admittedRequestsPerSecond: 300,
  activeShoppers: 0,
  shedShare: 0,
  p99Ms: 200,
  inFlight,
  concurrencyLimit: 100,
});
const overTarget = reading(90);
const state = (ratePerSecond: number, lastChangeAtMs = T - 60_000): RateState => ({
  ratePerSecond,
  lastIncreaseAtMs: lastChangeAtMs,
  lastDecreaseAtMs: lastChangeAtMs,
  estimateRatePerSecond: ratePerSecond,
  measuringSinceMs: 0,
  firstMeasuredAtMs: 0,
});

function loop(start: RateState, rules: RatePolicy = policy) {
  const clock = new FakeClock(T);
  let current = start;
  const step = (measured: RateMeasurement) => {
    const decision = decideRate({ measured, current, policy: rules, nowMs: clock.now() });
    current = decision.next;
    return decision;
  };
  return { clock, step, current: () => current };
}

describe('a load over the target is trimmed without waiting for shedding', () => {
  it('comes down halfway to the rate that puts the load at the target', () => {
    const { step, current } = loop(state(20));
    const trim = step(overTarget);
    // At 90% where the target is 75%, 20/s × 75/90 = 16.7/s puts the load at the target.
    expect(trim.change).toBe('decrease');
    expect(current().ratePerSecond).toBeCloseTo(18.33, 2);
    expect(trim.reason).toBe(
      'concurrency 90% used, above the target by more than the trim margin: rate 20 → 18.3/s, halfway to 16.7/s',
    );
    expect(current()).toMatchObject({ lastDecreaseAtMs: T, estimateRatePerSecond: current().ratePerSecond });
  });

  it('holds a load above the target but within the margin', () => {
    const { step, current } = loop(state(20));
    expect(step(reading(78)).reason).toBe('concurrency 78% used, at or above the 75% target');
    expect(current().ratePerSecond).toBe(20);
  });

  it('waits for the last change to show before trimming again', () => {
    const { clock, step } = loop(state(20, T - 2_000));
    expect(step(overTarget).reason).toMatch(/the last change is too recent to judge$/);
    clock.advance(8_000);
    expect(step(overTarget).change).toBe('decrease');
    clock.advance(5_000);
    expect(step(overTarget).change).toBe('hold');
    clock.advance(5_000);
    expect(step(overTarget).change).toBe('decrease');
  });

  it('never goes below the minimum rate', () => {
    const full = reading(100);
    const { clock, step, current } = loop(state(2.1));
    // Halfway to 2.1 × 75% = 1.6/s would be 1.8/s: the minimum, 2/s, instead.
    expect(step(full).change).toBe('decrease');
    expect(current().ratePerSecond).toBe(2);
    clock.advance(10_000);
    expect(step(full).reason).toMatch(/already at the minimum rate$/);
    expect(current().ratePerSecond).toBe(2);
  });

  it('leaves an overload to the cut, which is deeper', () => {
    const { step, current } = loop(state(20));
    expect(step({ ...overTarget, shedShare: 0.1 }).reason).toMatch(/^gates shedding 10%/);
    expect(current().ratePerSecond).toBe(14);
  });

  it('never trims without a trim margin, as the Lambda runs it: only an overload lowers the rate', () => {
    const { clock, step, current } = loop(state(20), lambdaPolicy);
    for (let i = 0; i < 10; i++) {
      expect(step(overTarget).reason).toBe('concurrency 90% used, at or above the 75% target');
      clock.advance(10_000);
    }
    expect(current().ratePerSecond).toBe(20);
  });
});
