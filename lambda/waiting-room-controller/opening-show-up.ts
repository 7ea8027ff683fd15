/**
 * The opening rate, corrected for the tickets that go unused, seconds after the opening.
 *
 * The opening rate is what the fleet serves if every admitted ticket is used; part of a line always
 * gives up, so the fleet runs below it until the first measurement, which waits for whole visits
 * (first-measurement.ts). Which admitted places have been used is known much sooner: the gates mark
 * each place's first request, and the controller reads the latest places admitted long enough ago
 * to have shown (shown-places.ts). Once `MIN_SHOW_UP_PLACES` such places exist, the rate becomes
 * what the fleet serves over the share used, and follows that share as the line moves:
 *
 * - What the fleet serves, in shoppers a second, is the opening rate times the share it assumed
 *   (all of them); a correction keeps it, an overload cut lowers it.
 * - Only when the marks are complete: at least as many as the shoppers the gates count as active.
 * - The share is counted one standard error toward caution (higher), so a small sample's noise
 *   errs toward under-admitting, which the first measurement corrects; over-admitting would shed
 *   shoppers already let in. At most `MAX_MEASURED_RAISE` times what the fleet serves is admitted.
 * - Only a share the reading tells apart from the one the rate assumes: outside two standard errors
 *   of it (a sample of a few dozen places swings by a tenth from one reading to the next, and a
 *   rate that followed the swing would change every few seconds), and by more than `SETTLED_SHARE`
 *   of the rate; not within `SHOW_UP_SPACING_MS` of the last change since the opening; none once
 *   the line is measured or a measurement period after the opening (first-measurement.ts), so the
 *   first measurement comes by two periods.
 * - A correction counts as a change: the first measurement then waits whole visits after it.
 */
import type { RateDecision, RatePolicy, RateState } from './decide-rate';
import { MAX_MEASURED_RAISE, SETTLED_SHARE, measurementPeriodMs } from './first-measurement';
import { percent, round } from './reason-format';

/** Of the latest places admitted long enough ago to have shown, how many have been used; and all places used so far. */
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

/**
 * Below this many places the share is too noisy to act on (one standard error is then ±6 points at
 * most); fewer would also read only the draw's earliest places, which are used most
 * (docs/decisions/waiting-room-controller.md, item 11).
 */
export const MIN_SHOW_UP_PLACES = 64;

/** Corrections this close together would read mostly the same places. */
export const SHOW_UP_SPACING_MS = 3000;

/** Undefined when no correction applies (the caller holds while measuring). */
export function decideOpeningShowUp(input: {
  current: RateState;
  policy: RatePolicy;
  nowMs: number;
  reading: OpeningShowUp | undefined;
  /** Distinct shoppers the gates saw in the last full window (RateMeasurement.activeShoppers). */
  activeShoppers: number;
  /** The width of the window they were counted over (s). */
  activeWindowSeconds: number;
}): RateDecision | undefined {
  const { current, policy, nowMs, reading } = input;
  if (!reading || !isUsable(reading) || reading.places < MIN_SHOW_UP_PLACES) return undefined;
  if (input.activeShoppers === 0 || reading.shownInAll < MARKED_SHARE_OF_ACTIVE * input.activeShoppers)
    return undefined;
  if (!mayCorrect(current, policy, nowMs, input.activeWindowSeconds)) return undefined;
  const share = reading.shown / reading.places;
  const standardError = Math.sqrt((share * (1 - share)) / reading.places);
  const assumed = current.openingShowUpShare ?? 1;
  if (Math.abs(share - assumed) <= 2 * standardError) return undefined;
  const cautious = Math.min(1, share + standardError);
  const served = current.ratePerSecond * assumed;
  const wanted = served / Math.max(cautious, 1 / MAX_MEASURED_RAISE);
  const rate = Math.min(policy.maxRatePerSecond, Math.max(policy.minRatePerSecond, wanted));
  if (Math.abs(rate - current.ratePerSecond) <= SETTLED_SHARE * current.ratePerSecond) return undefined;
  const change = rate > current.ratePerSecond ? 'increase' : 'decrease';
  return {
    change,
    next: {
      ...current,
      ratePerSecond: rate,
      openingShowUpShare: served / rate,
      lastIncreaseAtMs: change === 'increase' ? nowMs : current.lastIncreaseAtMs,
      lastDecreaseAtMs: change === 'decrease' ? nowMs : current.lastDecreaseAtMs,
    },
    reason:
      `opening show-up: ${reading.shown} of the latest ${reading.places} places admitted have been used ` +
      `(${percent(share)}, counted as ${percent(cautious)}): rate ${round(current.ratePerSecond)} → ${round(rate)}/s; ` +
      'waits estimated once the line is measured',
  };
}

/** Before the line is measured, within a measurement period of the opening, and not right after a change since it. */
function mayCorrect(current: RateState, policy: RatePolicy, nowMs: number, activeWindowSeconds: number): boolean {
  if (!(current.measuringSinceMs > 0) || current.firstMeasuredAtMs !== 0) return false;
  const openingEndsAtMs =
    current.measuringSinceMs + (policy.openingTransientMs ?? 0) + measurementPeriodMs(policy, activeWindowSeconds);
  if (nowMs >= openingEndsAtMs) return false;
  const lastChangeAtMs = Math.max(current.lastIncreaseAtMs, current.lastDecreaseAtMs);
  return lastChangeAtMs <= current.measuringSinceMs || nowMs - lastChangeAtMs >= SHOW_UP_SPACING_MS;
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
