/**
 * The running gate: builds the guard objects and the request pipeline from the options, and owns
 * everything with a lifetime (Redis connections, the flags source, the metrics timer, the app's
 * readiness probe, the HTTP server) from start to `close()`.
 */
import type { Server } from 'node:http';
import { hostname } from 'node:os';
import { systemClock, type Clock } from '../../guard/clock';
import { BodyBudget, ConnectionCap } from '../proxy/body-limits';
import { createIdentityResolver } from '../proxy/client-identity';
import { compileShedTable } from '../proxy/degradation-policy';
import { createFallbackStore } from '../proxy/fallback-store';
import { createJsonLogger, type GateLogger } from '../proxy/gate-logger';
import {
  createGateMetricsRecorder,
  type GateMetricsRecorder,
  type GateMetricsSnapshot,
} from '../proxy/gate-metrics-recorder';
import { createIdentityHeaderWriter } from '../proxy/identity-headers';
import { redisReady, reportRedisTooOld } from '../proxy/redis-startup';
import { compileRouteTable } from '../proxy/route-table';
import { throttle } from '../proxy/throttle';
import { createUpstreamClient, type UpstreamClient } from '../proxy/upstream-client';
import { createUpstreamReadiness, type UpstreamReadiness } from '../proxy/upstream-readiness';
import { DependencyTickets } from '../pipeline/dependency-tickets';
import type { Pipeline } from '../pipeline/pipeline';
import { GateAnswers } from '../pipeline/gate-answers';
import { GateState } from '../pipeline/gate-state';
import { UpstreamCaller } from '../pipeline/upstream-call';
import { followFlags, type FlagsFollower } from './flags-follower';
import { createGateHttpServer, serveThrough } from './gate-http-server';
import {
  resolveMetricsInterval,
  resolveTimeouts,
  resolveWallClock,
  type Gate,
  type GateOptions,
  type GateTimeouts,
} from './gate-options';
import { createGatePipeline, type GatePipelineParts } from './gate-pipeline';
import { createGateReports } from './gate-reports';
import { createRoomGate, type RoomGate } from '../waiting-room/room-gate';
import { closeGuards, createGuards, routeDependencies, type GuardObjects } from './guard-wiring';

/** An unreachable Redis delays the gate's start by at most this. */
const REDIS_READY_WAIT_MS = 3_000;
const DRAIN_POLL_MS = 25;

export class GateRuntime implements Gate {
  readonly server: Server;
  readonly ready: Promise<void>;
  private readonly timeouts: Required<GateTimeouts>;
  private readonly guards: GuardObjects;
  private readonly recorder: GateMetricsRecorder;
  private readonly readiness: UpstreamReadiness;
  private readonly upstream: UpstreamClient;
  private readonly bodyBudget: BodyBudget;
  private readonly connectionCap: ConnectionCap;
  private readonly flagsFollower: FlagsFollower;
  private readonly metricsTimer: NodeJS.Timeout;
  private readonly emitMetrics: () => void;
  private readonly room: RoomGate | undefined;
  private closing: Promise<void> | undefined;

  constructor(options: GateOptions) {
    const { config } = options;
    const clock: Clock = options.clock ?? systemClock;
    const wallClock = resolveWallClock(options);
    const logger: GateLogger = options.logger ?? createJsonLogger({ base: { sale: config.saleName } });
    const gateId = options.gateId ?? `${hostname()}:${process.pid}`;
    this.timeouts = resolveTimeouts(options.timeouts);
    const metricsIntervalMs = resolveMetricsInterval(options.metricsIntervalMs);
    const sink = options.metricsSink ?? ((line: string) => process.stdout.write(`${line}\n`));

    this.room = createRoomGate({
      config,
      env: options.env,
      clock,
      wallClock,
      logger,
      redisConfigured: options.redisUrl !== undefined,
      rateLimitPrefix: options.rateLimitPrefix,
      emit: sink,
      metricsIntervalMs,
      countOutcome: (o) => this.recorder.outcome(o),
    });
    const routes = compileRouteTable(config.routes);
    const identify = createIdentityResolver(config.identity, wallClock, options.env);
    this.bodyBudget = new BodyBudget(config.gate.maxBufferedBytes);
    const shedTable = compileShedTable(config.degradation);
    const fallbacks = createFallbackStore(config.routes);
    this.upstream = createUpstreamClient({
      upstream: options.upstream,
      connections: options.upstreamConnections ?? config.gate.concurrency.maxLimit,
    });
    this.readiness = watchUpstreamReadiness(options, clock, logger);
    const guards = (this.guards = createGuards(
      options,
      clock,
      logger,
      gateId,
      (missing) => (state.flagsKeyMissing = missing),
    ));
    const state = new GateState(guards.flags.current());
    const { admission, breakers, redis } = guards;
    this.flagsFollower = followFlags(guards.flags, { state, breakers, admission, shedTable, logger });
    if (redis) reportRedisTooOld(redis, logger);
    // Listening before the rate-limit connection is up would decide the first requests locally
    // (and count them twice once Redis answers).
    this.ready = Promise.all([
      this.flagsFollower.started,
      redis ? redisReady(redis, REDIS_READY_WAIT_MS, logger) : undefined,
      this.room?.start(redis),
    ]).then(() => undefined);

    const metrics = (this.recorder = createRuntimeMetrics(config, wallClock, gateId, admission, state));
    this.emitMetrics = () => {
      for (const line of metrics.flush(wallClock.now())) sink(line);
    };
    this.metricsTimer = setInterval(this.emitMetrics, metricsIntervalMs);
    this.metricsTimer.unref();

    const answers = new GateAnswers(metrics, fallbacks);
    this.server = createGateHttpServer({ gate: config.gate, timeouts: this.timeouts, answers, metrics });
    this.connectionCap = new ConnectionCap(this.server, config.gate.maxConnections);
    const pipeline = this.createPipeline({
      config,
      gateId,
      guards,
      clock,
      wallClock,
      state,
      answers,
      metrics,
      logger,
      identify,
      routes,
      shedTable,
      fallbacks,
    });
    serveThrough(this.server, pipeline, answers, logger);
  }

