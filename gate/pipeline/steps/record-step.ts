/**
 * The app's answer: relayed to the client (with the quota, unless a shared cache may keep it),
 * or replaced by the route's fallback when the app failed and the route has one; then the outcome
 * is recorded for the breakers and the metrics, and noted for the permit's release (the adaptive
 * limit learns from its latency and from timeouts and 503s). A 200 GET on a route with a
 * last-good fallback is kept as that fallback.
 */
import type { GateConfig } from '../../../contracts/config/gate-config-slice';
import { OUTCOME_HEADER, type GateOutcome } from '../../../contracts/metrics/gate-metrics';
import type { Clock } from '../../../guard/clock';
import { boundedCapture } from '../../proxy/bounded-capture';
import { takeBlamedDependency } from '../../proxy/dependency-blame';
import type { FallbackStore } from '../../proxy/fallback-store';
import type { GateMetricsRecorder } from '../../proxy/gate-metrics-recorder';
import { sharedCacheMayStore } from '../../proxy/rate-limit-headers';
import { isUpstreamFailure, pipeBody, type UpstreamResponse } from '../../proxy/upstream-client';
import { upstreamFailureAnswer } from '../../proxy/upstream-deadline';
import type { UpstreamReadiness } from '../../proxy/upstream-readiness';
import type { DependencyTickets } from '../dependency-tickets';
import type { GateAnswers } from '../gate-answers';
import type { RequestContext, Step, StepResult } from '../request-context';
import type { UpstreamCall } from '../upstream-call';

export interface RecordStepParts {
  gate: GateConfig['gate'];
  clock: Clock;
  dependencies: DependencyTickets;
  fallbacks: FallbackStore;
  readiness: UpstreamReadiness;
  answers: GateAnswers;
  metrics: GateMetricsRecorder;
  /** A warning at most once a second, whatever the rate of failures. */
  warnThrottled: (message: string, fields: Record<string, unknown>) => void;
}

export class RecordStep implements Step {
  readonly name = 'record';

  constructor(private readonly parts: RecordStepParts) {}

  async run(context: RequestContext): Promise<StepResult> {
    const { req, res, route, priority } = context;
    const { metrics, fallbacks } = this.parts;
    const call = context.call as UpstreamCall;
    let response: UpstreamResponse;
    try {
      response = await call.response;
    } catch (error) {
      return this.failed(context, call, error);
    }
    const status = response.statusCode;
    this.parts.readiness.noteAnswer();
    const failed = status >= 500;
    const blamed = takeBlamedDependency(route, status, response.headers);
    metrics.count(priority, 'served');
    if (failed) {
      metrics.count(priority, 'upstreamErrors');
      const fallback = fallbacks.answerFor(route);
      if (fallback) {
        response.discard();
        this.finish(context, call, status, true, blamed);
        return this.parts.answers.fallback(res, fallback, context.limitHeaders);
      }
    }
    // The app refusing the request's headers is the client's error, as when the gate refuses them.
    const outcome: GateOutcome = failed ? 'upstream-error' : status === 431 ? 'bad-request' : 'served';
    metrics.outcome(outcome);
    const headers = response.headers;
    const limitHeaders = context.limitHeaders;
    // The quota goes on the app's answer unless a shared cache may keep that answer for everyone.
    if (limitHeaders && !context.limiter?.edgeCached && !sharedCacheMayStore(headers['cache-control']))
      Object.assign(headers, limitHeaders);
    headers[OUTCOME_HEADER] = outcome;
    res.writeHead(status, headers);
    const capture =
      status === 200 && req.method === 'GET' && fallbacks.wantsLastGood(route)
        ? boundedCapture(this.parts.gate.maxBodyBytes)
        : undefined;
    const complete = await pipeBody(response, res, capture?.onChunk);
    metrics.servedLatency(priority, this.finish(context, call, status, failed, blamed));
    if (complete && capture && !capture.overflowed()) {
      fallbacks.rememberLastGood(
        route,
        String(response.headers['content-type'] ?? 'application/octet-stream'),
        capture.body(),
      );
    }
    return 'answered';
  }

  /** Notes the call's latency and overload signal for the permit's release and records the breakers' outcome. */
  private finish(
    context: RequestContext,
    call: UpstreamCall,
    status: number,
    failed: boolean,
    blamed: string | undefined,
  ): number {
    const latencyMs = this.parts.clock.now() - call.startedAt;
    context.latencyMs = latencyMs;
    context.dropped = status === 503;
    this.parts.dependencies.record(context.route, call.tickets, failed, latencyMs, blamed);
    return latencyMs;
  }

  private failed(context: RequestContext, call: UpstreamCall, error: unknown): StepResult {
    const { route, res, priority } = context;
    const kind = isUpstreamFailure(error) ? error.kind : 'unreachable';
    context.latencyMs = this.parts.clock.now() - call.startedAt;
    // The client left; nothing to say about the app's health.
    if (kind === 'aborted') return 'answered';
    context.dropped = kind === 'timeout';
    this.parts.dependencies.record(route, call.tickets, true, context.latencyMs);
    this.parts.metrics.count(priority, 'upstreamErrors');
    this.parts.warnThrottled('upstream failed', {
      route: route.name,
      kind,
      error: error instanceof Error ? error.message : String(error),
    });
    const fallback = this.parts.fallbacks.answerFor(route);
    if (fallback) return this.parts.answers.fallback(res, fallback, context.limitHeaders);
    const failure = upstreamFailureAnswer(route, kind === 'timeout' ? 'timeout' : 'unreachable');
    return this.parts.answers.answer(res, failure.status, 'upstream-error', failure.body, context.limitHeaders);
  }
}
