/**
 * The first measurement after an opening, and the waiting page's estimate rate around it.
 *
 * At an opening nobody knows how many admitted tickets will be used (part of the line abandons),
 * so the opening rate is a guess and any wait promised from it is wrong. The controller therefore
 * holds the estimate back (0: the page says it is estimating) until it has measured the line:
 *
 * - The first measurement is due once what the gates measure covers whole visits of shoppers
 *   admitted since the opening (or since the last cut): a session plus two active-count windows,
 *   so the fleet's use has reached its level (a session after the opening) and the last full count
 *   window began after that; never before `increaseSpacingMs`. Measured earlier, the use is still
 *   climbing and the count includes time before anyone was admitted, so Little's law would
 *   overstate the rate.
 *   The pre-queue's pages all come back at the opening, so its first admissions show together and
 *   the load runs above its level for a while: the first measurement waits `openingTransientMs`
 *   longer (a cut's measurement does not).
 * - Then, without overload, the rate goes in one step to the Little's-law rate (up or down,
 *   within the bounds, at most doubling: `MAX_MEASURED_RAISE`). A measurement right after an
 *   opening catches the line in a transient (the first tickets are the pre-queue's or the keenest,
 *   the fleet's use still settling), so the estimate waits for a later one, whole visits after the
 *   last change, that agrees with the rate within `SETTLED_SHARE`. Until the fallback a later one
 *   that disagrees moves the rate in one step again (it measured whole visits at a known rate, a
 *   better guess than halfway); after it, the usual rules move the rate. A first measurement that
 *   already agrees gives the estimate at once.
 * - Until the first measurement is due the rate is not raised (the gates have not seen whole
 *   visits, so there is no headroom to read), except by the share of admitted tickets used
 *   (opening-show-up.ts), after which the measurement waits whole visits again. An overload cuts
 *   at once, and the estimate stays held back, since a cut is a reaction to the guess, not a
 *   measurement of the line.
 * - A page is never stuck estimating: `3 × increaseSpacingMs` after the opening the estimate takes
 *   the current rate, even if the measurements are still to agree.
 * - Measured (or set by hand), the estimate follows the rate after every change.
 */
import type { RateDecision, RatePolicy, RateState } from './decide-rate';
import { percent, round } from './reason-format';

/** How many increase spacings after an opening the estimate waits for the first measurement at most. */
export const ESTIMATE_FALLBACK_SPACINGS = 3;

/** How close to the rate a later measurement must put Little's law for the estimate to use it. */
export const SETTLED_SHARE = 0.1;

/**
 * One measurement while measuring at most doubles the rate: the first reads the pre-queue's draw,
 * whose show-up need not be the line's behind it, from a count that may be a few dozen shoppers;
 * a larger step waits for the next measurement, whole visits later, to confirm it.
 */
export const MAX_MEASURED_RAISE = 2;

/**
 * When the next measurement may be made, for a rate state that is measuring: whole visits after the
 * opening, the last cut or the opening's show-up correction for the first, after the last change of
 * any kind for the later ones.
 */
export function measurementDueAtMs(current: RateState, policy: RatePolicy, activeWindowSeconds: number): number {
  // Before the first measurement only the opening's show-up correction raises the rate.
  const showUpRaiseAtMs = current.lastIncreaseAtMs > current.measuringSinceMs ? current.lastIncreaseAtMs : 0;
  const since =
    current.firstMeasuredAtMs > 0
      ? Math.max(current.lastIncreaseAtMs, current.lastDecreaseAtMs)
      : Math.max(
          current.measuringSinceMs + (policy.openingTransientMs ?? 0),
          current.lastDecreaseAtMs,
          showUpRaiseAtMs,
        );
  return since + measurementPeriodMs(policy, activeWindowSeconds);
}

/** How long after a change a measurement covers whole visits at the new rate: never less than the raise spacing. */
export function measurementPeriodMs(policy: RatePolicy, activeWindowSeconds: number): number {
  return Math.max(policy.increaseSpacingMs, (policy.sessionSeconds + 2 * activeWindowSeconds) * 1000);
}