  /** The request path, from what the constructor built; the steps themselves live in gate-pipeline.ts. */
  private createPipeline(parts: PipelineInputs): Pipeline {
    const { config, gateId, guards, clock, wallClock, state, metrics, logger } = parts;
    const { admission, breakers, redis } = guards;
    const dependencies = new DependencyTickets(breakers, config.gate.breakerBlame, metrics);
    const writeIdentity = createIdentityHeaderWriter(config.identity);
    const caller = new UpstreamCaller(this.upstream, writeIdentity, dependencies, { clock, wallClock });
    const reports = createGateReports({
      gateId,
      state,
      admission,
      breakers,
      metrics,
      readiness: this.readiness,
      redisConfigured: redis !== undefined,
    });
    const warnThrottled = throttle(
      (message: string, fields: Record<string, unknown>) => logger.warn(message, fields),
      1000,
      clock,
    );
    return createGatePipeline({
      gate: config.gate,
      clock,
      state,
      answers: parts.answers,
      reports,
      metrics,
      logger,
      warnThrottled,
      connectionCap: this.connectionCap,
      identify: parts.identify,
      routes: parts.routes,
      limiters: guards.limiters,
      shedTable: parts.shedTable,
      breakers,
      fallbacks: parts.fallbacks,
      bodyBudget: this.bodyBudget,
      admission,
      dependencies,
      caller,
      readiness: this.readiness,
      room: this.room,
    });
  }

  // Arrow properties, as the plain object createGate used to return: callers may pass them around unbound.
  readonly metrics = (): GateMetricsSnapshot => this.recorder.snapshot();

  readonly load = (): { bufferedBodyBytes: number; openConnections: number } => ({
    bufferedBodyBytes: this.bodyBudget.bufferedBytes,
    openConnections: this.connectionCap.openConnections,
  });

  readonly close = (): Promise<void> => (this.closing ??= this.stop());

  private async stop(): Promise<void> {
    const server = this.server;
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    // The real monotonic clock: the drain waits real time, and a wall-clock step must not cut it short.
    const deadline = systemClock.now() + this.timeouts.drainTimeoutMs;
    while (this.guards.admission.snapshot().inFlight > 0 && systemClock.now() < deadline) {
      server.closeIdleConnections();
      await new Promise((r) => setTimeout(r, DRAIN_POLL_MS));
    }
    server.closeAllConnections();
    await stopped;
    clearInterval(this.metricsTimer);
    this.readiness.close();
    await this.room?.close();
    this.emitMetrics();
    this.flagsFollower.stop();
    await closeGuards(this.guards);
    await this.upstream.close();
  }
}

/** What the constructor has built by the time it wires the request path. */
type PipelineInputs = Pick<
  GatePipelineParts,
  'clock' | 'state' | 'answers' | 'metrics' | 'logger' | 'identify' | 'routes' | 'shedTable' | 'fallbacks'
> & { config: GateOptions['config']; gateId: string; guards: GuardObjects; wallClock: Clock };

/** Probes the app behind the gate, logging each change between ready and not ready. */
function watchUpstreamReadiness(options: GateOptions, clock: Clock, logger: GateLogger): UpstreamReadiness {
  return createUpstreamReadiness({
    ...options.readiness,
    upstream: options.upstream,
    clock,
    onChange: (state) =>
      state.ready
        ? logger.info('the app answers: ready')
        : logger.warn('the app stopped answering: not ready', { ...state }),
  });
}

/** The gate's metrics; the gauges read the admission controller and the flags state at each flush. */
function createRuntimeMetrics(
  config: GateOptions['config'],
  wallClock: Clock,
  gateId: string,
  admission: GuardObjects['admission'],
  state: GateState,
): GateMetricsRecorder {
  return createGateMetricsRecorder({
    saleName: config.saleName,
    dependencies: routeDependencies(config),
    startedAt: new Date(wallClock.now()),
    properties: { Gate: gateId },
    gauges: () => {
      const snapshot = admission.snapshot();
      return {
        concurrencyLimit: snapshot.limit,
        inFlight: snapshot.inFlight,
        redisFallback: state.redisFallback,
        flagsLevel: state.flags.level,
        flagsVersion: state.flags.version,
        flagsKeyMissing: state.flagsKeyMissing,
      };
    },
  });
}
