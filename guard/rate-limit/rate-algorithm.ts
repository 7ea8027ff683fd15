/**
 * The two rate algorithms behind one shape, so the in-process store and the fallback run either.
 * `limit` is what a decision reports (capacity or burst): a cost above it can never pass.
 */
import { stepGcra, type GcraLimits, type GcraState } from './gcra';
import type { LimitStep, TokenBucketLimits, TokenBucketState } from './token-bucket';
import { stepTokenBucket } from './token-bucket';

export interface RateAlgorithm<State> {
  readonly kind: 'token-bucket' | 'gcra';
  readonly limit: number;
  step(previous: State | undefined, nowMs: number, cost: number): LimitStep<State>;
  /** The same algorithm at `share` of the global limit (capacity/burst and rate), at least 1 unit. */
  scaled(share: number): RateAlgorithm<State>;
}

export function tokenBucketAlgorithm(limits: TokenBucketLimits): RateAlgorithm<TokenBucketState> {
  return {
    kind: 'token-bucket',
    limit: limits.capacity,
    step: (previous, nowMs, cost) => stepTokenBucket(limits, previous, nowMs, cost),
    scaled: (share) =>
      tokenBucketAlgorithm({
        capacity: Math.max(1, Math.floor(limits.capacity * share)),
        refillPerSecond: limits.refillPerSecond * share,
      }),
  };
}

export function gcraAlgorithm(limits: GcraLimits): RateAlgorithm<GcraState> {
  return {
    kind: 'gcra',
    limit: limits.burst,
    step: (previous, nowMs, cost) => stepGcra(limits, previous, nowMs, cost),
    scaled: (share) =>
      gcraAlgorithm({
        ratePerSecond: limits.ratePerSecond * share,
        burst: Math.max(1, Math.floor(limits.burst * share)),
      }),
  };
}
