/**
 * decideRate after an opening, on a fake clock: the estimate held back, the one-step first
 * measurement, the later ones that disagree or agree, the fallback, the opening's transient.
 */
import {
  decideRate,
  type RateDecision,
  type RateMeasurement,
  type RatePolicy,
  type RateState,
} from '../../../lambda/waiting-room-controller/decide-rate';
import { FakeClock } from '../../support/fake-clock';
import { OPENED, opened, openingPolicy as policy } from './fixtures/opening-fixture';

// 20/s counted over 4 + 1 s: 100 admitted, 50 shopping (show-up 50%), 40% of the concurrency used:
// Little's law allows 20 × 75% / 40% = 37.5/s.
const halfShowUp: RateMeasurement = {
  admittedRequestsPerSecond: 100,
  activeShoppers: 50,
  activeWindowSeconds: 1,
  shedShare: 0,
  p99Ms: 200,
  inFlight: 40,
  concurrencyLimit: 100,
};
const nobodyCounted: RateMeasurement = { ...halfShowUp, activeShoppers: 0 };
const shedding: RateMeasurement = { ...halfShowUp, shedShare: 0.1 };
/** At 37.5/s, 125 shoppers counted over 4 + 1 s (show-up 67%) at 75% of the concurrency: Little's law agrees. */
const atTarget: RateMeasurement = { ...halfShowUp, activeShoppers: 125, inFlight: 75 };
const decide = (measured: RateMeasurement | undefined, atMs: number, current: RateState = opened) =>
  decideRate({ measured, current, policy, nowMs: atMs });

