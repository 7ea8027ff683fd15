/**
 * Admission through the priority-partitioned adaptive concurrency limit and its queues
 * (guard/shed). A free slot is taken without a promise; only a request that has to queue waits.
 * No abort signal (an AbortSignal per request is costly): a client that leaves while queued keeps
 * its place until admitted or timed out, and its slot is then given back at once.
 */
import type { PriorityAdmissionController, Permit } from '../../../guard/shed';
import type { FallbackStore } from '../../proxy/fallback-store';
import type { GateMetricsRecorder } from '../../proxy/gate-metrics-recorder';
import type { GateAnswers } from '../gate-answers';
import type { RequestContext, Step, StepResult } from '../request-context';

export class AdmitStep implements Step {
  readonly name = 'admit';

  constructor(
    private readonly admission: PriorityAdmissionController,
    private readonly fallbacks: FallbackStore,
    private readonly answers: GateAnswers,
    private readonly metrics: GateMetricsRecorder,
  ) {}

  run(context: RequestContext): StepResult | Promise<StepResult> {
    // A speculative read already holds the slot it took without waiting.
    if (context.call !== undefined) {
      this.metrics.queueDelay(context.priority, 0);
      return 'next';
    }
    const permit = this.admission.tryAcquire(context.priority);
    return permit === undefined ? this.queue(context) : this.admitted(context, permit);
  }

  private async queue(context: RequestContext): Promise<StepResult> {
    const { priority, route, res } = context;
    const admitted = await this.admission.acquire(priority);
    if (admitted.admitted) return this.admitted(context, admitted.permit);
    const degradedRefusal = admitted.refusal.reason === 'degraded';
    this.metrics.count(priority, degradedRefusal ? 'degraded' : 'shed');
    const fallback = degradedRefusal ? this.fallbacks.answerFor(route) : undefined;
    if (fallback) return this.answers.fallback(res, fallback, context.limitHeaders);
    return this.answers.refuse(
      res,
      503,
      degradedRefusal ? 'degraded' : 'shed',
      `overloaded (${admitted.refusal.reason})`,
      admitted.refusal.retryAfterMs,
      context.limitHeaders,
    );
  }

  private admitted(context: RequestContext, permit: Permit): StepResult {
    context.permit = permit;
    this.metrics.queueDelay(context.priority, permit.queuedMs);
    // The client left while queued: releaseRequest gives the slot straight back.
    return context.res.destroyed ? 'answered' : 'next';
  }
}
