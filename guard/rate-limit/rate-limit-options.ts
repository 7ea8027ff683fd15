/** Validation of rate-limit policies and options, run once at construction (never on the hot path). */
import { InvalidOptionsError } from '../errors';
import type { ConcurrencyLimits } from './concurrency';
import { RATE_LIMIT_DEFAULTS } from './rate-limit-defaults';
import type { ConcurrencyPolicy } from './rate-limit-policy';
import type { GcraLimits } from './gcra';
import type { TokenBucketLimits } from './token-bucket';

export function validateTokenBucketLimits(limits: TokenBucketLimits): TokenBucketLimits {
  requirePositiveInteger('capacity', limits.capacity);
  requirePositiveFinite('refillPerSecond', limits.refillPerSecond);
  return { capacity: limits.capacity, refillPerSecond: limits.refillPerSecond };
}

export function validateGcraLimits(limits: GcraLimits): GcraLimits {
  requirePositiveFinite('ratePerSecond', limits.ratePerSecond);
  requirePositiveInteger('burst', limits.burst);
  return { ratePerSecond: limits.ratePerSecond, burst: limits.burst };
}

export function validateConcurrencyLimits(limits: Omit<ConcurrencyPolicy, 'algorithm'>): ConcurrencyLimits {
  const leaseMs = limits.leaseMs ?? RATE_LIMIT_DEFAULTS.leaseMs;
  requirePositiveInteger('maxInFlight', limits.maxInFlight);
  requirePositiveFinite('leaseMs', leaseMs);
  return { maxInFlight: limits.maxInFlight, leaseMs };
}

/** The prefix goes before the hash tag; a brace in it would move the tag and break cluster routing. */
export function validatePrefix(prefix: string): string {
  if (typeof prefix !== 'string' || prefix.length === 0 || /[{}]/.test(prefix)) {
    throw new InvalidOptionsError(
      'prefix',
      prefix,
      'a non-empty string without { or } (the key is hash-tagged after it)',
    );
  }
  return prefix;
}

export function validateLocalShare(share: number | undefined): number {
  if (share === undefined) return RATE_LIMIT_DEFAULTS.localShare;
  if (typeof share !== 'number' || !(share > 0 && share <= 1)) {
    throw new InvalidOptionsError('localShare', share, "a number in (0, 1]: this process's share of the global limit");
  }
  return share;
}

export function requirePositiveFinite(option: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidOptionsError(option, value, 'a positive finite number');
  }
}

export function requirePositiveInteger(option: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new InvalidOptionsError(option, value, 'a positive integer');
}

/** Per-call cost check: cheap enough for the hot path (one comparison for the usual cost of 1). */
export function checkCost(cost: number): void {
  if (cost !== 1 && !(Number.isInteger(cost) && cost > 0))
    throw new InvalidOptionsError('cost', cost, 'a positive integer');
}

/**
 * The Redis key of one user key: `<prefix>:{<key>}`. The braces are a hash tag, so on cluster-mode and
 * serverless ElastiCache all of a key's state lives in one slot and a Lua script may touch it.
 */
export function hashTaggedKey(prefix: string, key: string): string {
  return prefix + ':{' + key + '}';
}
