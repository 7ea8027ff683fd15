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
 * - Then, without overload, the rate goes in one step to the Little's-law rate (up or down,
 *   within the bounds), and the estimate uses it from then on.
 * - Until then the usual rules apply (an overload cuts at once; the estimate stays held back, since
 *   a cut is a reaction to the guess, not a measurement of the line, and the measurement follows).
 * - A page is never stuck estimating: `3 × increaseSpacingMs` after the opening the estimate takes
 *   the current rate, even if the first measurement is still to come.
 * - Measured (or set by hand), the estimate follows the rate after every change.
 */
import type { RateDecision, RatePolicy, RateState } from './decide-rate';

/** How many increase spacings after an opening the estimate waits for the first measurement at most. */
export const ESTIMATE_FALLBACK_SPACINGS = 3;

/** When the first measurement may be made, for a rate state that is measuring. */
export function firstMeasurementDueAtMs(current: RateState, policy: RatePolicy, activeWindowSeconds: number): number {
  const wholeVisitsMs = (policy.sessionSeconds + 2 * activeWindowSeconds) * 1000;
  return (
    Math.max(current.measuringSinceMs, current.lastDecreaseAtMs) + Math.max(policy.increaseSpacingMs, wholeVisitsMs)
  );
}

/**
 * The one-step correction to the Little's-law rate (`rate`, already within the bounds), or
 * undefined while it is not due yet. Called only without overload and with an estimate.
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
  const { current, nowMs, rate } = input;
  if (nowMs < firstMeasurementDueAtMs(current, input.policy, input.activeWindowSeconds)) return undefined;
  const change = rate > current.ratePerSecond ? 'increase' : rate < current.ratePerSecond ? 'decrease' : 'hold';
  const bounds = rate === input.littlesLawRate ? '' : ` (Little's law says ${round(input.littlesLawRate)}/s)`;
  return {
    change,
    next: {
      ...current,
      ratePerSecond: rate,
      estimateRatePerSecond: rate,
      measuringSinceMs: 0,
      lastIncreaseAtMs: change === 'increase' ? nowMs : current.lastIncreaseAtMs,
      lastDecreaseAtMs: change === 'decrease' ? nowMs : current.lastDecreaseAtMs,
    },
    reason: `first measurement: show-up ${percent(input.showUpShare)}, Little's law rate ${round(current.ratePerSecond)} → ${round(rate)}/s${bounds}`,
  };
}

/**
 * The estimate rate after a decision: held back (0) while measuring within the fallback time,
 * else the rate. Says so in the reason when the fallback gives the estimate its first value.
 */
export function settleEstimate(decision: RateDecision, policy: RatePolicy, nowMs: number): RateDecision {
  const next = decision.next;
  const measuringForMs = nowMs - next.measuringSinceMs;
  const held = next.measuringSinceMs > 0 && measuringForMs < ESTIMATE_FALLBACK_SPACINGS * policy.increaseSpacingMs;
  const estimate = held ? 0 : next.ratePerSecond;
  if (estimate === next.estimateRatePerSecond) return decision;
  const settled = { ...decision, next: { ...next, estimateRatePerSecond: estimate } };
  if (next.measuringSinceMs === 0 || next.estimateRatePerSecond !== 0) return settled;
  const fallback = `line not measured ${Math.round(measuringForMs / 1000)} s after the opening: waits estimated at ${round(estimate)}/s`;
  return { ...settled, reason: decision.change === 'hold' ? fallback : `${decision.reason}; ${fallback}` };
}

const round = (n: number) => Math.round(n * 10) / 10;
const percent = (share: number) => `${Math.round(share * 100)}%`;
