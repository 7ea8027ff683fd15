/**
 * Token bucket as a pure step function: `capacity` tokens at most, refilled continuously at
 * `refillPerSecond`. The Redis store runs the same arithmetic in Lua (redis-scripts.ts), in the same
 * order, on the same IEEE doubles, so both stores decide identically for the same time.
 *
 * A clock that goes backwards never mints tokens: elapsed time is clamped at zero and the bucket
 * keeps the latest time it has seen.
 */
import { RETRY_NEVER } from './rate-limiter';

/** Tolerance for floating-point drift (in tokens), so the burst boundary is not lost to rounding. */
export const TOKEN_EPSILON = 1e-9;

export interface TokenBucketLimits {
  capacity: number;
  refillPerSecond: number;
}

export interface TokenBucketState {
  tokens: number;
  updatedAtMs: number;
}

export interface LimitStep<State> {
  allowed: boolean;
  remaining: number;
  retryAfterMs: number;
  resetAfterMs: number;
  /** The state to store: unchanged when nothing was consumed except for refill bookkeeping. */
  state: State;
  /** When this state is indistinguishable from "no state" (bucket full), so it may be dropped. */
  expiresAtMs: number;
}

/**
 * Rounds a duration up to whole ms, forgiving floating-point dust (1.0000000000000009 is 1): a hint
 * one ms late is harmless, one ms early would be a wasted retry. The Lua scripts do the same.
 */
export function ceilMs(ms: number): number {
  return Math.ceil(ms - 1e-6);
}

/** A fresh key behaves as a full bucket. */
export function fullTokenBucket(limits: TokenBucketLimits, nowMs: number): TokenBucketState {
  return { tokens: limits.capacity, updatedAtMs: nowMs };
}

export function stepTokenBucket(
  limits: TokenBucketLimits,
  previous: TokenBucketState | undefined,
  nowMs: number,
  cost: number,
): LimitStep<TokenBucketState> {
  const capacity = limits.capacity;
  const perMs = limits.refillPerSecond / 1000;
  let tokens = capacity;
  let updatedAtMs = nowMs;
  if (previous !== undefined) {
    const elapsed = nowMs - previous.updatedAtMs;
    if (elapsed > 0) {
      tokens = Math.min(capacity, previous.tokens + elapsed * perMs);
    } else {
      tokens = previous.tokens;
      updatedAtMs = previous.updatedAtMs;
    }
  }
  if (cost > capacity) {
    return refusal(tokens, updatedAtMs, nowMs, capacity, perMs, RETRY_NEVER);
  }
  if (tokens + TOKEN_EPSILON >= cost) {
    tokens = Math.max(0, tokens - cost);
    const resetAfterMs = ceilMs(updatedAtMs - nowMs + (capacity - tokens) / perMs);
    return {
      allowed: true,
      remaining: Math.floor(tokens + TOKEN_EPSILON),
      retryAfterMs: 0,
      resetAfterMs,
      state: { tokens, updatedAtMs },
      expiresAtMs: nowMs + resetAfterMs,
    };
  }
  // At least 1 ms: a refusal short by a sliver of a token must not say "retry now".
  return refusal(
    tokens,
    updatedAtMs,
    nowMs,
    capacity,
    perMs,
    Math.max(1, ceilMs(updatedAtMs - nowMs + (cost - tokens) / perMs)),
  );
}

/** A refusal consumes nothing; the caller keeps the previous state (refill is implied by its time). */
function refusal(
  tokens: number,
  updatedAtMs: number,
  nowMs: number,
  capacity: number,
  perMs: number,
  retryAfterMs: number,
): LimitStep<TokenBucketState> {
  const resetAfterMs = ceilMs(updatedAtMs - nowMs + (capacity - tokens) / perMs);
  return {
    allowed: false,
    remaining: 0,
    retryAfterMs,
    resetAfterMs,
    state: { tokens, updatedAtMs },
    expiresAtMs: nowMs + resetAfterMs,
  };
}
