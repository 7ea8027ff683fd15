/**
 * The opening's show-up correction, on a fake clock: the rate divided by the share of admitted
 * places used (counted toward caution), once, before the first measurement; never on incomplete
 * marks, a small sample, after a cut or once the line is measured; and the first measurement then
 * waits whole visits after it.
 */
import { decideRate, type RateMeasurement } from '../../../lambda/waiting-room-controller/decide-rate';
import { measurementDueAtMs } from '../../../lambda/waiting-room-controller/first-measurement';
import { decideOpeningShowUp, type OpeningShowUp } from '../../../lambda/waiting-room-controller/opening-show-up';
import { OPENED, opened, openingPolicy as policy } from './fixtures/opening-fixture';

// 64 of the first 100 places used: one standard error is √(0.64 × 0.36 / 100) = 0.048.
const reading: OpeningShowUp = { places: 100, shown: 64, shownInAll: 70 };
const measured: RateMeasurement = {
  admittedRequestsPerSecond: 60,
  activeShoppers: 40,
  activeWindowSeconds: 1,
  shedShare: 0,
  p99Ms: 200,
  inFlight: 30,
  concurrencyLimit: 100,
  openingShowUp: reading,
};
const decide = (over: Partial<Parameters<typeof decideOpeningShowUp>[0]>) =>
  decideOpeningShowUp({ current: opened, policy, nowMs: OPENED + 6000, reading, activeShoppers: 40, ...over });

describe('the opening show-up correction', () => {
  it('divides the opening rate by the share used, counted one standard error higher', () => {
    const d = decide({});
    expect(d?.change).toBe('increase');
    expect(d?.next.ratePerSecond).toBeCloseTo(20 / 0.688, 6);
    expect(d?.next.lastIncreaseAtMs).toBe(OPENED + 6000);
    expect(d?.next.estimateRatePerSecond).toBe(0);
    expect(d?.reason).toBe(
      'opening show-up: 64 of the first 100 places admitted have been used (64%, counted as 69%): rate 20 → 29.1/s; waits estimated once the line is measured',
    );
  });

  it('at most doubles the rate and stays within the maximum', () => {
    const few = { places: 80, shown: 8, shownInAll: 40 };
    expect(decide({ reading: few })?.next.ratePerSecond).toBe(40);
    expect(decide({ reading: few, policy: { ...policy, maxRatePerSecond: 25 } })?.next.ratePerSecond).toBe(25);
  });

  it('does nothing when every place was used', () => {
    expect(decide({ reading: { places: 100, shown: 100, shownInAll: 100 } })).toBeUndefined();
  });

  it('waits for 64 places: fewer are too noisy', () => {
    expect(decide({ reading: { places: 56, shown: 20, shownInAll: 40 } })).toBeUndefined();
    expect(decide({ reading: { places: 64, shown: 32, shownInAll: 40 } })?.change).toBe('increase');
  });

  it('ignores incomplete marks: fewer places used than the shoppers the gates count as active', () => {
    expect(decide({ reading: { places: 100, shown: 20, shownInAll: 30 }, activeShoppers: 40 })).toBeUndefined();
    expect(decide({ reading: { places: 100, shown: 20, shownInAll: 36 }, activeShoppers: 40 })?.change).toBe(
      'increase',
    );
    // Gates that mark nothing and count nobody: no evidence that anyone was let in.
    expect(decide({ reading: { places: 100, shown: 0, shownInAll: 0 }, activeShoppers: 0 })).toBeUndefined();
  });

  it('ignores a malformed reading', () => {
    for (const bad of [
      { places: 100, shown: 101, shownInAll: 101 },
      { places: 100, shown: 50, shownInAll: 40 },
      { places: 100.5, shown: 50, shownInAll: 60 },
      { places: 100, shown: -1, shownInAll: 60 },
      { places: Number.NaN, shown: 50, shownInAll: 60 },
    ])
      expect(decide({ reading: bad })).toBeUndefined();
  });

  it('acts once, on the opening rate only: not after a raise, a cut, or once measured', () => {
    const corrected = decide({})!.next;
    expect(decide({ current: corrected, nowMs: OPENED + 8000 })).toBeUndefined();
    expect(decide({ current: { ...opened, lastDecreaseAtMs: OPENED + 3000, ratePerSecond: 14 } })).toBeUndefined();
    expect(decide({ current: { ...opened, firstMeasuredAtMs: OPENED + 10_000 } })).toBeUndefined();
    expect(decide({ current: { ...opened, measuringSinceMs: 0 } })).toBeUndefined();
    // A pre-queue's draw: the last raise (the pre-queue's opening) was long before admission began.
    expect(decide({ current: { ...opened, lastIncreaseAtMs: OPENED - 600_000 } })?.change).toBe('increase');
  });
});

describe('in decideRate', () => {
  it('corrects the rate while the first measurement is not due, and the measurement then waits whole visits after it', () => {
    const d = decideRate({ measured, current: opened, policy, nowMs: OPENED + 6000 });
    expect(d.change).toBe('increase');
    expect(d.next.estimateRatePerSecond).toBe(0);
    expect(measurementDueAtMs(d.next, policy, 1)).toBe(OPENED + 16_000);
    const later = decideRate({ measured, current: d.next, policy, nowMs: OPENED + 12_000 });
    expect(later.change).toBe('hold');
    expect(later.reason).toBe('measuring the line: the first measurement in 4 s');
  });

  it('leaves an overload to the cut', () => {
    const d = decideRate({ measured: { ...measured, shedShare: 0.2 }, current: opened, policy, nowMs: OPENED + 6000 });
    expect(d.change).toBe('decrease');
  });

  it('holds without a reading, as before', () => {
    const d = decideRate({
      measured: { ...measured, openingShowUp: undefined },
      current: opened,
      policy,
      nowMs: OPENED + 6000,
    });
    expect(d.reason).toBe('measuring the line: the first measurement in 4 s');
  });
});
