/**
 * The waiting room's admission rate: a pure function of (what the gates measured, the rate now,
 * the policy, now). No AWS SDK, no I/O, no clock of its own, so the Lambda, the `saleday queue`
 * levers and the rehearsal decide the same way, and every rule is a table test.
 *
 * - Overload (the gates shed more than a trickle, or p99 reaches `nearSlaShare` of the SLA): the
 *   rate drops at once, multiplicatively, and straight to the Little's-law estimate when that is
 *   lower; further drops wait `decreaseSpacingMs`, long enough for the last one to show.
 * - Headroom (the adaptive concurrency limits are used below `targetUtilization`): the rate rises
 *   by one additive step per `increaseSpacingMs`, never above the Little's-law estimate. A load
 *   above the target by `trimMargin` brings the rate halfway down to the one that puts it at the
 *   target (trim-rate.ts).
 * - Little's law: active shoppers ≈ admitted-and-present rate × session length. The fleet at the
 *   target utilization serves `active × targetUtilization / utilization` shoppers; the share of
 *   admitted tickets that show up (abandonment) is `active / (rate × session)`; the rate that keeps
 *   the fleet there is the first divided by (show-up share × session).
 * - The opening's show-up (opening-show-up.ts): seconds after an opening, the rate follows the share
 *   of the latest admitted places that have been used, before whole visits can be measured.
 * - The first measurement (first-measurement.ts): after an opening, once the gates' count covers
 *   whole visits of admitted shoppers and there is no overload, the rate goes in one step to the
 *   Little's-law rate, and the waiting page's estimate (held back until then) uses it.
 * - Always within [minRatePerSecond, maxRatePerSecond].
 */
import { decideFirstMeasurement, measurementDueAtMs, settleEstimate } from './first-measurement';
import { decideOpeningShowUp, type OpeningShowUp } from './opening-show-up';
import { decideTrim } from './trim-rate';
import { percent, round } from './reason-format';

export interface RateMeasurement {
  /** Requests per second from admitted shoppers (pass holders), across the gates. */
  admittedRequestsPerSecond: number;
  /** Distinct admitted shoppers seen active over the measurement window. */
  activeShoppers: number;
  /**
   * The width of the window activeShoppers was counted over (s). A shopper whose visit overlaps the
   * window counts, so the count is the show-up rate × (session + window), not × session. @default 0
   */
  activeWindowSeconds?: number;
  /** Share of requests the gates shed (0..1). */
  shedShare: number;
  /** p99 latency of admitted shoppers' requests, ms. */
  p99Ms: number;
  /** Requests in flight and the sum of the gates' adaptive concurrency limits. */
  inFlight: number;
  concurrencyLimit: number;
  /** After an opening: how many of the places admitted a while ago have been used (shown-places.ts). */
  openingShowUp?: OpeningShowUp;
}

export interface RatePolicy {
  slaP99Ms: number;
  minRatePerSecond: number;
  maxRatePerSecond: number;
  sessionSeconds: number;
  /** p99 at this share of the SLA counts as overload. */
  nearSlaShare: number;
  /** Shed share above this counts as overload. */
  shedTolerance: number;
  decreaseFactor: number;
  increaseStepPerSecond: number;
  /** The utilization of the concurrency limits to settle at. */
  targetUtilization: number;
  /**
   * How far below the target the utilization must be for a raise, as a share: a fleet whose load
   * swings from second to second reads a lull as headroom, and raising on it puts the peaks at the
   * knee. @default 0
   */
  raiseMargin?: number;
  /**
   * How much longer than whole visits the first measurement after an opening waits: every pre-queue
   * page was told to come back at the opening, so the first admissions show in the load together
   * and, measured too soon, make it read above its level. @default 0
   */
  openingTransientMs?: number;
  /**
   * How far above the target the utilization must be for the rate to come down halfway to the
   * rate that puts it at the target, without overload (trim-rate.ts); unset, only an overload
   * lowers the rate.
   */
  trimMargin?: number;
  decreaseSpacingMs: number;
  increaseSpacingMs: number;
}

