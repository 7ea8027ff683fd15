/**
 * The answers the gate gives itself (refusals, fallbacks, its own endpoints): each counted by
 * outcome, marked with `saleday-outcome`, never cached, and written only if nothing was yet.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RouteConfig } from '../../contracts/config/schema';
import { OUTCOME_HEADER, type GateOutcome } from '../../contracts/metrics/gate-metrics';
import { isDeliberateRefusal } from '../proxy/deliberate-refusal';
import type { FallbackAnswer, FallbackStore } from '../proxy/fallback-store';
import type { GateMetricsRecorder } from '../proxy/gate-metrics-recorder';
import { answerThenLinger } from '../proxy/lingering-close';
import { retryAfterSeconds } from '../proxy/rate-limit-headers';
import type { StepResult } from './request-context';

const JSON_CONTENT = 'application/json; charset=utf-8';
/** A short-circuit's Retry-After is at least this, however soon the breaker probes again. */
const MIN_SHORT_CIRCUIT_RETRY_AFTER_MS = 1000;

export class GateAnswers {
  constructor(
    private readonly metrics: GateMetricsRecorder,
    private readonly fallbacks: FallbackStore,
  ) {}

  answer(
    res: ServerResponse,
    status: number,
    outcome: GateOutcome,
    body: string | Buffer,
    headers: Record<string, string | string[]> = {},
    contentType = JSON_CONTENT,
  ): 'answered' {
    this.metrics.outcome(outcome);
    if (isDeliberateRefusal(status, outcome)) this.metrics.deliberateRefusal();
    if (res.headersSent || res.destroyed) return 'answered';
    const payload = typeof body === 'string' ? Buffer.from(body) : body;
    res.writeHead(status, {
      ...headers,
      'content-type': contentType,
      'content-length': payload.length,
      'cache-control': 'no-store',
      [OUTCOME_HEADER]: outcome,
    });
    res.end(res.req.method === 'HEAD' ? undefined : payload);
    return 'answered';
  }

  fallback(res: ServerResponse, fallback: FallbackAnswer, headers: Record<string, string | string[]> = {}): 'answered' {
    return this.answer(res, fallback.status, 'fallback', fallback.body, headers, fallback.contentType);
  }

  refuse(
    res: ServerResponse,
    status: number,
    outcome: GateOutcome,
    error: string,
    retryAfterMs: number | undefined,
    headers: Record<string, string> = {},
  ): 'answered' {
    return this.answer(
      res,
      status,
      outcome,
      JSON.stringify({ error }),
      retryAfterMs === undefined ? headers : { ...headers, 'retry-after': String(retryAfterSeconds(retryAfterMs)) },
    );
  }

  /** A refusal that leaves the request body unread: answered, the rest of the body drained (bounded), then closed. */
  refuseUnread(
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    outcome: GateOutcome,
    error: string,
    retryAfterMs?: number,
    headers: Record<string, string> = {},
  ): 'answered' {
    this.metrics.outcome(outcome);
    const retry: Record<string, string> =
      retryAfterMs === undefined ? {} : { 'retry-after': String(retryAfterSeconds(retryAfterMs)) };
    answerThenLinger(
      req,
      res,
      status,
      { ...headers, ...retry, 'content-type': JSON_CONTENT, 'cache-control': 'no-store', [OUTCOME_HEADER]: outcome },
      Buffer.from(JSON.stringify({ error })),
    );
    return 'answered';
  }

  refuseTooLarge(req: IncomingMessage, res: ServerResponse, maxBodyBytes: number): 'answered' {
    return this.refuseUnread(req, res, 413, 'bad-request', `request body larger than ${maxBodyBytes} bytes`);
  }

  /** A dependency's breaker is open: the route's fallback answer, else a 503. */
  shortCircuit(res: ServerResponse, route: RouteConfig, dependency: string, retryAfterMs: number): StepResult {
    this.metrics.count(route.priority, 'shortCircuited');
    const fallback = this.fallbacks.answerFor(route);
    if (fallback) return this.fallback(res, fallback);
    return this.refuse(
      res,
      503,
      'short-circuited',
      `dependency ${dependency} is unavailable`,
      Math.max(retryAfterMs, MIN_SHORT_CIRCUIT_RETRY_AFTER_MS),
    );
  }
}
