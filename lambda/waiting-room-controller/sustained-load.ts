/**
 * Which side of the target the fleet's load has stayed on, and the trim it earns above it.
 *
 * A single measurement can catch a lull between peaks or a peak between lulls, so the rate moves on
 * the load only when every measurement for `loadHoldMs` has shown the same side: headroom (below the
 * target by the raise margin) for a raise, above it by the trim margin for a trim. The rate state
 * keeps when each unbroken run began; a missing measurement says nothing and keeps both, and any
 * change of the rate starts them again, since what was seen before it was the load of the old rate.
 *
 * A trim brings the rate halfway down to the one that scales the load to the target (the
 * Little's-law rate, whose show-up share cancels out) without waiting for the gates to shed: the
 * load can settle above the target when the line's later tickets show up more than the measured
 * ones did, and a fleet held there sheds admitted shoppers on the next burst.
 */
import type { RateDecision, RatePolicy, RateState } from './decide-rate';

export type LoadSide = 'headroom' | 'over-target' | 'near-target';

/** Where a measurement's utilization stands; an overload is handled by the cut, not counted as a side. */
export function loadSide(utilization: number, overloaded: boolean, policy: RatePolicy): LoadSide {
  if (overloaded) return 'near-target';
  const target = policy.targetUtilization;
  if (utilization < target && utilization <= target - (policy.raiseMargin ?? 0)) return 'headroom';
  if (policy.trimMargin !== undefined && utilization > target + policy.trimMargin) return 'over-target';
  return 'near-target';
}

/** The state with the runs carried on by this measurement's side (undefined: no usable measurement). */
export function trackLoad(current: RateState, side: LoadSide | undefined, nowMs: number): RateState {
  if (side === undefined) return current;
  const since = (running: boolean, sinceMs: number) => (!running ? 0 : sinceMs > 0 ? sinceMs : nowMs);
  return {
    ...current,
    headroomSinceMs: since(side === 'headroom', current.headroomSinceMs),
    overTargetSinceMs: since(side === 'over-target', current.overTargetSinceMs),
  };
}

/** How long the run that began at `sinceMs` still has to last before the rate may move on it (0: it may). */
export function holdLeftMs(sinceMs: number, policy: RatePolicy, nowMs: number): number {
  return Math.max(0, sinceMs + (policy.loadHoldMs ?? 0) - nowMs);
}

/**
 * The trim of a load that stayed above the target: halfway down to the rate that scales the
 * utilization to the target, once the last change has had `decreaseSpacingMs` to show. Undefined
 * when the load is not over the target.
 */
export function decideTrim(input: {
  current: RateState;
  policy: RatePolicy;
  nowMs: number;
  utilization: number;
}): RateDecision | undefined {
  const { current, policy, nowMs, utilization } = input;
  if (current.overTargetSinceMs === 0) return undefined;
  const used = `concurrency ${percent(utilization)} used, above the target by more than the trim margin`;
  const hold = (why: string): RateDecision => ({ change: 'hold', next: current, reason: `${used}; ${why}` });
  const leftMs = holdLeftMs(current.overTargetSinceMs, policy, nowMs);
  if (leftMs > 0) return hold(`a trim waits ${seconds(leftMs)} more to see it last`);
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

const round = (n: number) => Math.round(n * 10) / 10;
const percent = (share: number) => `${Math.round(share * 100)}%`;
const seconds = (ms: number) => `${round(ms / 1000)} s`;