export interface RateState {
  ratePerSecond: number;
  lastIncreaseAtMs: number;
  lastDecreaseAtMs: number;
  /**
   * The rate the waiting page's estimate uses (WaitingRoomState.estimateRatePerSecond): 0 while the
   * line's speed is not measured after an opening, so no page promises a wait from a guessed rate;
   * otherwise the rate itself.
   */
  estimateRatePerSecond: number;
  /**
   * When admission began at the last opening, while its first measurement is still to come (0 once
   * it is made, after a rate set by hand, or before any opening): it times the first measurement
   * and the estimate's fallback.
   */
  measuringSinceMs: number;
  /**
   * While measuring: when the first measurement moved the rate (0 before it). The estimate waits for
   * a later measurement that agrees with the rate it set.
   */
  firstMeasuredAtMs: number;
  /**
   * While measuring: the share of admitted tickets used that the rate was last corrected for
   * (opening-show-up.ts); absent, all of them, as the opening rate assumes.
   */
  openingShowUpShare?: number;
}

type MeasuringFields = 'estimateRatePerSecond' | 'measuringSinceMs' | 'firstMeasuredAtMs';

/** A rate state stored before the estimate existed (or built by hand without it): read as measured. */
export type StoredRateState = Omit<RateState, MeasuringFields> & Partial<Pick<RateState, MeasuringFields>>;

export function rateStateOf(stored: StoredRateState): RateState {
  return {
    ...stored,
    estimateRatePerSecond: stored.estimateRatePerSecond ?? stored.ratePerSecond,
    measuringSinceMs: stored.measuringSinceMs ?? 0,
    firstMeasuredAtMs: stored.firstMeasuredAtMs ?? 0,
  };
}

export interface RateDecision {
  change: 'decrease' | 'increase' | 'hold';
  next: RateState;
  /** One sentence for the log, the dashboard annotation and `saleday queue status`. */
  reason: string;
}

/**
 * How hard a cut is: a trickle of shedding (a burst the fleet's queues could not take) trims the
 * rate by a few times its share, a flood or p99 at the SLA cuts by the full `decreaseFactor`.
 * Cutting a trickle by the full factor leaves the fleet idle for many spacings while it climbs back.
 */
export const SHED_CUT_GAIN = 4;

function cutFactor(measured: RateMeasurement, policy: RatePolicy): number {
  if (measured.p99Ms >= policy.nearSlaShare * policy.slaP99Ms) return policy.decreaseFactor;
  return Math.max(policy.decreaseFactor, 1 - SHED_CUT_GAIN * measured.shedShare);
}

/**
 * One step up: the policy's step, or half the way to the Little's-law rate when that is further,
 * so a fleet measured well below its target gets there in a few spacings, not dozens.
 */
function increaseStep(current: RateState, estimate: number | undefined, policy: RatePolicy): number {
  const halfWay = estimate === undefined ? 0 : (estimate - current.ratePerSecond) / 2;
  return Math.max(policy.increaseStepPerSecond, halfWay);
}

/** Below this many active shoppers the show-up share is too noisy to use. */
const MIN_ACTIVE_FOR_ESTIMATE = 5;

interface RateInput {
  measured: RateMeasurement | undefined;
  current: RateState;
  policy: RatePolicy;
  nowMs: number;
}

export function decideRate(input: RateInput): RateDecision {
  return settleEstimate(decideRateChange(input), input.policy, input.nowMs);
}

