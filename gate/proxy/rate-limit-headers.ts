/**
 * The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers) and Retry-After, built
 * from one rate-limit decision and the route's policy:
 *   RateLimit-Policy: <limit>;w=<window seconds>
 *   RateLimit: limit=<n>, remaining=<n>, reset=<seconds>
 * They go on the answers `statesQuota` picks (config `gate.rateLimitFields`), except one a shared
 * cache may store (see sharedCacheMayStore).
 */
import type { RateLimitPolicy, SaledayConfig } from '../../contracts/config/schema';
import { RETRY_NEVER, type RateLimitDecision } from '../../guard/rate-limit/rate-limiter';

/** The window a client can reason about: how long an empty bucket takes to fill (or a lease to expire). */
export function policyWindowSeconds(policy: RateLimitPolicy): number {
  switch (policy.algorithm) {
    case 'token-bucket':
      return Math.max(1, Math.ceil(policy.capacity / policy.refillPerSecond));
    case 'gcra':
      return Math.max(1, Math.ceil(policy.burst / policy.ratePerSecond));
    case 'concurrency':
      return Math.max(1, Math.ceil(policy.leaseMs / 1000));
  }
}

export type RateLimitFieldsMode = SaledayConfig['gate']['rateLimitFields'];

/**
 * Whether the answer to this decision states the client's quota: a refusal always does; an admitted
 * request does in `always` mode, and in `near-limit` mode once at most half the limit remains.
 */
export function statesQuota(mode: RateLimitFieldsMode, decision: RateLimitDecision): boolean {
  if (!decision.allowed || mode === 'always') return true;
  return mode === 'near-limit' && decision.remaining * 2 <= decision.limit;
}

export function rateLimitHeaders(policy: RateLimitPolicy, decision: RateLimitDecision): Record<string, string> {
  const headers: Record<string, string> = {
    'ratelimit-policy': `${decision.limit};w=${policyWindowSeconds(policy)}`,
    ratelimit: `limit=${decision.limit}, remaining=${Math.max(0, Math.floor(decision.remaining))}, reset=${Math.max(0, Math.ceil(decision.resetAfterMs / 1000))}`,
  };
  // A request costing more than the whole limit never succeeds: no Retry-After, so clients don't retry it.
  if (!decision.allowed && decision.retryAfterMs !== RETRY_NEVER)
    headers['retry-after'] = String(retryAfterSeconds(decision.retryAfterMs));
  return headers;
}

/**
 * Whether a shared cache (CloudFront) may store this answer, going by its Cache-Control (RFC 9111
 * §3: `public`, `s-maxage` or `max-age` let it, `no-store` or an unqualified `private` forbid it).
 * Such an answer must not carry one client's quota: the cache would replay that client's
 * `remaining` to everyone who reads the stored copy. A qualified `private="…"` still lets the rest
 * be stored, so it does not count as forbidding.
 */
export function sharedCacheMayStore(cacheControl: string | string[] | undefined): boolean {
  if (cacheControl === undefined) return false;
  const directives = (Array.isArray(cacheControl) ? cacheControl.join(',') : cacheControl).toLowerCase();
  if (FORBIDS_SHARED_STORE.test(directives)) return false;
  return ALLOWS_SHARED_STORE.test(directives);
}
const FORBIDS_SHARED_STORE = /(?:^|[,\s])(?:no-store|private)\s*(?:$|,)/;
const ALLOWS_SHARED_STORE = /(?:^|[,\s])(?:public|s-maxage|max-age)\s*(?:$|[,=])/;

/** Retry-After is whole seconds, at least 1 (0 would invite an immediate retry storm). */
export function retryAfterSeconds(ms: number): number {
  return Number.isFinite(ms) && ms > 0 ? Math.max(1, Math.ceil(ms / 1000)) : 1;
}
