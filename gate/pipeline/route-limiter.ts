/** A route's rate limit as the pipeline uses it: its policy and the limiter that decides it. */
import type { RouteConfig } from '../../contracts/config/schema';
import type { ConcurrencyLimiter, RateLimiter } from '../../guard/rate-limit/rate-limiter';
import type { SpeculativeReads } from '../proxy/speculative-reads';

export interface RouteLimiter {
  policy: NonNullable<RouteConfig['rateLimit']>;
  rate?: RateLimiter;
  concurrency?: ConcurrencyLimiter;
  /** Set when the policy is speculative and the decision goes to Redis (a local decision takes no round trip). */
  speculation?: SpeculativeReads;
  /** CloudFront caches the route's answers (sale-distribution.ts): they must not carry one client's quota. */
  edgeCached: boolean;
}
