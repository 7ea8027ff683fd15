/**
 * The join's two rate limits, kept in Redis with the gate's own limiter (and its local fallback
 * when Redis is unreachable): one per client IP, which stops a bot rotating identities from a few
 * addresses, and one per proven identity, which stops one identity joining from many addresses.
 * An anonymous visitor's identity is its IP, so only the IP limit applies to it.
 */
import type { WaitingRoomJoinLimit } from '../../contracts/config/waiting-room-schema';
import type { Clock } from '../../guard/clock';
import { createRateLimiter, type RateLimitDecision, type RateLimiter } from '../../guard/rate-limit';
import type { RedisClient } from '../../guard/rate-limit/redis-script-runner';
import type { ClientIdentity } from '../proxy/client-identity';

/** Generous per address (many shoppers share a carrier's NAT); a join is needed once per visitor. */
export const DEFAULT_JOIN_LIMIT_PER_IP: WaitingRoomJoinLimit = { ratePerSecond: 1, burst: 30 };
/** One person joins once, and again only after losing the ticket. */
export const DEFAULT_JOIN_LIMIT_PER_IDENTITY: WaitingRoomJoinLimit = { ratePerSecond: 0.1, burst: 5 };

export interface JoinLimitsOptions {
  perIp?: WaitingRoomJoinLimit;
  perIdentity?: WaitingRoomJoinLimit;
  redis: RedisClient | undefined;
  /** The gate's rate-limit prefix; the join's keys go under `<prefix>:wr-join-ip` and `:wr-join-identity`. */
  prefix: string;
  clock: Clock;
  localShare: number;
  timeoutMs: number;
}

export interface JoinLimitVerdict {
  allowed: boolean;
  /** Which limit refused, and when to try again. */
  refusedBy?: 'ip' | 'identity';
  retryAfterMs: number;
  decisions: RateLimitDecision[];
}

export class JoinLimits {
  private readonly perIp: RateLimiter;
  private readonly perIdentity: RateLimiter;

  constructor(options: JoinLimitsOptions) {
    const common = {
      redis: options.redis,
      clock: options.clock,
      localShare: options.localShare,
      timeoutMs: options.timeoutMs,
    };
    const policy = (limit: WaitingRoomJoinLimit) => ({
      algorithm: 'gcra' as const,
      ratePerSecond: limit.ratePerSecond,
      burst: limit.burst,
    });
    this.perIp = createRateLimiter(policy(options.perIp ?? DEFAULT_JOIN_LIMIT_PER_IP), {
      ...common,
      prefix: `${options.prefix}:wr-join-ip`,
    });
    this.perIdentity = createRateLimiter(policy(options.perIdentity ?? DEFAULT_JOIN_LIMIT_PER_IDENTITY), {
      ...common,
      prefix: `${options.prefix}:wr-join-identity`,
    });
  }

  /** Spends one join of `identity`'s IP and, for a proven identity, of the identity; both decided at once. */
  async consume(identity: ClientIdentity): Promise<JoinLimitVerdict> {
    const ip = this.perIp.consume(`ip:${identity.ip}`);
    const user = identity.kind === 'user' ? this.perIdentity.consume(identity.key) : undefined;
    const decisions = user ? await Promise.all([ip, user]) : [await ip];
    const [ipDecision, userDecision] = decisions;
    if (!ipDecision!.allowed)
      return { allowed: false, refusedBy: 'ip', retryAfterMs: ipDecision!.retryAfterMs, decisions };
    if (userDecision && !userDecision.allowed)
      return { allowed: false, refusedBy: 'identity', retryAfterMs: userDecision.retryAfterMs, decisions };
    return { allowed: true, retryAfterMs: 0, decisions };
  }

  async close(): Promise<void> {
    await Promise.all([this.perIp.close(), this.perIdentity.close()]);
  }
}
