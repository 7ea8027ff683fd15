/**
 * The sale itself, inside a rehearsal: the local control plane, the traffic, the faults at their
 * times and the progress line, until the traffic ends.
 */
import { AlarmEvaluator } from './control-plane/alarm-evaluator';
import { LocalControlPlane } from './control-plane/local-control-plane';
import { scaledSeconds } from './control-plane/time-scale';
import { cacheOutageFor } from './faults/cache-outage';
import { probeFailover } from './faults/failover-probe';
import { scheduleKeyLoss, type KeyLossSchedule } from './faults/key-loss';
import { schedulePhases, type PhaseSchedule } from './faults/phase-schedule';
import { type RunningFleet } from './fleet/rehearsal-fleet';
import { type RedisChoice } from './fleet/redis-choice';
import { FleetMetrics } from './metrics/fleet-metrics';
import { startResourceSampling } from './metrics/resource-sampling';
import { ProgressLine } from './report/progress-line';
import { OutcomeRecorder } from './traffic/outcome-recorder';
import { RequestFactory } from './traffic/request-factory';
import { TrafficGenerator } from './traffic/traffic-generator';
import { phaseWindowMs, type TrafficProfile } from './traffic/traffic-profile';
import type { Cleanup, RehearsalOptions, RunSetup, RunState } from './rehearsal';

export interface TrafficInputs {
  options: RehearsalOptions;
  setup: RunSetup;
  redis: RedisChoice;
  fleet: RunningFleet;
  metrics: FleetMetrics;
  profile: TrafficProfile;
  factory: RequestFactory;
  random: () => number;
}

export interface TrafficRun {
  startMs: number;
  recorder: OutcomeRecorder;
  generator: TrafficGenerator;
  control: LocalControlPlane;
  phases: PhaseSchedule;
  /** The scenarios' probes: the cache failover and the flags key loss (none in the embedded mode). */
  outage: ReturnType<typeof probeFailover>;
  keyLoss: KeyLossSchedule | undefined;
}

/** The sale itself: the control plane, the traffic, the faults at their times, until the traffic ends. */
export async function runTraffic(inputs: TrafficInputs, state: RunState, cleanups: Cleanup[]): Promise<TrafficRun> {
  const { options, setup, redis, fleet, metrics, profile, factory, random } = inputs;
  const { config, scaledConfig, timeScale } = setup;
  const recorder = new OutcomeRecorder();
  // Traffic, alarm periods and the report's seconds all count from one whole second.
  const startMs = Math.ceil((Date.now() + 300) / 1000) * 1000;
  const tickMs = scaledSeconds(60, timeScale) * 1000;
  const evaluator = new AlarmEvaluator({ config: scaledConfig, metrics, startMs });
  const control = new LocalControlPlane({ config: scaledConfig, evaluator, store: fleet.store, startMs, tickMs });
  await control.reset();
  cleanups.push(() => control.close());
  const sampler = startResourceSampling({
    metrics,
    taskPids: fleet.taskPids,
    redis,
    taskMemoryMiB: config.fleet.memoryMiB,
  });
  cleanups.push(() => sampler.close());
  // The generator is the rehearsal's load balancer: it counts answers as the ALB's metrics would.
  const onAnswer = (status: number | undefined) => metrics.recordGatewayAnswer(Date.now(), status);
  const generator = new TrafficGenerator({
    targets: fleet.gateUrls,
    profile,
    durationMs: options.durationMs,
    factory,
    recorder,
    random,
    onAnswer,
  });
  state.generator = generator;
  const outage = probeFailover(cacheOutageFor(redis), { gateUrls: fleet.gateUrls, factory, store: fleet.store });
  cleanups.push(() => outage.close());

  await new Promise((r) => setTimeout(r, Math.max(0, startMs - Date.now())));
  control.start();
  state.trafficStarted = true;
  const running = generator.run();
  const phases = schedulePhases({
    profile,
    durationMs: options.durationMs,
    operatorUrls: fleet.operatorUrls,
    outage,
    notice: setup.notice,
  });
  cleanups.push(() => phases.close());
  // The flags key is lost once the level is raised (else late in the run); the gates must follow again.
  const keyLoss =
    redis.kind === 'embedded'
      ? undefined
      : scheduleKeyLoss({
          redisUrl: redis.url,
          gateUrls: fleet.gateUrls,
          controllerDocument: () => control.current(),
          cacheDown: () => phases.cacheDown(),
          startMs,
          earliestMs: startMs + options.durationMs * 0.1,
          latestMs: startMs + options.durationMs * 0.75,
          tickMs,
          pollMs: config.gate.flagsPollMs,
        });
  if (keyLoss) cleanups.push(() => keyLoss.close());

  const progress =
    options.progress === false
      ? undefined
      : startProgress({ generator, control, phases, profile, durationMs: options.durationMs });
  await running;
  progress?.stop();
  await phases.settled();
  await control.close();
  if (outage.unavailable && profile.phases.some((p) => p.kind === 'cache-outage')) setup.notice(outage.unavailable);
  return { startMs, recorder, generator, control, phases, outage, keyLoss };
}

/** The progress line on stderr, refreshed four times a second from the generator and the control plane. */
function startProgress(run: {
  generator: TrafficGenerator;
  control: LocalControlPlane;
  phases: PhaseSchedule;
  profile: TrafficProfile;
  durationMs: number;
}): { stop(): void } {
  const { generator, control, phases, profile, durationMs } = run;
  const progress = new ProgressLine();
  const timer = setInterval(() => {
    const elapsedMs = generator.elapsedMs();
    progress.update({
      elapsedMs,
      durationMs,
      phase: activePhaseLabel(profile, elapsedMs, durationMs),
      sentPerSecond: generator.sentLastSecond(),
      level: control.current().level,
      openBreakers: Object.entries(control.current().breakers)
        .filter(([, b]) => b.open)
        .map(([d]) => d),
      alarmsInAlarm: control.alarms().filter((a) => a.state === 'ALARM').length,
      redisUp: !phases.cacheDown(),
    });
  }, 250);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      progress.close();
    },
  };
}

/** The checks of the scenarios the probes watched (cache failover, flags key loss), skipped when the run could not show them. */

function activePhaseLabel(profile: TrafficProfile, elapsedMs: number, durationMs: number): string {
  const active = profile.phases.filter((p) => {
    const w = phaseWindowMs(p, durationMs);
    return elapsedMs >= w.startMs && elapsedMs < w.endMs;
  });
  return active.length === 0 ? 'normal traffic' : active.map((p) => p.kind).join(' + ');
}
