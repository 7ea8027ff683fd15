/**
 * Speculative reads in the pipeline (the policy is speculative-reads.ts): a read on a speculative
 * route goes to the app while Redis decides its rate limit, when a concurrency slot is free at
 * once and every breaker of the route is closed. Its answer still waits for the decision; a
 * refused read's call is handed over to be dropped, and the client gets its 429.
 */
import type { PriorityAdmissionController } from '../../guard/shed';
import type { GateMetricsRecorder } from '../proxy/gate-metrics-recorder';
import { hasBody } from '../proxy/request-body';
import type { SpeculativeReads } from '../proxy/speculative-reads';
import type { DependencyTickets } from './dependency-tickets';
import type { RequestContext } from './request-context';
import type { UpstreamCaller } from './upstream-call';

export class SpeculativeCalls {
  constructor(
    private readonly admission: PriorityAdmissionController,
    private readonly dependencies: DependencyTickets,
    private readonly caller: UpstreamCaller,
    private readonly metrics: GateMetricsRecorder,
  ) {}

  /** Sends the read now if it may go before its decision; it then holds the slot it took (context.permit). */
  start(context: RequestContext, speculation: SpeculativeReads, limitKey: string): void {
    const { req, route } = context;
    if (!speculation.allows(req.method, hasBody(req), limitKey) || !this.dependencies.allClosed(route)) return;
    const spare = this.admission.tryAcquire(context.priority);
    if (spare === undefined) return;
    const tickets = this.dependencies.take(route);
    if (!Array.isArray(tickets)) {
      spare.release({ latencyMs: 0 });
      return;
    }
    context.permit = spare;
    context.call = this.caller.call(context, undefined, spare, tickets);
  }

  /** The key was refused: it becomes a suspect, and a read already sent is dropped when its answer comes. */
  refused(context: RequestContext, speculation: SpeculativeReads, limitKey: string, retryAfterMs: number): void {
    speculation.refused(limitKey, retryAfterMs);
    const call = context.call;
    if (call === undefined) return;
    this.metrics.count(context.priority, 'speculativeDiscarded');
    // The call outlives the request and releases its own permit when the app's answer is in.
    context.call = undefined;
    context.permit = undefined;
    this.caller.discard(call, context);
  }
}
