/**
 * The opening rate, corrected for the tickets that go unused, seconds after the opening.
 *
 * The opening rate is what the fleet serves if every admitted ticket is used; part of a line always
 * gives up, so the fleet runs below it until the first measurement, which waits for whole visits
 * (first-measurement.ts). Which admitted places have been used is known much sooner: the gates mark
 * each place's first request (shown-places.ts). Once `MIN_SHOW_UP_PLACES` places were admitted long
 * enough ago to have shown, the rate becomes the opening rate over the share used, once:
 *
 * - Only when the marks are complete: at least as many as the shoppers the gates count as active.
 * - The share is counted one standard error toward caution (higher), so a small sample's noise
 *   errs toward under-admitting, which the first measurement corrects; over-admitting would shed
 *   shoppers already let in.
 * - Only before the first measurement is due, with no change since the opening (the rate is still
 *   the opening's, which the correction scales), and at most `MAX_MEASURED_RAISE` times it.
 * - The correction counts as a change: the first measurement then waits whole visits after it.
 */
import type { RateDecision, RatePolicy, RateState } from './decide-rate';
import { MAX_MEASURED_RAISE } from './first-measurement';
import { percent, round } from './reason-format';

/** Of the places admitted long enough ago to have shown, how many have been used; and all places used so far. */
export interface OpeningShowUp {
  places: number;
  shown: number;
  shownInAll: number;
}

/**
 * Every shopper active in the last full window has been marked (the gates send both at once), so
 * fewer marks than this share of them means the marks are incomplete (a gate that could not send
 * them, or one that does not mark): a place that reads unused would raise the rate for nobody.
 */
const MARKED_SHARE_OF_ACTIVE = 0.9;

/** Below this many places the share is too noisy to act on (one standard error is then ±6 points at most). */
export const MIN_SHOW_UP_PLACES = 64;

/** Undefined when no correction applies (the caller holds while measuring). */
export function decideOpeningShowUp(input: {
  current: RateState;
  policy: RatePolicy;
  nowMs: number;
  reading: OpeningShowUp | undefined;
  /** Distinct shoppers the gates saw in the last full window (RateMeasurement.activeShoppers). */
  activeShoppers: number;
}): RateDecision | undefined {
  const { current, policy, nowMs, reading } = input;
  if (!reading || !isUsable(reading) || reading.places < MIN_SHOW_UP_PLACES) return undefined;
  if (input.activeShoppers === 0 || reading.shownInAll < MARKED_SHARE_OF_ACTIVE * input.activeShoppers)
    return undefined;
  const openingRateStands =
    current.measuringSinceMs > 0 &&
    current.firstMeasuredAtMs === 0 &&
    current.lastIncreaseAtMs <= current.measuringSinceMs &&
    current.lastDecreaseAtMs < current.measuringSinceMs;
  if (!openingRateStands) return undefined;
  const share = reading.shown / reading.places;
  const cautious = Math.min(1, share + Math.sqrt((share * (1 - share)) / reading.places));
  const wanted = current.ratePerSecond / Math.max(cautious, 1 / MAX_MEASURED_RAISE);
  const rate = Math.min(policy.maxRatePerSecond, Math.max(policy.minRatePerSecond, wanted));
  if (rate <= current.ratePerSecond) return undefined;
  return {
    change: 'increase',
    next: { ...current, ratePerSecond: rate, lastIncreaseAtMs: nowMs },
    reason:
      `opening show-up: ${reading.shown} of the first ${reading.places} places admitted have been used ` +
      `(${percent(share)}, counted as ${percent(cautious)}): rate ${round(current.ratePerSecond)} → ${round(rate)}/s; ` +
      'waits estimated once the line is measured',
  };
}

function isUsable(reading: OpeningShowUp): boolean {
  return (
    Number.isInteger(reading.places) &&
    Number.isInteger(reading.shown) &&
    Number.isInteger(reading.shownInAll) &&
    reading.shown >= 0 &&
    reading.places >= reading.shown &&
    reading.shownInAll >= reading.shown
  );
}