/** Whether the estimate is still held back after this long measuring (before the fallback). */
function estimateHeld(measuringForMs: number, policy: RatePolicy): boolean {
  return measuringForMs < ESTIMATE_FALLBACK_SPACINGS * policy.increaseSpacingMs;
}

/**
 * The one-step correction to the Little's-law rate (`rate`, already within the bounds) of the first
 * measurement or of a later one before the fallback, or the agreement that ends the measuring;
 * undefined while none is due (the usual rules decide). Called only without overload and with an
 * estimate.
 */
export function decideFirstMeasurement(input: {
  current: RateState;
  policy: RatePolicy;
  nowMs: number;
  littlesLawRate: number;
  rate: number;
  showUpShare: number;
  activeWindowSeconds: number;
}): RateDecision | undefined {
  const { current, nowMs } = input;
  if (nowMs < measurementDueAtMs(current, input.policy, input.activeWindowSeconds)) return undefined;
  const rate = Math.min(input.rate, MAX_MEASURED_RAISE * current.ratePerSecond);
  const agrees = Math.abs(rate - current.ratePerSecond) <= SETTLED_SHARE * current.ratePerSecond;
  const again = current.firstMeasuredAtMs > 0;
  if (!agrees && again && !estimateHeld(nowMs - current.measuringSinceMs, input.policy)) return undefined;
  const change = rate > current.ratePerSecond ? 'increase' : rate < current.ratePerSecond ? 'decrease' : 'hold';
  const capped = rate < input.rate ? '; one measurement at most doubles the rate' : '';
  const bounds = rate === input.littlesLawRate ? '' : ` (Little's law says ${round(input.littlesLawRate)}/s${capped})`;
  const measured = `show-up ${percent(input.showUpShare)}, Little's law rate ${round(current.ratePerSecond)} → ${round(rate)}/s${bounds}`;
  return {
    change,
    next: {
      ...current,
      ratePerSecond: rate,
      estimateRatePerSecond: agrees ? rate : current.estimateRatePerSecond,
      measuringSinceMs: agrees ? 0 : current.measuringSinceMs,
      firstMeasuredAtMs: agrees ? 0 : again ? current.firstMeasuredAtMs : nowMs,
      lastIncreaseAtMs: change === 'increase' ? nowMs : current.lastIncreaseAtMs,
      lastDecreaseAtMs: change === 'decrease' ? nowMs : current.lastDecreaseAtMs,
    },
    reason: agrees
      ? `${again ? 'line measured' : 'first measurement'}: ${measured}; waits estimated at ${round(rate)}/s`
      : `${again ? 'measured again' : 'first measurement'}: ${measured}; waits estimated once a measurement agrees`,
  };
}

/**
 * The estimate rate after a decision: held back (0) while measuring within the fallback time,
 * else the rate. Says so in the reason when the fallback gives the estimate its first value.
 */
export function settleEstimate(decision: RateDecision, policy: RatePolicy, nowMs: number): RateDecision {
  const next = decision.next;
  const measuringForMs = nowMs - next.measuringSinceMs;
  const held = next.measuringSinceMs > 0 && estimateHeld(measuringForMs, policy);
  const estimate = held ? 0 : next.ratePerSecond;
  if (estimate === next.estimateRatePerSecond) return decision;
  const settled = { ...decision, next: { ...next, estimateRatePerSecond: estimate } };
  if (next.measuringSinceMs === 0 || next.estimateRatePerSecond !== 0) return settled;
  const unsettled = next.firstMeasuredAtMs > 0 ? 'measurements of the line not yet in agreement' : 'line not measured';
  const fallback = `${unsettled} ${Math.round(measuringForMs / 1000)} s after the opening: waits estimated at ${round(estimate)}/s`;
  return { ...settled, reason: decision.change === 'hold' ? fallback : `${decision.reason}; ${fallback}` };
}
