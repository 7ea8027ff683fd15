/** The bodies of the gate's own answers: /healthz, readiness, and the loopback metrics. */
import { openBreakers } from '../../contracts/flags/flags-document';
import type { BreakerRegistry } from '../../guard/breaker';
import type { PriorityAdmissionController } from '../../guard/shed';
import type { GateMetricsRecorder } from '../proxy/gate-metrics-recorder';
import type { UpstreamReadiness } from '../proxy/upstream-readiness';
import type { GateState } from '../pipeline/gate-state';
import type { GateReports } from '../pipeline/steps/gate-paths-step';

export interface GateReportSources {
  gateId: string;
  state: GateState;
  admission: PriorityAdmissionController;
  breakers: BreakerRegistry;
  metrics: GateMetricsRecorder;
  readiness: UpstreamReadiness;
  redisConfigured: boolean;
}

export function createGateReports(sources: GateReportSources): GateReports {
  const { gateId, state, admission, breakers, metrics, readiness } = sources;
  return {
    health: () => {
      const snapshot = admission.snapshot();
      const flags = state.flags;
      return JSON.stringify({
        status: 'ok',
        gate: gateId,
        flags: { version: flags.version, level: flags.level, openBreakers: openBreakers(flags) },
        redis: { configured: sources.redisConfigured, fallback: state.redisFallback },
        concurrency: { limit: snapshot.limit, inFlight: snapshot.inFlight },
      });
    },
    readiness: () => {
      const app = readiness.state();
      return {
        ready: app.ready,
        body: JSON.stringify({ status: app.ready ? 'ready' : 'not-ready', gate: gateId, app }),
      };
    },
    metrics: () =>
      JSON.stringify({
        ...metrics.snapshot(),
        breakers: breakers.states(),
        flags: { version: state.flags.version, level: state.flags.level },
      }),
  };
}
