/**
 * The flags in force: the degradation level sheds whole classes (critical never), and an open
 * breaker of one of the route's dependencies short-circuits it. Either serves the route's fallback
 * answer when it has one.
 */
import { DEGRADED_RETRY_AFTER_MS } from '../../../contracts/degraded-retry-after';
import type { ShedTable } from '../../proxy/degradation-policy';
import type { FallbackStore } from '../../proxy/fallback-store';
import type { GateMetricsRecorder } from '../../proxy/gate-metrics-recorder';
import type { BreakerRegistry } from '../../../guard/breaker';
import type { GateAnswers } from '../gate-answers';
import type { GateState } from '../gate-state';
import type { RequestContext, Step, StepResult } from '../request-context';

export class FlagsStep implements Step {
  readonly name = 'flags';

  constructor(
    private readonly state: GateState,
    private readonly shedTable: ShedTable,
    private readonly breakers: BreakerRegistry,
    private readonly fallbacks: FallbackStore,
    private readonly answers: GateAnswers,
    private readonly metrics: GateMetricsRecorder,
  ) {}

  run(context: RequestContext): StepResult {
    const { route, priority, res } = context;
    const level = this.state.flags.level;
    if (priority !== 'critical' && this.shedTable(level).has(priority)) {
      this.metrics.count(priority, 'degraded');
      const fallback = this.fallbacks.answerFor(route);
      if (fallback) return this.answers.fallback(res, fallback);
      return this.answers.refuse(
        res,
        503,
        'degraded',
        `${priority} requests are shed at degradation level ${level}`,
        DEGRADED_RETRY_AFTER_MS,
      );
    }
    const open = route.dependencies.length > 0 ? this.breakers.firstOpen(route.dependencies) : undefined;
    if (open) return this.answers.shortCircuit(res, route, open.name, open.retryAfterMs());
    return 'next';
  }
}
