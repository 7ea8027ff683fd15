/**
 * The rehearsal's 5xx alarm evaluates the same formula as the CDK alarm (lib/observability/
 * alarm-math.ts), over the answers counted as the ALB would count them and the gates' own
 * DeliberateRefusals. A closed loop on a fake clock: the level the controller sets decides what the
 * gates answer the next second, exactly as on AWS.
 */
import { join } from 'node:path';
import { MemoryFlags } from '../../../../guard/flags/memory-flags';
import { createGateMetricsRecorder } from '../../../../gate/proxy/gate-metrics-recorder';
import { loadConfig } from '../../../../contracts/config/load-config';
import type { SaledayConfig } from '../../../../contracts/config/schema';
import type { RatioAlarmMath } from '../../../../contracts/metrics/alarm-math';
import { AlarmEvaluator } from '../../../../cli/rehearse/control-plane/alarm-evaluator';
import { parseEmfLine } from '../../../../cli/rehearse/metrics/emf-line-reader';
import { FleetMetrics } from '../../../../cli/rehearse/metrics/fleet-metrics';
import { LocalControlPlane } from '../../../../cli/rehearse/control-plane/local-control-plane';
import { levelsCheck } from '../../../../cli/rehearse/report/rehearsal-checks';
import { scaleConfigForRehearsal } from '../../../../cli/rehearse/control-plane/time-scale';
import { FakeClock } from '../../../support/fake-clock';

const START_MS = 1_700_000_000_000;
const REQUESTS_PER_SECOND = 200;

/** The formula the rehearsal and the CDK alarm used before: every target 5xx counted, refusals included. */
const OLD_FIVE_XX: RatioAlarmMath = {
  failures: ['target5xx', 'elb5xx'],
  excused: [],
  over: 'albRequests',
  clampAtZero: false,
};

/** The example config with only the alb-5xx-rate alarm (level 2), at the reference time scale (5 s periods, 10 s calm). */
function config(): SaledayConfig {
  const full = loadConfig(join(__dirname, '../../../../saleday.config.json'));
  return scaleConfigForRehearsal({ ...full, alarms: full.alarms.filter((a) => a.name === 'alb-5xx-rate') }, 12);
}

/**
 * One second of one gate behind the rehearsal's load balancer: during `realFailureSeconds` the app
 * fails 30% of requests (502 from the gate); at level 2 and above the gate refuses 60% of requests
 * itself (every page and uncached asset: 503 `degraded`, no fallback), counted in its EMF record.
 */
function feedSecond(metrics: FleetMetrics, second: number, level: number, realFailureSeconds: number): void {
  const recorder = createGateMetricsRecorder({
    saleName: 'winter-flash',
    dependencies: [],
    gauges: () => ({ concurrencyLimit: 64, inFlight: 0, redisFallback: false, flagsLevel: level, flagsVersion: 1 }),
    startedAt: new Date(START_MS),
  });
  const atMs = START_MS + second * 1000 + 100;
  const refusals = level >= 2 ? REQUESTS_PER_SECOND * 0.6 : 0;
  const failures = second < realFailureSeconds ? REQUESTS_PER_SECOND * 0.3 : 0;
  for (let i = 0; i < REQUESTS_PER_SECOND; i += 1) {
    const status = i < refusals ? 503 : i < refusals + failures ? 502 : 200;
    if (status === 503) recorder.deliberateRefusal();
    metrics.recordGatewayAnswer(atMs, status);
  }
  for (const line of recorder.flush(atMs)) metrics.ingest('gate-1', parseEmfLine(line)!);
}

async function runClosedLoop(ratioMath?: { 'alb-5xx-rate': RatioAlarmMath }): Promise<number[]> {
  const clock = new FakeClock(START_MS);
  const metrics = new FleetMetrics();
  const flags = new MemoryFlags();
  const scaled = config();
  const evaluator = new AlarmEvaluator({ config: scaled, metrics, startMs: START_MS, settleMs: 500, ratioMath });
  const control = new LocalControlPlane({
    config: scaled,
    evaluator,
    store: flags,
    startMs: START_MS,
    tickMs: 5000,
    now: () => clock.now(),
  });
  await control.reset();
  for (let second = 0; second < 90; second += 1) {
    feedSecond(metrics, second, control.current().level, 12);
    clock.set(START_MS + (second + 1) * 1000 + 600);
    await control.step();
  }
  await control.close();
  await flags.close();
  return control.timeline().map((s) => s?.level ?? 0);
}

describe('the rehearsal 5xx alarm on a stream of gate refusals', () => {
  it('with the old formula, the level holds itself up: the "level back to 0" check fails', async () => {
    const levels = await runClosedLoop({ 'alb-5xx-rate': OLD_FIVE_XX });
    expect(Math.max(...levels)).toBe(2);
    expect(levels[levels.length - 1]).toBe(2);
    expect(levelsCheck(levels).pass).toBe(false);
  });

  it('with the shared formula, the level falls back to 0 once the real failures stop', async () => {
    const levels = await runClosedLoop();
    expect(Math.max(...levels)).toBe(2);
    expect(levels[levels.length - 1]).toBe(0);
    expect(levelsCheck(levels).pass).toBe(true);
  });
});

describe('FleetMetrics as the load balancer', () => {
  it('counts a gate 5xx as a target 5xx, whatever its reason, and no answer as an ELB 5xx', () => {
    const metrics = new FleetMetrics();
    for (const status of [200, 404, 429, 500, 502, 503, 504, undefined])
      metrics.recordGatewayAnswer(START_MS + 10, status);
    expect(metrics.get(START_MS / 1000)!.gateway).toEqual({ requests: 8, target5xx: 4, elb5xx: 1 });
  });

  it('evaluates alb-5xx-rate from those counts less the deliberate refusals, and still alarms on real 5xx', () => {
    const metrics = new FleetMetrics();
    feedSecond(metrics, 0, 2, 1); // 60% refusals and 30% real failures
    feedSecond(metrics, 1, 2, 0); // refusals only
    const alarm = { ...config().alarms[0]!, periodSeconds: 1, evaluationPeriods: 1, datapointsToAlarm: 1 };
    const evaluator = new AlarmEvaluator({
      config: { saleName: 'winter-flash', alarms: [alarm] },
      metrics,
      startMs: START_MS,
      settleMs: 0,
    });
    expect(evaluator.evaluate(START_MS + 1000).states[0]).toMatchObject({ state: 'ALARM', datapoints: [0.3] });
    expect(evaluator.evaluate(START_MS + 2000).states[0]).toMatchObject({ state: 'OK', datapoints: [0] });
  });
});