function decideRateChange(input: RateInput): RateDecision {
  const { measured, current, policy, nowMs } = input;
  const hold = (reason: string): RateDecision => ({ change: 'hold', next: current, reason });
  if (!measured || !isSane(measured)) return hold('no usable measurement: holding the rate');
  const bounded = (rate: number) => Math.min(policy.maxRatePerSecond, Math.max(policy.minRatePerSecond, rate));
  const estimate = littlesLawRate(measured, current.ratePerSecond, policy);
  const overload = overloadReason(measured, policy);
  const first =
    !overload && estimate !== undefined && current.measuringSinceMs > 0
      ? decideFirstMeasurement({
          current,
          policy,
          nowMs,
          littlesLawRate: estimate,
          rate: bounded(estimate),
          showUpShare: showUpShare(measured, current.ratePerSecond, policy),
          activeWindowSeconds: measured.activeWindowSeconds ?? 0,
        })
      : undefined;
  if (first) return first;
  if (overload) {
    if (nowMs - current.lastDecreaseAtMs < policy.decreaseSpacingMs)
      return hold(`${overload}; waiting for the last decrease to show`);
    const rate = bounded(Math.min(current.ratePerSecond * cutFactor(measured, policy), estimate ?? Infinity));
    if (rate >= current.ratePerSecond) return hold(`${overload}; already at the minimum rate`);
    return {
      change: 'decrease',
      next: { ...current, ratePerSecond: rate, lastDecreaseAtMs: nowMs },
      reason: `${overload}: rate ${round(current.ratePerSecond)} → ${round(rate)}/s`,
    };
  }
  // Before the first measurement is due the gates have not seen whole visits: no headroom to read.
  if (current.measuringSinceMs > 0 && current.firstMeasuredAtMs === 0) {
    const dueAtMs = measurementDueAtMs(current, policy, measured.activeWindowSeconds ?? 0);
    if (nowMs < dueAtMs)
      return (
        decideOpeningShowUp({
          current,
          policy,
          nowMs,
          reading: measured.openingShowUp,
          activeShoppers: measured.activeShoppers,
          activeWindowSeconds: measured.activeWindowSeconds ?? 0,
        }) ?? hold(`measuring the line: the first measurement in ${Math.ceil((dueAtMs - nowMs) / 1000)} s`)
      );
  }
  const utilization = measured.inFlight / measured.concurrencyLimit;
  if (utilization >= policy.targetUtilization)
    return (
      decideTrim({ current, policy, nowMs, utilization }) ??
      hold(`concurrency ${percent(utilization)} used, at or above the ${percent(policy.targetUtilization)} target`)
    );
  if (utilization > policy.targetUtilization - (policy.raiseMargin ?? 0))
    return hold(`concurrency ${percent(utilization)} used, within the raise margin of the target`);
  if (nowMs - Math.max(current.lastIncreaseAtMs, current.lastDecreaseAtMs) < policy.increaseSpacingMs)
    return hold('headroom, but the last change is too recent to judge');
  const rate = bounded(Math.min(current.ratePerSecond + increaseStep(current, estimate, policy), estimate ?? Infinity));
  if (rate <= current.ratePerSecond) {
    return hold(
      rate === policy.maxRatePerSecond
        ? 'headroom, but already at the maximum rate'
        : `headroom, but Little's law puts the rate at ${round(estimate ?? rate)}/s`,
    );
  }
  return {
    change: 'increase',
    next: { ...current, ratePerSecond: rate, lastIncreaseAtMs: nowMs },
    reason: `concurrency ${percent(utilization)} used: rate ${round(current.ratePerSecond)} → ${round(rate)}/s`,
  };
}

/** The admission rate that keeps the fleet at the target utilization, or undefined when unknowable yet. */
export function littlesLawRate(measured: RateMeasurement, currentRate: number, policy: RatePolicy): number | undefined {
  const utilization = measured.inFlight / measured.concurrencyLimit;
  if (measured.activeShoppers < MIN_ACTIVE_FOR_ESTIMATE || utilization <= 0 || currentRate <= 0) return undefined;
  const countedSeconds = policy.sessionSeconds + (measured.activeWindowSeconds ?? 0);
  const presentShoppers = (measured.activeShoppers * policy.sessionSeconds) / countedSeconds;
  const servableShoppers = (presentShoppers * policy.targetUtilization) / utilization;
  return servableShoppers / (showUpShare(measured, currentRate, policy) * policy.sessionSeconds);
}

/** The share of admitted tickets whose holders shop: those counted over those admitted in the counted time (5% to 100%). */
export function showUpShare(measured: RateMeasurement, currentRate: number, policy: RatePolicy): number {
  const countedSeconds = policy.sessionSeconds + (measured.activeWindowSeconds ?? 0);
  return Math.min(1, Math.max(0.05, measured.activeShoppers / (currentRate * countedSeconds)));
}

function overloadReason(measured: RateMeasurement, policy: RatePolicy): string | undefined {
  if (measured.shedShare > policy.shedTolerance) return `gates shedding ${percent(measured.shedShare)} of requests`;
  if (measured.p99Ms >= policy.nearSlaShare * policy.slaP99Ms)
    return `p99 ${Math.round(measured.p99Ms)} ms near the ${policy.slaP99Ms} ms SLA`;
  return undefined;
}

function isSane(m: RateMeasurement): boolean {
  const values = [
    m.admittedRequestsPerSecond,
    m.activeShoppers,
    m.activeWindowSeconds ?? 0,
    m.shedShare,
    m.p99Ms,
    m.inFlight,
    m.concurrencyLimit,
  ];
  return values.every((v) => Number.isFinite(v) && v >= 0) && m.concurrencyLimit > 0 && m.shedShare <= 1;
}