describe('the first measurement after an opening', () => {
  it('is not made before the spacing, nor is the rate raised on headroom the gates cannot have seen', () => {
    const d = decide(halfShowUp, OPENED + 9_999);
    expect(d.reason).toBe('measuring the line: the first measurement in 1 s');
    expect(d.next).toEqual(opened);
    // Even when the last raise was long ago (the pre-queue opened minutes before its draw).
    expect(decide(halfShowUp, OPENED + 5_000, { ...opened, lastIncreaseAtMs: OPENED - 600_000 }).change).toBe('hold');
  });

  it('jumps in one step up to the Little’s-law rate once the spacing has passed, the estimate still held', () => {
    const d = decide(halfShowUp, OPENED + 10_000);
    expect(d.change).toBe('increase');
    expect(d.reason).toBe(
      "first measurement: show-up 50%, Little's law rate 20 → 37.5/s; waits estimated once a measurement agrees",
    );
    expect(d.next).toEqual({
      ratePerSecond: 37.5,
      lastIncreaseAtMs: OPENED + 10_000,
      lastDecreaseAtMs: 0,
      estimateRatePerSecond: 0,
      measuringSinceMs: OPENED,
      firstMeasuredAtMs: OPENED + 10_000,
    });
  });

  it('gives the estimate at once when the first measurement agrees with the rate', () => {
    // 100 of 100 admitted shop (show-up 100%) at 80% use: 20 × 75% / 80% = 18.75/s, within 10% of 20.
    const d = decide({ ...halfShowUp, activeShoppers: 100, inFlight: 80 }, OPENED + 10_000);
    expect(d.change).toBe('decrease');
    expect(d.reason).toBe("first measurement: show-up 100%, Little's law rate 20 → 18.8/s; waits estimated at 18.8/s");
    expect(d.next).toEqual({
      ratePerSecond: 18.75,
      lastIncreaseAtMs: OPENED,
      lastDecreaseAtMs: OPENED + 10_000,
      estimateRatePerSecond: 18.75,
      measuringSinceMs: 0,
      firstMeasuredAtMs: 0,
    });
  });

  it('jumps down as well: every admitted ticket shows up and the fleet is fully used', () => {
    // 100 of 100 admitted shop (show-up 100%) at 100% use: 20 × 75% / 100% = 15/s.
    const d = decide({ ...halfShowUp, activeShoppers: 100, inFlight: 100 }, OPENED + 10_000);
    expect(d.change).toBe('decrease');
    expect(d.reason).toMatch(/^first measurement: show-up 100%, Little's law rate 20 → 15\/s;/);
    expect(d.next).toEqual(
      expect.objectContaining({ ratePerSecond: 15, estimateRatePerSecond: 0, lastDecreaseAtMs: OPENED + 10_000 }),
    );
  });

  it('stays within the bounds, saying what Little’s law said', () => {
    // 5 shoppers (show-up floored at 5%) at 1% use: 1500/s, above the 202/s maximum.
    const d = decide({ ...halfShowUp, activeShoppers: 5, inFlight: 1 }, OPENED + 10_000, {
      ...opened,
      ratePerSecond: 150,
    });
    expect(d.next.ratePerSecond).toBe(202);
    expect(d.reason).toMatch(/rate 150 → 202\/s \(Little's law says 1500\/s\);/);
  });

  it('at most doubles the rate: the draw’s few dozen shoppers may not show up like the line', () => {
    const d = decide({ ...halfShowUp, activeShoppers: 5, inFlight: 1 }, OPENED + 10_000);
    expect(d.next.ratePerSecond).toBe(40);
    expect(d.next.estimateRatePerSecond).toBe(0);
    expect(d.reason).toMatch(
      /rate 20 → 40\/s \(Little's law says 1500\/s; one measurement at most doubles the rate\); waits estimated once/,
    );
    // The next measurement, whole visits later, may double it again.
    expect(decide({ ...halfShowUp, activeShoppers: 5, inFlight: 1 }, OPENED + 20_000, d.next).next.ratePerSecond).toBe(
      80,
    );
  });

  it('waits until the count covers whole visits when its window is wide', () => {
    // 5 s windows: 4 + 2 × 5 = 14 s after the opening, past the 10 s spacing.
    const wide = { ...halfShowUp, activeWindowSeconds: 5, activeShoppers: 90 };
    expect(decide(wide, OPENED + 13_999).reason).not.toMatch(/^first measurement/);
    expect(decide(wide, OPENED + 13_999).next.estimateRatePerSecond).toBe(0);
    expect(decide(wide, OPENED + 14_000).reason).toMatch(/^first measurement: show-up 50%/);
  });

  it('is not made while the gates report overload: the rate is cut at once and the estimate stays held back', () => {
    const d = decide(shedding, OPENED + 12_000);
    expect(d.change).toBe('decrease');
    expect(d.reason).toMatch(/gates shedding 10% of requests: rate 20 → 14\/s/);
    expect(d.next).toEqual(
      expect.objectContaining({
        ratePerSecond: 14,
        estimateRatePerSecond: 0,
        measuringSinceMs: OPENED,
        lastDecreaseAtMs: OPENED + 12_000,
      }),
    );
    // The measurement after a cut waits for the cut to show in a whole count, a spacing later.
    expect(decide(halfShowUp, OPENED + 21_999, d.next).reason).not.toMatch(/^first measurement/);
    const after = decide(halfShowUp, OPENED + 22_000, d.next);
    expect(after.reason).toMatch(/^first measurement: show-up 71%, Little's law rate 14 → 26.3\/s;/);
    expect(after.next.ratePerSecond).toBeCloseTo(26.25, 9);
  });

  it('gives the estimate the current rate when nothing could be measured for three spacings', () => {
    expect(decide(nobodyCounted, OPENED + 29_999).next.estimateRatePerSecond).toBe(0);
    expect(decide(undefined, OPENED + 29_999).next.estimateRatePerSecond).toBe(0);
    for (const measured of [nobodyCounted, undefined]) {
      const d = decide(measured, OPENED + 30_000, { ...opened, lastIncreaseAtMs: OPENED + 25_000 });
      expect(d.change).toBe('hold');
      expect(d.reason).toBe('line not measured 30 s after the opening: waits estimated at 20/s');
      expect(d.next).toEqual(expect.objectContaining({ ratePerSecond: 20, estimateRatePerSecond: 20 }));
      // The first measurement is still to come: when it can be made, the rate goes there in one step.
      expect(d.next.measuringSinceMs).toBe(OPENED);
      const later = decide(halfShowUp, OPENED + 40_000, d.next);
      expect(later.reason).toMatch(/^first measurement: .* 20 → 37.5\/s/);
      // Past the fallback the estimate follows the rate while the measurements are still to agree.
      expect(later.next.estimateRatePerSecond).toBe(37.5);
      expect(later.next.measuringSinceMs).toBe(OPENED);
    }
  });

  it('tells a rate change and the fallback in one reason when both happen at once', () => {
    const d = decide(nobodyCounted, OPENED + 30_000);
    expect(d.change).toBe('increase');
    expect(d.reason).toBe(
      'concurrency 40% used: rate 20 → 24/s; line not measured 30 s after the opening: waits estimated at 24/s',
    );
    expect(d.next.estimateRatePerSecond).toBe(24);
  });
});

describe('after the first measurement', () => {
  const jumped = decide(halfShowUp, OPENED + 10_000).next;

  it('gives the estimate when a later measurement, whole visits after the last change, agrees', () => {
    expect(decide(atTarget, OPENED + 19_999, jumped).next.estimateRatePerSecond).toBe(0);
    const d = decide(atTarget, OPENED + 20_000, jumped);
    expect(d.reason).toBe("line measured: show-up 67%, Little's law rate 37.5 → 37.5/s; waits estimated at 37.5/s");
    expect(d.next).toEqual({ ...jumped, estimateRatePerSecond: 37.5, measuringSinceMs: 0, firstMeasuredAtMs: 0 });
  });

  it('moves the rate in one step again when a later measurement disagrees, the estimate still held', () => {
    // At 37.5/s and 45% use: Little's law says 37.5 × 75% / 45% = 62.5/s.
    const d = decide({ ...atTarget, inFlight: 45 }, OPENED + 20_000, jumped);
    expect(d.change).toBe('increase');
    expect(d.reason).toBe(
      "measured again: show-up 67%, Little's law rate 37.5 → 62.5/s; waits estimated once a measurement agrees",
    );
    expect(d.next.ratePerSecond).toBeCloseTo(62.5, 9);
    expect(d.next).toEqual({
      ...jumped,
      ratePerSecond: d.next.ratePerSecond,
      lastIncreaseAtMs: OPENED + 20_000,
      estimateRatePerSecond: 0,
      firstMeasuredAtMs: OPENED + 10_000,
    });
    // The next measurement is due whole visits after that jump.
    expect(decide(atTarget, OPENED + 29_999, d.next).next.estimateRatePerSecond).toBe(0);
  });

  it('leaves a disagreeing measurement to the usual rules past the fallback: halfway up', () => {
    const again = { ...jumped, ratePerSecond: 60, lastIncreaseAtMs: OPENED + 20_000 };
    // At 60/s and 45% use Little's law says 100/s: halfway is 80/s, and the fallback gives the estimate.
    const d = decide({ ...atTarget, inFlight: 45 }, OPENED + 30_000, again);
    expect(d.reason).toBe(
      'concurrency 45% used: rate 60 → 80/s; measurements of the line not yet in agreement 30 s after the opening: waits estimated at 80/s',
    );
    expect(d.next).toEqual(expect.objectContaining({ ratePerSecond: 80, estimateRatePerSecond: 80 }));
    expect(d.next.measuringSinceMs).toBe(OPENED);
  });
});

describe('the opening transient', () => {
  const settling: RatePolicy = { ...policy, openingTransientMs: 2_000 };
  const decideSettling = (measured: RateMeasurement, atMs: number, current: RateState = opened) =>
    decideRate({ measured, current, policy: settling, nowMs: atMs });

  it('puts the first measurement that much later', () => {
    expect(decideSettling(halfShowUp, OPENED + 11_999).reason).toBe('measuring the line: the first measurement in 1 s');
    expect(decideSettling(halfShowUp, OPENED + 12_000).reason).toMatch(/^first measurement: .* 20 → 37.5\/s;/);
  });

  it('does not delay the measurement after a cut made once it has passed', () => {
    const cut = decideSettling(shedding, OPENED + 5_000).next;
    expect(cut.lastDecreaseAtMs).toBe(OPENED + 5_000);
    expect(decideSettling(halfShowUp, OPENED + 14_999, cut).reason).toMatch(/^measuring the line/);
    expect(decideSettling(halfShowUp, OPENED + 15_000, cut).reason).toMatch(/^first measurement: /);
  });

  it('does not delay the measurements after the first', () => {
    const jumped = decideSettling(halfShowUp, OPENED + 12_000).next;
    expect(decideSettling(atTarget, OPENED + 22_000, jumped).reason).toMatch(/^line measured: /);
  });
});

describe('once measured: the usual rules, the estimate following the rate', () => {
  it('cuts at once, waits, raises gently, and the estimate follows every change', () => {
    const clock = new FakeClock(OPENED + 20_000);
    let current = decide(atTarget, clock.now(), decide(halfShowUp, OPENED + 10_000).next).next;
    const step = (measured: RateMeasurement): RateDecision => {
      const d = decideRate({ measured, current, policy, nowMs: clock.now() });
      current = d.next;
      return d;
    };
    clock.advance(1_000);
    expect(step(shedding).change).toBe('decrease');
    expect(current).toEqual(expect.objectContaining({ ratePerSecond: 26.25, estimateRatePerSecond: 26.25 }));
    clock.advance(5_000);
    expect(step(nobodyCounted).change).toBe('hold');
    clock.advance(5_000);
    const raise = step(nobodyCounted);
    expect(raise.reason).toBe('concurrency 40% used: rate 26.3 → 30.3/s');
    expect(current).toEqual(expect.objectContaining({ ratePerSecond: 30.25, estimateRatePerSecond: 30.25 }));
    // Measured once: never held back again, however long nothing is counted.
    clock.advance(60_000);
    step(nobodyCounted);
    expect(current.estimateRatePerSecond).toBe(current.ratePerSecond);
    expect(current.measuringSinceMs).toBe(0);
  });
});
