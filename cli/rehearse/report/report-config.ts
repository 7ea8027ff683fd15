/** The report's account of what was rehearsed: the config as it ran (with its scaled times), and the profile's phases. */
import type { TrafficProfile } from '../traffic/traffic-profile';
import type { PhaseReport, RehearsalReport, ReportInputs } from './rehearsal-report';

export function reportConfig(
  inputs: Pick<ReportInputs, 'config' | 'scaledConfig' | 'profile' | 'run'>,
  durationSeconds: number,
): RehearsalReport['config'] {
  const { config, scaledConfig, profile, run } = inputs;
  const scaledAlarms = new Map(scaledConfig.alarms.map((a) => [a.name, a]));
  return {
    saleName: config.saleName,
    sla: config.sla,
    gates: run.gates,
    durationSeconds,
    timeScale: Number(run.timeScale.toFixed(2)),
    redis: run.redis,
    profile: profile.name,
    seed: run.seed,
    routes: config.routes.map((r) => ({ name: r.name, path: r.path, priority: r.priority })),
    degradation: config.degradation,
    alarms: config.alarms.map((a) => ({
      name: a.name,
      metric: a.dependency ? `${a.metric}(${a.dependency})` : a.metric,
      threshold: a.threshold,
      periodSeconds: a.periodSeconds,
      scaledPeriodSeconds: scaledAlarms.get(a.name)?.periodSeconds ?? a.periodSeconds,
      evaluationPeriods: a.evaluationPeriods,
      datapointsToAlarm: a.datapointsToAlarm,
      effect:
        a.effect.type === 'degrade'
          ? `level ${a.effect.level}`
          : a.effect.type === 'breaker'
            ? `open breaker ${a.effect.dependency}`
            : 'notify',
    })),
    controller: {
      calmPeriodSeconds: config.controller.calmPeriodSeconds,
      scaledCalmPeriodSeconds: scaledConfig.controller.calmPeriodSeconds,
      breakerCalmSeconds: config.controller.breakerCalmSeconds,
      scaledBreakerCalmSeconds: scaledConfig.controller.breakerCalmSeconds,
    },
  };
}

export function phaseReports(profile: TrafficProfile, durationMs: number): PhaseReport[] {
  return profile.phases.map((phase) => ({
    kind: phase.kind,
    label: phaseLabel(phase),
    startSecond: Math.round((phase.from * durationMs) / 1000),
    endSecond: Math.round((phase.to * durationMs) / 1000),
  }));
}

function phaseLabel(phase: TrafficProfile['phases'][number]): string {
  switch (phase.kind) {
    case 'surge':
      return `surge to ${phase.peakMultiplier}×`;
    case 'bot-flood':
      return `bot flood (${phase.keys} keys, ${phase.requestsPerSecond} req/s)`;
    case 'slow-route':
      return `slow ${phase.route} (+${phase.latencyMs} ms${phase.errorRate > 0 ? `, ${Math.round(phase.errorRate * 100)}% errors` : ''})`;
    case 'cache-outage':
      return 'cache outage';
  }
}
