/** The rate limiter contract every algorithm and store implements. */

export interface RateLimitDecision {
  allowed: boolean;
  /** The policy's limit (capacity, burst or max in flight), for the RateLimit-Policy header. */
  limit: number;
  /** Units left after this decision (0 when refused). */
  remaining: number;
  /** When a refused request may succeed, in ms (0 when allowed). */
  retryAfterMs: number;
  /** When the bucket is full again / the window resets, in ms, for the RateLimit header. */
  resetAfterMs: number;
  /** Where the decision was made: redis, memory, fallback (Redis down), or cached (known over limit). */
  source: 'redis' | 'memory' | 'fallback' | 'cached';
}

export interface RateLimiter {
  /** Decides for one request of `cost` units (default 1) under `key`. Never throws for Redis trouble. */
  consume(key: string, cost?: number): Promise<RateLimitDecision>;
  close(): Promise<void>;
}

/** Concurrency limits hand out leases; release gives the slot back before the lease expires. */
export interface ConcurrencyLease {
  readonly decision: RateLimitDecision;
  release(): Promise<void>;
}

export interface ConcurrencyLimiter {
  acquire(key: string, cost?: number): Promise<ConcurrencyLease>;
  close(): Promise<void>;
}

/**
 * `retryAfterMs` of a request that can never succeed because its cost exceeds the policy's limit
 * (capacity, burst or max in flight). A sentinel rather than Infinity (which JSON and Redis cannot
 * carry) or a huge number (which would end up verbatim in a Retry-After header): callers test for it
 * and answer without a retry hint.
 */
export const RETRY_NEVER = -1;
