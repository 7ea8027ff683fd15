/**
 * What a limiter enforces, per key: one of three algorithms and its limits. A caller with its own
 * policy format (the gate's route config) maps it onto this one.
 */
import type { GcraLimits } from './gcra';
import type { TokenBucketLimits } from './token-bucket';

/** A bucket of `capacity` tokens (a whole number ≥ 1) refilled at `refillPerSecond` (> 0): bursts up to capacity. */
export type TokenBucketPolicy = { algorithm: 'token-bucket' } & TokenBucketLimits;

/** GCRA: `ratePerSecond` (> 0) evenly spaced, with up to `burst` (a whole number ≥ 1) at once. */
export type GcraPolicy = { algorithm: 'gcra' } & GcraLimits;

/** At most `maxInFlight` (a whole number ≥ 1) at once per key; a lease not released expires after `leaseMs`. */
export interface ConcurrencyPolicy {
  algorithm: 'concurrency';
  maxInFlight: number;
  /** @default 30_000 */
  leaseMs?: number;
}

export type RateLimitPolicy = TokenBucketPolicy | GcraPolicy | ConcurrencyPolicy;
