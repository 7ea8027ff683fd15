/**
 * The gate: a reverse proxy in front of the app that, per request, identifies the client,
 * classifies the route, applies the flags (degradation level, open breakers), rate-limits, admits
 * through the priority-partitioned concurrency limit and proxies with a deadline, recording the
 * outcome for the limiter, the breakers and the metrics. Every answer carries `saleday-outcome`.
 *
 * HTTP/1.1 with keep-alive only: behind CloudFront and an ALB the fleet stays on HTTP/1.1 (an
 * HTTP2 target group answers CloudFront's HTTP/1.1 requests with errors, see DESIGN.md), and
 * head-of-line blocking is handled by the per-priority queues, not by multiplexing.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import type Redis from 'ioredis';
import { systemClock, type Clock } from '../../guard/clock';
import { InvalidOptionsError } from '../../guard/errors';
import { BreakerRegistry, type BreakerTicket, type ObservableCircuitBreaker } from '../../guard/breaker';
import { openBreakers, type FlagsDocument } from '../../contracts/flags/flags-document';
import type { FlagsSource } from '../../guard/flags/flags-source';
import { MemoryFlags } from '../../guard/flags/memory-flags';
import { RedisFlagsSource } from '../../guard/flags/redis-flags-source';

import { OUTCOME_HEADER, type GateOutcome } from '../../contracts/metrics/gate-metrics';
import { createConcurrencyLimiter, createRateLimiter } from '../../guard/rate-limit';
import type { ConcurrencyLease, ConcurrencyLimiter, RateLimitDecision, RateLimiter } from '../../guard/rate-limit/rate-limiter';
import { createRedisConnection } from '../../guard/redis/redis-connection';
import { createAdmissionController } from '../../guard/shed';
import type { GateAdmissionController, Permit } from '../../guard/shed';
import type { RouteConfig } from '../../contracts/config/schema';
import type { GateConfig } from '../../contracts/config/gate-config-slice';
import { BodyBudget, ConnectionCap, isBodyBudgetExhaustedError, maxBodyBytesFor, type BodyReservation } from './body-limits';
import { answerClientError, lacksRequiredHost } from './client-errors';
import { createIdentityResolver, type ClientIdentity, type IdentityResolver } from './client-identity';
import { dependencyOutcome, takeBlamedDependency } from './dependency-blame';
import { compileShedTable, type ShedTable } from './degradation-policy';
import { createFallbackStore, type FallbackAnswer, type FallbackStore } from './fallback-store';
import { createJsonLogger, type GateLogger } from './gate-logger';
import { READY_PATH } from '../../contracts/reserved-paths';
import { isDeliberateRefusal } from './deliberate-refusal';
import { createGateMetricsRecorder, type GateMetricsRecorder, type GateMetricsSnapshot } from './gate-metrics-recorder';
import { createIdentityHeaderWriter } from './identity-headers';
import { answerThenLinger } from './lingering-close';
import { reservedPath } from './operator-paths';
import { rateLimitHeaders, retryAfterSeconds, sharedCacheMayStore, statesQuota } from './rate-limit-headers';
import { hasBody, isBodyTooLargeError, readBody } from './request-body';
import { parseRequestTarget } from './request-target';
import { compileRouteTable, type RouteTable } from './route-table';
import { boundedCapture } from './bounded-capture';
import { redisReady, reportRedisTooOld } from './redis-startup';
import { SpeculativeReads } from './speculative-reads';
import { throttle } from './throttle';
import { createUpstreamReadiness, type UpstreamReadinessOptions } from './upstream-readiness';
import { createUpstreamClient, isUpstreamFailure, pipeBody, type UpstreamClient, type UpstreamResponse } from './upstream-client';
import { createRoomGate } from '../waiting-room/room-gate';
import { setDeadlineHeader, upstreamFailureAnswer } from './upstream-deadline';

export interface GateTimeouts {
  /** A client must send its complete headers within this (slowloris). @default 10_000 */
  headersTimeoutMs?: number;
  /** A client must send its complete request, body included, within this. @default 30_000 */
  requestTimeoutMs?: number;
  /** Idle keep-alive connections from the load balancer are kept this long (above the ALB's 60 s idle timeout). @default 65_000 */
  keepAliveTimeoutMs?: number;
  /** How long `close()` lets in-flight requests finish before cutting connections. @default 25_000 */
  drainTimeoutMs?: number;
}

