/**
 * The trim: a load above the target by more than `trimMargin` brings the rate halfway down to the
 * one that scales the load to the target (the Little's-law rate, whose show-up share cancels out)
 * without waiting for the gates to shed. The load can settle above the target when the line's later
 * tickets show up more than the measured ones did, and a fleet held there sheds admitted shoppers on
 * the next burst. One reading suffices: it already averages the gates' measurement window.
 */
import type { RateDecision, RatePolicy, RateState } from './decide-rate';
import { percent, round } from './reason-format';

/**
 * The trim of a reading over the target by more than the margin, once the last change has had
 * `decreaseSpacingMs` to show; undefined without a margin or when the load is within it.
 */
export function decideTrim(input: {
  current: RateState;
  policy: RatePolicy;
  nowMs: number;
  utilization: number;
}): RateDecision | undefined {
  const { current, policy, nowMs, utilization } = input;
  if (policy.trimMargin === undefined || utilization <= policy.targetUtilization + policy.trimMargin) return undefined;
  const used = `concurrency ${percent(utilization)} used, above the target by more than the trim margin`;
  const hold = (why: string): RateDecision => ({ change: 'hold', next: current, reason: `${used}; ${why}` });
  if (nowMs - Math.max(current.lastIncreaseAtMs, current.lastDecreaseAtMs) < policy.decreaseSpacingMs)
    return hold('the last change is too recent to judge');
  const atTarget = (current.ratePerSecond * policy.targetUtilization) / utilization;
  const rate = Math.max(policy.minRatePerSecond, (current.ratePerSecond + atTarget) / 2);
  if (rate >= current.ratePerSecond) return hold('already at the minimum rate');
  return {
    change: 'decrease',
    next: { ...current, ratePerSecond: rate, lastDecreaseAtMs: nowMs },
    reason: `${used}: rate ${round(current.ratePerSecond)} → ${round(rate)}/s, halfway to ${round(atTarget)}/s`,
  };
}
