/**
 * The gate's request path, in order. Each step may answer the request and stop the path; whatever
 * it holds is released at the end (release-request.ts). A new step (a waiting room, say) is one
 * more line in this list.
 */
import type { GateConfig } from '../../contracts/config/gate-config-slice';
import type { BreakerRegistry } from '../../guard/breaker';
import type { Clock } from '../../guard/clock';
import type { PriorityAdmissionController } from '../../guard/shed';
import type { BodyBudget, ConnectionCap } from '../proxy/body-limits';
import type { IdentityResolver } from '../proxy/client-identity';
import type { ShedTable } from '../proxy/degradation-policy';
import type { FallbackStore } from '../proxy/fallback-store';
import type { GateLogger } from '../proxy/gate-logger';
import type { GateMetricsRecorder } from '../proxy/gate-metrics-recorder';
import type { RouteTable } from '../proxy/route-table';
import type { UpstreamReadiness } from '../proxy/upstream-readiness';
import type { DependencyTickets } from '../pipeline/dependency-tickets';
import type { GateAnswers } from '../pipeline/gate-answers';
import type { GateState } from '../pipeline/gate-state';
import { Pipeline } from '../pipeline/pipeline';
import type { RouteLimiter } from '../pipeline/route-limiter';
import { SpeculativeCalls } from '../pipeline/speculative-call';
import { AdmitStep } from '../pipeline/steps/admit-step';
import { BodySizeStep } from '../pipeline/steps/body-size-step';
import { BodyStep } from '../pipeline/steps/body-step';
import { ClassifyStep } from '../pipeline/steps/classify-step';
import { ConnectionChecksStep } from '../pipeline/steps/connection-checks-step';
import { FlagsStep } from '../pipeline/steps/flags-step';
import { GatePathsStep, type GateReports } from '../pipeline/steps/gate-paths-step';
import { IdentifyStep } from '../pipeline/steps/identify-step';
import { ProxyStep } from '../pipeline/steps/proxy-step';
import { RateLimitStep } from '../pipeline/steps/rate-limit-step';
import { RecordStep } from '../pipeline/steps/record-step';
import { WaitingRoomStep } from '../pipeline/steps/waiting-room-step';
import type { UpstreamCaller } from '../pipeline/upstream-call';
import { WAITING_ROOM_JOIN_PATH } from '../../contracts/waiting-room';
import type { RoomGate } from '../waiting-room/room-gate';

export interface GatePipelineParts {
  gate: GateConfig['gate'];
  clock: Clock;
  state: GateState;
  answers: GateAnswers;
  reports: GateReports;
  metrics: GateMetricsRecorder;
  logger: GateLogger;
  warnThrottled: (message: string, fields: Record<string, unknown>) => void;
  connectionCap: ConnectionCap;
  identify: IdentityResolver;
  routes: RouteTable;
  limiters: ReadonlyMap<string, RouteLimiter>;
  shedTable: ShedTable;
  breakers: BreakerRegistry;
  fallbacks: FallbackStore;
  bodyBudget: BodyBudget;
  admission: PriorityAdmissionController;
  dependencies: DependencyTickets;
  caller: UpstreamCaller;
  readiness: UpstreamReadiness;
  /** The waiting room, when the config enables one. */
  room?: RoomGate;
}

export function createGatePipeline(p: GatePipelineParts): Pipeline {
  const speculative = new SpeculativeCalls(p.admission, p.dependencies, p.caller, p.metrics);
  return new Pipeline([
    new GatePathsStep(p.answers, p.reports, p.room ? (path) => path === WAITING_ROOM_JOIN_PATH : undefined),
    new ConnectionChecksStep(p.answers, p.connectionCap),
    new IdentifyStep(p.identify),
    ...(p.room ? [new WaitingRoomStep(p.room)] : []),
    new ClassifyStep(p.routes, p.limiters, p.answers, p.metrics),
    new BodySizeStep(p.gate, p.answers),
    new FlagsStep(p.state, p.shedTable, p.breakers, p.fallbacks, p.answers, p.metrics),
    new RateLimitStep(p.gate, p.state, speculative, p.answers, p.metrics, p.logger),
    new BodyStep(p.bodyBudget, p.answers),
    new AdmitStep(p.admission, p.fallbacks, p.answers, p.metrics),
    new ProxyStep(p.dependencies, p.caller, p.answers),
    new RecordStep({
      gate: p.gate,
      clock: p.clock,
      dependencies: p.dependencies,
      fallbacks: p.fallbacks,
      readiness: p.readiness,
      answers: p.answers,
      metrics: p.metrics,
      warnThrottled: p.warnThrottled,
    }),
  ]);
}
