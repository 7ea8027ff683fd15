/**
 * The opening's show-up correction, on a fake clock: the rate becomes what the fleet serves over the
 * share of the latest admitted places used (counted toward caution), and follows that share before
 * the first measurement; never on incomplete marks, a small sample, a share within the reading's
 * noise of the assumed one, a small change, right after a change, once the line is measured or a
 * measurement period after the opening; and the first measurement then waits whole visits after it.
 */
import { decideRate, type RateMeasurement } from '../../../lambda/waiting-room-controller/decide-rate';
import { measurementDueAtMs } from '../../../lambda/waiting-room-controller/first-measurement';
import {
  SHOW_UP_SPACING_MS,
  decideOpeningShowUp,
  type OpeningShowUp,
} from '../../../lambda/waiting-room-controller/opening-show-up';
import { OPENED, opened, openingPolicy as policy } from './fixtures/opening-fixture';

// 64 of the latest 100 places used: one standard error is √(0.64 × 0.36 / 100) = 0.048.
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
  decideOpeningShowUp({
    current: opened,
    policy,
    nowMs: OPENED + 6000,
    reading,
    activeShoppers: 40,
    activeWindowSeconds: 1,
    ...over,
  });

describe('the opening show-up correction', () => {
  it('divides what the fleet serves by the share used, counted one standard error higher', () => {
    const d = decide({});
    expect(d?.change).toBe('increase');
    expect(d?.next.ratePerSecond).toBeCloseTo(20 / 0.688, 6);
    expect(d?.next.openingShowUpShare).toBeCloseTo(0.688, 3);
    expect(d?.next.lastIncreaseAtMs).toBe(OPENED + 6000);
    expect(d?.next.estimateRatePerSecond).toBe(0);
    expect(d?.reason).toBe(
      'opening show-up: 64 of the latest 100 places admitted have been used (64%, counted as 69%): rate 20 → 29.1/s; waits estimated once the line is measured',
    );
  });

  it('at most doubles what the fleet serves and stays within the maximum', () => {
    const few = { places: 80, shown: 8, shownInAll: 40 };
    expect(decide({ reading: few })?.next.ratePerSecond).toBe(40);
    const capped = decide({ reading: few, policy: { ...policy, maxRatePerSecond: 25 } })!.next;
    expect(capped.ratePerSecond).toBe(25);
    // What the fleet serves is kept: 25/s at 80% of tickets used is still 20 shoppers a second.
    expect(capped.ratePerSecond * capped.openingShowUpShare!).toBeCloseTo(20, 9);
  });

  it('makes no change for a share within two standard errors of the one the rate assumes', () => {
    const first = decide({})!.next;
    // 60% of 100 places: one standard error is 0.049, and the rate assumes 68.8%.
    const reading = { places: 100, shown: 60, shownInAll: 200 };
    expect(decide({ current: first, nowMs: OPENED + 6000 + SHOW_UP_SPACING_MS, reading })).toBeUndefined();
  });

  it('makes no change within a tenth of the rate', () => {
    expect(decide({ reading: { places: 100, shown: 100, shownInAll: 100 } })).toBeUndefined();
    expect(decide({ reading: { places: 100, shown: 89, shownInAll: 100 } })).toBeUndefined();
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

  it('follows the share of the latest places, up and down, what the fleet serves unchanged', () => {
    const first = decide({})!.next;
    const later = (nowMs: number, shown: number) =>
      decide({ current: first, nowMs, reading: { places: 100, shown, shownInAll: 200 } });
    // Right after a change the same places would be read again.
    expect(later(OPENED + 6000 + SHOW_UP_SPACING_MS - 1, 50)).toBeUndefined();
    const fewer = later(OPENED + 6000 + SHOW_UP_SPACING_MS, 50)!;
    expect(fewer.change).toBe('increase');
    expect(fewer.next.ratePerSecond).toBeCloseTo(20 / 0.55, 6);
    const more = later(OPENED + 6000 + SHOW_UP_SPACING_MS, 90)!;
    expect(more.change).toBe('decrease');
    expect(more.next.lastDecreaseAtMs).toBe(OPENED + 6000 + SHOW_UP_SPACING_MS);
    expect(more.next.ratePerSecond).toBeCloseTo(20 / (0.9 + 0.03), 6);
    for (const d of [fewer, more]) expect(d.next.ratePerSecond * d.next.openingShowUpShare!).toBeCloseTo(20, 9);
  });

  it('after an overload cut, corrects what the fleet was found to serve', () => {
    const first = decide({})!.next;
    const cut = { ...first, ratePerSecond: first.ratePerSecond * 0.7, lastDecreaseAtMs: OPENED + 6500 };
    const d = decide({ current: cut, nowMs: OPENED + 9600, reading: { places: 100, shown: 50, shownInAll: 200 } });
    expect(d?.next.ratePerSecond).toBeCloseTo((0.7 * 20) / 0.55, 6);
  });

  it('stops once the line is measured and a measurement period after the opening', () => {
    expect(decide({ current: { ...opened, firstMeasuredAtMs: OPENED + 10_000 } })).toBeUndefined();
    expect(decide({ current: { ...opened, measuringSinceMs: 0 } })).toBeUndefined();
    // The fixture's period is its 10 s spacing (whole visits take 6 s).
    expect(decide({ nowMs: OPENED + 9999 })?.change).toBe('increase');
    expect(decide({ nowMs: OPENED + 10_000 })).toBeUndefined();
    expect(decide({ nowMs: OPENED + 11_999, policy: { ...policy, openingTransientMs: 2000 } })?.change).toBe(
      'increase',
    );
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
