/**
 * GCRA (the generic cell rate algorithm, a leaky bucket as a meter) as a pure step function. Its
 * whole state is one number, the theoretical arrival time (TAT): the time at which the bucket
 * would be empty again. A request of `cost` is admitted when it would not push the TAT further than
 * `burst` emission intervals ahead of now. `burst` requests pass at once, then one per
 * 1/`ratePerSecond`. The Redis store runs the same arithmetic in Lua.
 *
 * A clock that goes backwards never grants extra room: the TAT only moves forward, and an earlier
 * "now" makes the TAT look further ahead, i.e. stricter.
 */
import { RETRY_NEVER } from './rate-limiter';
import { ceilMs, type LimitStep } from './token-bucket';

/** Tolerance for floating-point drift (in ms), so the burst boundary is not lost to rounding. */
export const GCRA_EPSILON_MS = 1e-6;

export interface GcraLimits {
  ratePerSecond: number;
  burst: number;
}

export interface GcraState {
  /** Theoretical arrival time, ms since the epoch. */
  tatMs: number;
}

export function stepGcra(
  limits: GcraLimits,
  previous: GcraState | undefined,
  nowMs: number,
  cost: number,
): LimitStep<GcraState> {
  const intervalMs = 1000 / limits.ratePerSecond;
  const toleranceMs = intervalMs * limits.burst;
  const tatMs = previous !== undefined && previous.tatMs > nowMs ? previous.tatMs : nowMs;
  if (cost > limits.burst) {
    return {
      allowed: false,
      remaining: 0,
      retryAfterMs: RETRY_NEVER,
      resetAfterMs: ceilMs(tatMs - nowMs),
      state: { tatMs },
      expiresAtMs: tatMs,
    };
  }
  const newTatMs = tatMs + intervalMs * cost;
  const aheadMs = newTatMs - nowMs;
  if (aheadMs <= toleranceMs + GCRA_EPSILON_MS) {
    return {
      allowed: true,
      remaining: Math.max(0, Math.floor((toleranceMs - aheadMs + GCRA_EPSILON_MS) / intervalMs)),
      retryAfterMs: 0,
      resetAfterMs: ceilMs(aheadMs),
      state: { tatMs: newTatMs },
      expiresAtMs: newTatMs,
    };
  }
  return {
    allowed: false,
    remaining: 0,
    retryAfterMs: Math.max(1, ceilMs(aheadMs - toleranceMs)),
    resetAfterMs: ceilMs(tatMs - nowMs),
    state: { tatMs },
    expiresAtMs: tatMs,
  };
}