export interface GateOptions {
  /** The whole sale config or the gate's slice of it (lib/fleet/gate-config-slice.ts). */
  config: GateConfig;
  /** Origin of the app, e.g. http://127.0.0.1:3000. */
  upstream: string;
  /** Redis (ElastiCache) for rate limits and flags; omitted means the embedded single-process mode. */
  redisUrl?: string;
  redisAuthToken?: string;
  /** Where flags come from. @default RedisFlagsSource with redisUrl, else an in-process MemoryFlags */
  flags?: FlagsSource;
  /** @default systemClock */
  clock?: Clock;
  /** Receives each EMF line (without newline). @default a line on stdout */
  metricsSink?: (line: string) => void;
  /** @default 1000 */
  metricsIntervalMs?: number;
  /** @default JSON lines on stderr */
  logger?: GateLogger;
  /** Where the identity secret is read from. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Redis key prefix of the rate limits; gates sharing a limit must share it. @default saleday:rl:<saleName> */
  rateLimitPrefix?: string;
  timeouts?: GateTimeouts;
  /** Most keep-alive connections to the app. @default config.gate.concurrency.maxLimit */
  upstreamConnections?: number;
  /** Names this gate in logs and EMF properties. @default <hostname>:<pid> */
  gateId?: string;
  /** How the gate decides the app still answers (its readiness path). */
  readiness?: UpstreamReadinessOptions;
}

export interface Gate {
  readonly server: Server;
  /** Resolves once the flags have been read for the first time (or the first attempt failed). */
  readonly ready: Promise<void>;
  metrics(): GateMetricsSnapshot;
  /** Request-body bytes held in memory right now, and open client connections (body-limits.ts). */
  load(): { bufferedBodyBytes: number; openConnections: number };
  /** Stops accepting, drains in-flight requests (up to drainTimeoutMs), then releases everything. */
  close(): Promise<void>;
}

/** Retry-After while a class is shed by the degradation level: the controller steps down no faster than this. */
const DEGRADED_RETRY_AFTER_MS = 5_000;
/** Retry-After when the gate's body memory or connection count is full: such a moment passes quickly. */
const BUSY_RETRY_AFTER_MS = 1_000;
const REDIS_READY_WAIT_MS = 3_000;
const METRICS_PATH = '/_gate/metrics';

interface RouteLimiter {
  policy: NonNullable<RouteConfig['rateLimit']>;
  rate?: RateLimiter;
  concurrency?: ConcurrencyLimiter;
  /** Set when the policy is speculative and the decision goes to Redis (a local decision takes no round trip). */
  speculation?: SpeculativeReads;
  /** CloudFront caches the route's answers (sale-distribution.ts): they must not carry one client's quota. */
  edgeCached: boolean;
}

/** A request on its way to the app: what it holds until its answer is in. */
interface UpstreamCall {
  permit: Permit;
  tickets: BreakerTicket[];
  startedAt: number;
  response: Promise<UpstreamResponse>;
}

