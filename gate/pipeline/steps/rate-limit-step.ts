/**
 * The route's rate limit per user key (or per IP, `limitBy: ip`). A read on a speculative route
 * goes to the app while Redis decides (speculative-call.ts). A route without a limit costs no
 * promise here.
 */
import { ANONYMOUS_USER_PREFIX } from '../../../contracts/request-headers';
import type { GateConfig } from '../../../contracts/config/gate-config-slice';
import type { ConcurrencyLimiter, RateLimitDecision } from '../../../guard/rate-limit/rate-limiter';
import type { GateLogger } from '../../proxy/gate-logger';
import type { GateMetricsRecorder } from '../../proxy/gate-metrics-recorder';
import { rateLimitHeaders, statesQuota } from '../../proxy/rate-limit-headers';
import type { GateAnswers } from '../gate-answers';
import type { GateState } from '../gate-state';
import type { RequestContext, Step, StepResult } from '../request-context';
import type { RouteLimiter } from '../route-limiter';
import type { SpeculativeCalls } from '../speculative-call';

export class RateLimitStep implements Step {
  readonly name = 'rate-limit';

  constructor(
    private readonly gate: GateConfig['gate'],
    private readonly state: GateState,
    private readonly speculative: SpeculativeCalls,
    private readonly answers: GateAnswers,
    private readonly metrics: GateMetricsRecorder,
    private readonly logger: GateLogger,
  ) {}

  run(context: RequestContext): StepResult | Promise<StepResult> {
    const limiter = context.limiter;
    return limiter === undefined ? 'next' : this.limit(context, limiter);
  }

  private async limit(context: RequestContext, limiter: RouteLimiter): Promise<StepResult> {
    const { route, identity } = context;
    const limitKey = route.limitBy === 'ip' ? ANONYMOUS_USER_PREFIX + identity.ip : identity.key;
    let decision: RateLimitDecision;
    if (limiter.rate) {
      const pending = limiter.rate.consume(limitKey, route.cost);
      if (limiter.speculation) this.speculative.start(context, limiter.speculation, limitKey);
      decision = await pending;
    } else {
      context.lease = await (limiter.concurrency as ConcurrencyLimiter).acquire(limitKey, route.cost);
      decision = context.lease.decision;
    }
    this.noteSource(decision);
    context.limitHeaders = statesQuota(this.gate.rateLimitFields, decision)
      ? rateLimitHeaders(limiter.policy, decision)
      : undefined;
    if (decision.allowed) return 'next';
    this.metrics.count(context.priority, 'limited');
    if (limiter.speculation) this.speculative.refused(context, limiter.speculation, limitKey, decision.retryAfterMs);
    return this.answers.refuse(context.res, 429, 'limited', 'rate limit exceeded', undefined, context.limitHeaders);
  }

  /** Counts where the decision came from, and logs when the limits fall back to (or leave) the local limiter. */
  private noteSource(decision: RateLimitDecision): void {
    this.metrics.rateLimitSource(decision.source);
    if (decision.source === 'cached') return;
    const nowFallback = decision.source === 'fallback';
    if (nowFallback === this.state.redisFallback) return;
    this.state.redisFallback = nowFallback;
    if (nowFallback) this.logger.warn('rate limits fall back to the local limiter: Redis unreachable or slow');
    else this.logger.info('rate limits back on Redis');
  }
}