export function createGate(options: GateOptions): Gate {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createJsonLogger({ base: { sale: config.saleName } });
  const gateId = options.gateId ?? `${hostname()}:${process.pid}`;
  const timeouts = resolveTimeouts(options.timeouts);
  const sink = options.metricsSink ?? ((line: string) => process.stdout.write(`${line}\n`));
  const metricsIntervalMs = options.metricsIntervalMs ?? 1000;
  if (!Number.isFinite(metricsIntervalMs) || metricsIntervalMs < 10) throw new InvalidOptionsError('metricsIntervalMs', metricsIntervalMs, 'at least 10 ms');

  const room = createRoomGate({ config, env: options.env, clock, logger, redisConfigured: options.redisUrl !== undefined, rateLimitPrefix: options.rateLimitPrefix, emit: sink, metricsIntervalMs, countOutcome: (o) => metrics.outcome(o) });
  const routes: RouteTable = compileRouteTable(config.routes);
  const identify: IdentityResolver = createIdentityResolver(config.identity, clock, options.env);
  const writeIdentityHeaders = createIdentityHeaderWriter(config.identity);
  const bodyBudget = new BodyBudget(config.gate.maxBufferedBytes);
  const shedTable: ShedTable = compileShedTable(config.degradation);
  const fallbacks: FallbackStore = createFallbackStore(config.routes);
  const upstream: UpstreamClient = createUpstreamClient({ upstream: options.upstream, connections: options.upstreamConnections ?? config.gate.concurrency.maxLimit });
  const dependencies = [...new Set(config.routes.flatMap((r) => r.dependencies))].sort();
  const breakers = new BreakerRegistry({ defaults: { clock }, dependencies });
  const admission: GateAdmissionController = createAdmissionController({ ...config.gate, clock });
  const readiness = createUpstreamReadiness({
    ...options.readiness,
    upstream: options.upstream,
    clock,
    onChange: (state) => (state.ready ? logger.info('the app answers: ready') : logger.warn('the app stopped answering: not ready', { ...state })),
  });

  const redis: Redis | undefined = options.redisUrl
    ? createRedisConnection({ url: options.redisUrl, authToken: options.redisAuthToken, connectionName: `saleday-gate:${gateId}`, failFast: true, log: (m, f) => logger.warn(m, f) })
    : undefined;
  const warnThrottled = throttle((message: string, fields: Record<string, unknown>) => logger.warn(message, fields), 1000, clock);
  const flagsWarn = throttle((message: string, fields: Record<string, unknown>) => logger.warn(message, fields), 5000, clock);
  const ownsFlags = options.flags === undefined;
  let flagsKeyMissing = false;
  const flags: FlagsSource =
    options.flags ??
    (options.redisUrl
      ? new RedisFlagsSource({
          url: options.redisUrl,
          authToken: options.redisAuthToken,
          pollMs: config.gate.flagsPollMs,
          clock,
          log: (m, f) => logger.warn(m, f),
          onError: (error) => flagsWarn('flags unavailable; keeping the last-known document', { error: error.message }),
          onKeyMissing: (event) => {
            flagsKeyMissing = event.missing;
            if (event.missing) logger.warn('flags key missing from Redis; keeping the last-known document until the controller rewrites it', { polls: event.polls, since: new Date(event.sinceMs).toISOString() });
            else logger.info('flags key back in Redis', { missingPolls: event.polls });
          },
        })
      : new MemoryFlags());

  const rateLimitPrefix = options.rateLimitPrefix ?? `saleday:rl:${config.saleName}`;
  const limiters = new Map<string, RouteLimiter>();
  for (const route of config.routes) {
    if (!route.rateLimit) continue;
    // Without Redis each gate decides alone, so by default it allows its share of the planned fleet's limit.
    const localShare = config.gate.localShare ?? 1 / config.fleet.plannedTasks;
    const limiterOptions = { redis, prefix: `${rateLimitPrefix}:${route.name}`, clock, localShare, timeoutMs: config.gate.redisTimeoutMs };
    const policy = route.rateLimit;
    const edgeCached = route.cache !== 'none';
    if (policy.algorithm === 'concurrency') {
      limiters.set(route.name, { policy, concurrency: createConcurrencyLimiter(policy, limiterOptions), edgeCached });
    } else {
      const speculation = policy.speculative === true && redis !== undefined ? new SpeculativeReads(clock) : undefined;
      limiters.set(route.name, { policy, rate: createRateLimiter(policy, limiterOptions), speculation, edgeCached });
    }
  }

  let currentFlags: FlagsDocument = flags.current();
  let redisFallback = false;
  const applyFlags = (doc: FlagsDocument) => {
    const previous = currentFlags;
    currentFlags = doc;
    breakers.applyFlags(openBreakers(doc));
    // Requests of a newly shed class already waiting in the queues are refused at once too.
    admission.setShedClasses([...shedTable(doc.level)]);
    if (previous.version !== doc.version) {
      logger.info('flags changed', { version: doc.version, level: doc.level, openBreakers: openBreakers(doc), reason: doc.reason });
    }
  };
  const unsubscribeFlags = flags.onChange(applyFlags);
  const flagsStarted = flags
    .start()
    .catch((error: unknown) => logger.warn('flags source failed to start; keeping the initial flags', { error: String(error) }))
    .then(() => applyFlags(flags.current()));
  if (redis) reportRedisTooOld(redis, logger);
  // Listening before the rate-limit connection is up would decide the first requests locally
  // (and count them twice once Redis answers); an unreachable Redis delays the start by at most this.
  const ready = Promise.all([flagsStarted, redis ? redisReady(redis, REDIS_READY_WAIT_MS, logger) : undefined, room?.start(redis)]).then(() => undefined);

  const metrics: GateMetricsRecorder = createGateMetricsRecorder({
    saleName: config.saleName,
    dependencies,
    startedAt: new Date(clock.now()),
    properties: { Gate: gateId },
    gauges: () => {
      const snapshot = admission.snapshot();
      return { concurrencyLimit: snapshot.limit, inFlight: snapshot.inFlight, redisFallback, flagsLevel: currentFlags.level, flagsVersion: currentFlags.version, flagsKeyMissing };
    },
  });
  const emitMetrics = () => {
    for (const line of metrics.flush(clock.now())) sink(line);
  };
  const metricsTimer = setInterval(emitMetrics, metricsIntervalMs);
  metricsTimer.unref();

  const noteDecision = (decision: RateLimitDecision) => {
    metrics.rateLimitSource(decision.source);
    if (decision.source === 'cached') return;
    const nowFallback = decision.source === 'fallback';
    if (nowFallback !== redisFallback) {
      redisFallback = nowFallback;
      if (nowFallback) logger.warn('rate limits fall back to the local limiter: Redis unreachable or slow');
      else logger.info('rate limits back on Redis');
    }
  };


  // ---------- answers ----------

  const answer = (res: ServerResponse, status: number, outcome: GateOutcome, body: string | Buffer, headers: Record<string, string | string[]> = {}, contentType = 'application/json; charset=utf-8') => {
    metrics.outcome(outcome);
    if (isDeliberateRefusal(status, outcome)) metrics.deliberateRefusal();
    if (res.headersSent || res.destroyed) return;
    const payload = typeof body === 'string' ? Buffer.from(body) : body;
    res.writeHead(status, { ...headers, 'content-type': contentType, 'content-length': payload.length, 'cache-control': 'no-store', [OUTCOME_HEADER]: outcome });
    res.end(res.req.method === 'HEAD' ? undefined : payload);
  };

  const answerFallback = (res: ServerResponse, fallback: FallbackAnswer, headers: Record<string, string | string[]> = {}) =>
    answer(res, fallback.status, 'fallback', fallback.body, headers, fallback.contentType);

  const refuse = (res: ServerResponse, status: number, outcome: GateOutcome, error: string, retryAfterMs: number | undefined, headers: Record<string, string> = {}) =>
    answer(res, status, outcome, JSON.stringify({ error }), retryAfterMs === undefined ? headers : { ...headers, 'retry-after': String(retryAfterSeconds(retryAfterMs)) });

  // ---------- the request path ----------

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const target = parseRequestTarget(req.url);
    if (!target) return refuse(res, 400, 'bad-request', 'malformed request target', undefined);
    const reserved = reservedPath(target.path);
    if (reserved === 'health') return answerHealth(res);
    if (reserved === 'gate' && target.path === READY_PATH) return answerReady(res);
    if (reserved === 'gate' && target.path === METRICS_PATH && isLoopback(req.socket.remoteAddress)) {
      return answer(res, 200, 'served', JSON.stringify({ ...metrics.snapshot(), breakers: breakers.states(), flags: { version: currentFlags.version, level: currentFlags.level } }));
    }
    if (room?.handle(req, res, () => identify(req.headers, req.socket.remoteAddress), target.path)) return;
    if (reserved !== undefined) return refuseUnread(req, res, 404, 'bad-request', reserved === 'gate' ? 'no such gate endpoint' : 'operator endpoints are not served through the gate');
    if (lacksRequiredHost(req)) return refuseUnread(req, res, 400, 'bad-request', 'an HTTP/1.1 request needs a Host header');
    if (connectionCap.isOverCapacity(req.socket)) return refuseUnread(req, res, 503, 'shed', 'too many open connections to this gate', BUSY_RETRY_AFTER_MS);
    const matched = routes.match(req.method ?? 'GET', target.path);
    if (!matched) return refuse(res, 404, 'bad-request', 'no route for this method and path', undefined);
    const route = matched.route;
    const priority = route.priority;
    metrics.count(priority, 'requests');

    // An oversized declared body is refused before it costs anything else.
    const maxBodyBytes = maxBodyBytesFor(route, config.gate);
    const declaredLength = Number(req.headers['content-length']);
    if (declaredLength > maxBodyBytes) return refuseTooLarge(req, res, maxBodyBytes);

    // 1. Flags: the degradation level sheds whole classes (critical never), an open breaker short-circuits.
    if (priority !== 'critical' && shedTable(currentFlags.level).has(priority)) {
      metrics.count(priority, 'degraded');
      const fallback = fallbacks.answerFor(route);
      if (fallback) return answerFallback(res, fallback);
      return refuse(res, 503, 'degraded', `${priority} requests are shed at degradation level ${currentFlags.level}`, DEGRADED_RETRY_AFTER_MS);
    }
    const open = route.dependencies.length > 0 ? breakers.firstOpen(route.dependencies) : undefined;
    if (open) return shortCircuit(res, route, open.name, open.retryAfterMs());

    // 2. Rate limit per user key and route. A read on a speculative route is sent to the app while
    // Redis decides, when a slot is free at once (speculative-reads.ts); its answer still waits.
    const identity = identify(req.headers, req.socket.remoteAddress);
    const limitKey = route.limitBy === 'ip' ? `ip:${identity.ip}` : identity.key;
    const limiter = limiters.get(route.name);
    let limitHeaders: Record<string, string> | undefined;
    let lease: ConcurrencyLease | undefined;
    let permit: Permit | undefined;
    let call: UpstreamCall | undefined;
    let reservation: BodyReservation | undefined;
    try {
      if (limiter) {
        let decision: RateLimitDecision;
        if (limiter.rate) {
          const pending = limiter.rate.consume(limitKey, route.cost);
          if (limiter.speculation?.allows(req.method, hasBody(req), limitKey) && dependenciesClosed(route)) {
            const spare = admission.tryAcquire(priority);
            if (spare !== undefined) {
              const tickets = takeTickets(route);
              if (Array.isArray(tickets)) call = callUpstream(req, res, route, target.forwardPath, undefined, spare, tickets, identity);
              else spare.release({ latencyMs: 0 });
            }
          }
          decision = await pending;
        } else {
          lease = await (limiter.concurrency as ConcurrencyLimiter).acquire(limitKey, route.cost);
          decision = lease.decision;
        }
        noteDecision(decision);
        limitHeaders = statesQuota(config.gate.rateLimitFields, decision) ? rateLimitHeaders(limiter.policy, decision) : undefined;
        if (!decision.allowed) {
          metrics.count(priority, 'limited');
          limiter.speculation?.refused(limitKey, decision.retryAfterMs);
          if (call !== undefined) {
            metrics.count(priority, 'speculativeDiscarded');
            discardCall(call, route);
            call = undefined;
          }
          return refuse(res, 429, 'limited', 'rate limit exceeded', undefined, limitHeaders);
        }
      }

      if (call === undefined) {
        // 3. The body, bounded, before taking a slot: a slow body must not hold a concurrency slot.
        let body: Buffer | undefined;
        if (hasBody(req)) {
          reservation = bodyBudget.reservation();
          try {
            body = await readBody(req, maxBodyBytes, reservation, bodyBudget.maxBytes);
          } catch (error) {
            if (isBodyTooLargeError(error)) return refuseTooLarge(req, res, maxBodyBytes);
            if (isBodyBudgetExhaustedError(error)) return refuseUnread(req, res, 503, 'shed', 'the gate holds too many request bodies right now', BUSY_RETRY_AFTER_MS, limitHeaders);
            return refuse(res, 400, 'bad-request', 'unreadable request body', undefined);
          }
        }

        // 4. Admission through the priority-partitioned adaptive concurrency limit and its queues.
        // No abort signal here (an AbortSignal per request is costly): a client that leaves while
        // queued keeps its place until admitted or timed out, and its slot is then given back at once.
        permit = admission.tryAcquire(priority);
        if (permit === undefined) {
          const admitted = await admission.acquire(priority);
          if (!admitted.admitted) {
            const degradedRefusal = admitted.refusal.reason === 'degraded';
            metrics.count(priority, degradedRefusal ? 'degraded' : 'shed');
            const fallback = degradedRefusal ? fallbacks.answerFor(route) : undefined;
            if (fallback) return answerFallback(res, fallback, limitHeaders);
            return refuse(res, 503, degradedRefusal ? 'degraded' : 'shed', `overloaded (${admitted.refusal.reason})`, admitted.refusal.retryAfterMs, limitHeaders);
          }
          permit = admitted.permit;
        }
        metrics.queueDelay(priority, permit.queuedMs);
        if (res.destroyed) {
          permit.release({ latencyMs: 0 });
          return;
        }

        // 5. Breakers hand out tickets (a half-open breaker lets only its probes through).
        const tickets = takeTickets(route);
        if (!Array.isArray(tickets)) {
          permit.release({ latencyMs: 0 });
          return shortCircuit(res, route, tickets.name, tickets.retryAfterMs());
        }

        // 6. Proxy with the route's deadline.
        call = callUpstream(req, res, route, target.forwardPath, body, permit, tickets, identity);
      } else {
        metrics.queueDelay(priority, 0);
      }

      const { tickets, startedAt } = call;
      permit = call.permit;
      let response: UpstreamResponse;
      try {
        response = await call.response;
      } catch (error) {
        const kind = isUpstreamFailure(error) ? error.kind : 'unreachable';
        const latencyMs = clock.now() - startedAt;
        if (kind === 'aborted') {
          // The client left; nothing to say about the app's health.
          permit.release({ latencyMs });
          return;
        }
        permit.release({ latencyMs, dropped: kind === 'timeout' });
        recordDependencies(route, tickets, true, latencyMs);
        metrics.count(priority, 'upstreamErrors');
        warnThrottled('upstream failed', { route: route.name, kind, error: error instanceof Error ? error.message : String(error) });
        const fallback = fallbacks.answerFor(route);
        if (fallback) return answerFallback(res, fallback, limitHeaders);
        const failure = upstreamFailureAnswer(route, kind === 'timeout' ? 'timeout' : 'unreachable');
        return answer(res, failure.status, 'upstream-error', failure.body, limitHeaders);
      }

      const status = response.statusCode;
      readiness.noteAnswer();
      const failed = status >= 500;
      const blamed = takeBlamedDependency(route, status, response.headers);
      metrics.count(priority, 'served');
      if (failed) {
        metrics.count(priority, 'upstreamErrors');
        const fallback = fallbacks.answerFor(route);
        if (fallback) {
          response.discard();
          const latencyMs = clock.now() - startedAt;
          permit.release({ latencyMs, dropped: status === 503 });
          recordDependencies(route, tickets, true, latencyMs, blamed);
          return answerFallback(res, fallback, limitHeaders);
        }
      }
      // The app refusing the request's headers is the client's error, as when the gate refuses them.
      const outcome: GateOutcome = failed ? 'upstream-error' : status === 431 ? 'bad-request' : 'served';
      metrics.outcome(outcome);
      const headers = response.headers;
      // The quota goes on the app's answer unless a shared cache may keep that answer for everyone.
      if (limitHeaders && !limiter?.edgeCached && !sharedCacheMayStore(headers['cache-control'])) Object.assign(headers, limitHeaders);
      headers[OUTCOME_HEADER] = outcome;
      res.writeHead(status, headers);
      const capture = status === 200 && req.method === 'GET' && fallbacks.wantsLastGood(route) ? boundedCapture(config.gate.maxBodyBytes) : undefined;
      const complete = await pipeBody(response, res, capture?.onChunk);
      const latencyMs = clock.now() - startedAt;
      permit.release({ latencyMs, dropped: status === 503 });
      recordDependencies(route, tickets, failed, latencyMs, blamed);
      metrics.servedLatency(priority, latencyMs);
      if (complete && capture && !capture.overflowed()) {
        fallbacks.rememberLastGood(route, String(response.headers['content-type'] ?? 'application/octet-stream'), capture.body());
      }
    } finally {
      // Whatever happened, the slot goes back (a second release is a no-op).
      permit?.release({ latencyMs: 0 });
      call?.permit.release({ latencyMs: 0 });
      if (lease) lease.release().catch(() => undefined);
      reservation?.release();
    }
  };

  /** Sends the request to the app under `permit`; the call owns the permit and the tickets from here. */
  const callUpstream = (req: IncomingMessage, res: ServerResponse, route: RouteConfig, path: string, body: Buffer | undefined, permit: Permit, tickets: BreakerTicket[], identity: ClientIdentity): UpstreamCall => {
    const deadlineMs = clock.now() + route.timeoutMs;
    const prepareHeaders = (headers: Record<string, string | string[]>) => {
      writeIdentityHeaders(headers, identity);
      setDeadlineHeader(headers, deadlineMs);
    };
    const response = upstream.request({ req, path, body, timeoutMs: route.timeoutMs, res, prepareHeaders });
    // Awaited later (or never, for a speculative read that was refused): no unhandled rejection meanwhile.
    response.catch(() => undefined);
    return { permit, tickets, startedAt: clock.now(), response };
  };

  /**
   * A speculative read whose key was refused: its answer is read and dropped (keeping the
   * connection to the app reusable), and it still counts for the limiter and the breakers, since
   * the app did the work.
   */
  const discardCall = (call: UpstreamCall, route: RouteConfig) => {
    call.response.then(
      (response) => {
        const status = response.statusCode;
        const blamed = takeBlamedDependency(route, status, response.headers);
        response.discard();
        const latencyMs = clock.now() - call.startedAt;
        call.permit.release({ latencyMs, dropped: status === 503 });
        recordDependencies(route, call.tickets, status >= 500, latencyMs, blamed);
      },
      (error: unknown) => {
        const latencyMs = clock.now() - call.startedAt;
        const kind = isUpstreamFailure(error) ? error.kind : 'unreachable';
        call.permit.release({ latencyMs, dropped: kind === 'timeout' });
        if (kind !== 'aborted') recordDependencies(route, call.tickets, true, latencyMs);
      },
    );
  };

  /** A ticket from every dependency's breaker, or the breaker that refused one. */
  const takeTickets = (route: RouteConfig): BreakerTicket[] | ObservableCircuitBreaker => {
    const tickets: BreakerTicket[] = [];
    for (const dependency of route.dependencies) {
      const breaker = breakers.get(dependency);
      const ticket = breaker.tryPass();
      if (!ticket) return breaker;
      tickets.push(ticket);
    }
    return tickets;
  };

  /** Closed breakers always hand out tickets; a half-open one's few probes are not spent on speculation. */
  const dependenciesClosed = (route: RouteConfig): boolean => {
    for (const dependency of route.dependencies) if (breakers.get(dependency).state() !== 'closed') return false;
    return true;
  };

  /**
   * Tickets are in the order of route.dependencies. A failure the app blamed on one dependency is
   * that one's alone; the others' health is unknown (most likely they were never called), so they
   * record nothing (a half-open breaker reissues unanswered probes).
   */
  const recordDependencies = (route: RouteConfig, tickets: BreakerTicket[], failed: boolean, latencyMs: number, blamed?: string) => {
    const outcome = dependencyOutcome(config.gate.breakerBlame, failed, latencyMs, blamed);
    tickets.forEach((ticket, i) => {
      const dependency = route.dependencies[i]!;
      if (outcome.failedDependency(dependency)) ticket.failure();
      else if (!failed) ticket.success(outcome.successLatencyMs);
    });
    for (const dependency of route.dependencies) {
      if (!failed || outcome.failedDependency(dependency)) metrics.dependencyCall(dependency, failed);
    }
  };

  const shortCircuit = (res: ServerResponse, route: RouteConfig, dependency: string, retryAfterMs: number) => {
    metrics.count(route.priority, 'shortCircuited');
    const fallback = fallbacks.answerFor(route);
    if (fallback) return answerFallback(res, fallback);
    return refuse(res, 503, 'short-circuited', `dependency ${dependency} is unavailable`, Math.max(retryAfterMs, 1000));
  };

  /** A refusal that leaves the request body unread: answered, the rest of the body drained (bounded), then closed. */
  const refuseUnread = (req: IncomingMessage, res: ServerResponse, status: number, outcome: GateOutcome, error: string, retryAfterMs?: number, headers: Record<string, string> = {}) => {
    metrics.outcome(outcome);
    const retry: Record<string, string> = retryAfterMs === undefined ? {} : { 'retry-after': String(retryAfterSeconds(retryAfterMs)) };
    answerThenLinger(req, res, status, { ...headers, ...retry, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', [OUTCOME_HEADER]: outcome }, Buffer.from(JSON.stringify({ error })));
  };

  const refuseTooLarge = (req: IncomingMessage, res: ServerResponse, maxBodyBytes: number) => refuseUnread(req, res, 413, 'bad-request', `request body larger than ${maxBodyBytes} bytes`);

  const answerHealth = (res: ServerResponse) => {
    const snapshot = admission.snapshot();
    answer(
      res,
      200,
      'served',
      JSON.stringify({
        status: 'ok',
        gate: gateId,
        flags: { version: currentFlags.version, level: currentFlags.level, openBreakers: openBreakers(currentFlags) },
        redis: { configured: redis !== undefined, fallback: redisFallback },
        concurrency: { limit: snapshot.limit, inFlight: snapshot.inFlight },
      }),
    );
  };

  const answerReady = (res: ServerResponse) => {
    const state = readiness.state();
    answer(res, state.ready ? 200 : 503, state.ready ? 'served' : 'upstream-error', JSON.stringify({ status: state.ready ? 'ready' : 'not-ready', gate: gateId, app: state }));
  };

  // ---------- the server ----------

  const server = createServer(
    {
      maxHeaderSize: config.gate.maxHeaderBytes,
      // The gate refuses a missing Host itself (handle), so the 400 carries the outcome header.
      requireHostHeader: false,
      headersTimeout: timeouts.headersTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      keepAliveTimeout: timeouts.keepAliveTimeoutMs,
      // Node checks the two timeouts above only this often; the default (30 s) would let slowloris linger.
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(timeouts.headersTimeoutMs / 4))),
    },
    (req, res) => {
      handle(req, res).catch((error: unknown) => {
        // A bug must cost one request, never the process.
        logger.error('request failed inside the gate', { error: error instanceof Error ? (error.stack ?? error.message) : String(error), url: req.url?.slice(0, 200) });
        if (!res.headersSent) refuse(res, 500, 'upstream-error', 'internal gate error', undefined);
        else res.destroy();
      });
    },
  );
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => answerClientError(error, socket, () => metrics.outcome('bad-request')));
  // Node would answer these itself, without the outcome header: an Expect other than 100-continue.
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => refuseUnread(req, res, 417, 'bad-request', 'only Expect: 100-continue is supported'));
  const connectionCap = new ConnectionCap(server, config.gate.maxConnections);

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      const deadline = Date.now() + timeouts.drainTimeoutMs;
      while (admission.snapshot().inFlight > 0 && Date.now() < deadline) {
        server.closeIdleConnections();
        await new Promise((r) => setTimeout(r, 25));
      }
      server.closeAllConnections();
      await stopped;
      clearInterval(metricsTimer);
      readiness.close();
      await room?.close();
      emitMetrics();
      unsubscribeFlags();
      admission.close();
      breakers.close();
      await Promise.all([...limiters.values()].map((l) => (l.rate ?? l.concurrency)?.close()));
      if (ownsFlags) await flags.close();
      if (redis) await redis.quit().catch(() => redis.disconnect());
      await upstream.close();
    })());

  const load = () => ({ bufferedBodyBytes: bodyBudget.bufferedBytes, openConnections: connectionCap.openConnections });
  return { server, ready, metrics: () => metrics.snapshot(), load, close };
}

export interface StartedGate {
  /** http://host:port the gate listens on. */
  url: string;
  gate: Gate;
  close(): Promise<void>;
}

/** Creates the gate, waits for its flags, and listens. Port 0 picks a free port. */
export async function startGate(options: GateOptions & { port: number; host?: string }): Promise<StartedGate> {
  const gate = createGate(options);
  try {
    await gate.ready;
    const host = options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      gate.server.once('error', reject);
      gate.server.listen(options.port, host, () => {
        gate.server.off('error', reject);
        resolve();
      });
    });
    const address = gate.server.address();
    const port = typeof address === 'object' && address ? address.port : options.port;
    const shownHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
    return { url: `http://${shownHost}:${port}`, gate, close: () => gate.close() };
  } catch (error) {
    await gate.close();
    throw error;
  }
}

function resolveTimeouts(timeouts: GateTimeouts = {}): Required<GateTimeouts> {
  const resolved = {
    headersTimeoutMs: timeouts.headersTimeoutMs ?? 10_000,
    requestTimeoutMs: timeouts.requestTimeoutMs ?? 30_000,
    keepAliveTimeoutMs: timeouts.keepAliveTimeoutMs ?? 65_000,
    drainTimeoutMs: timeouts.drainTimeoutMs ?? 25_000,
  };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isFinite(value) || value <= 0) throw new InvalidOptionsError(`timeouts.${name}`, value, 'a positive number of milliseconds');
  }
  if (resolved.headersTimeoutMs > resolved.requestTimeoutMs) {
    throw new InvalidOptionsError('timeouts.headersTimeoutMs', resolved.headersTimeoutMs, `at most requestTimeoutMs (${resolved.requestTimeoutMs})`);
  }
  return resolved;
}

function isLoopback(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}
