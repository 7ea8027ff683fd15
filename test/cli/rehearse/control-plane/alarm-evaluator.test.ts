import { formatEmfLine } from '../../../../gate/proxy/emf-line-writer';
import { GATE_NAMESPACE } from '../../../../contracts/metrics/gate-metrics';
import type { AlarmConfig } from '../../../../contracts/config/schema';
import { AlarmEvaluator, decideState } from '../../../../cli/rehearse/control-plane/alarm-evaluator';
import { parseEmfLine } from '../../../../cli/rehearse/metrics/emf-line-reader';
import { FleetMetrics } from '../../../../cli/rehearse/metrics/fleet-metrics';

const START_MS = 1_700_000_000_000; // a whole second

function classLine(second: number, priorityClass: string, values: Record<string, number>): string {
  return formatEmfLine({
    namespace: GATE_NAMESPACE,
    timestampMs: START_MS + second * 1000 + 250,
    dimensions: { Sale: 'winter-flash', PriorityClass: priorityClass },
    metrics: Object.entries(values).map(([name, value]) => ({ name, unit: 'Count' as const, value })),
  });
}

function alarm(overrides: Partial<AlarmConfig>): AlarmConfig {
  return {
    name: 'gate-shed-rate',
    metric: 'gate-shed-rate',
    threshold: 0.1,
    comparison: 'greater',
    periodSeconds: 2,
    evaluationPeriods: 3,
    datapointsToAlarm: 2,
    effect: { type: 'degrade', level: 1 },
    ...overrides,
  };
}

/** Feeds one gate's per-second shed counts (out of 100 requests) into the fleet metrics. */
function feedShed(metrics: FleetMetrics, shedPerSecond: number[], gateId = 'gate-1'): void {
  shedPerSecond.forEach((shed, second) =>
    metrics.ingest(gateId, parseEmfLine(classLine(second, 'normal', { Requests: 100, Shed: shed }))!),
  );
}

describe('decideState (M out of N)', () => {
  const rule = { comparison: 'greater' as const, threshold: 0.1, datapointsToAlarm: 2 };
  it.each([
    { datapoints: [0.5, 0.5, 0], state: 'ALARM' },
    { datapoints: [0.5, 0, 0], state: 'OK' },
    { datapoints: [0.5, undefined, 0.5], state: 'ALARM' },
    { datapoints: [undefined, undefined, 0.5], state: 'OK' },
    { datapoints: [undefined, undefined, undefined], state: 'INSUFFICIENT_DATA' },
    { datapoints: [], state: 'INSUFFICIENT_DATA' },
    { datapoints: [0.1, 0.1, 0.1], state: 'OK' }, // at the threshold is not above it
  ])('$datapoints → $state', ({ datapoints, state }) => {
    expect(decideState(rule, datapoints)).toBe(state);
  });

  it('reads "less" alarms the other way round', () => {
    expect(decideState({ comparison: 'less', threshold: 10, datapointsToAlarm: 1 }, [5])).toBe('ALARM');
    expect(decideState({ comparison: 'less', threshold: 10, datapointsToAlarm: 1 }, [15])).toBe('OK');
  });
});

describe('AlarmEvaluator', () => {
  it('alarms once 2 of the last 3 scaled periods breach, and clears when they stop', () => {
    const metrics = new FleetMetrics();
    // 2 s periods: [0,2) calm, [2,4) hot, [4,6) hot, [6,8) calm, [8,10) calm, [10,12) calm.
    feedShed(metrics, [0, 0, 50, 50, 30, 30, 0, 0, 0, 0, 0, 0]);
    const evaluator = new AlarmEvaluator({
      config: { saleName: 'winter-flash', alarms: [alarm({})] },
      metrics,
      startMs: START_MS,
      settleMs: 1000,
    });

    const at = (second: number) => evaluator.evaluate(START_MS + second * 1000).states[0]!;
    expect(at(1).state).toBe('INSUFFICIENT_DATA'); // no complete period yet
    expect(at(3).state).toBe('OK'); // [0,2) calm
    expect(at(5).state).toBe('OK'); // [0,2) calm, [2,4) hot: one of two
    const hot = evaluator.evaluate(START_MS + 7000);
    expect(hot.states[0]).toMatchObject({
      name: 'saleday-winter-flash-gate-shed-rate',
      state: 'ALARM',
      datapoints: [0, 0.5, 0.3],
    });
    expect(hot.changed).toHaveLength(1);
    expect(hot.changed[0]!.updatedAt).toBe(new Date(START_MS + 7000).toISOString());
    expect(evaluator.evaluate(START_MS + 7500).changed).toHaveLength(0); // same state: no change reported
    expect(at(9).state).toBe('ALARM'); // [2,4) hot, [4,6) hot, [6,8) calm
    expect(at(11).state).toBe('OK'); // [4,6) hot, [6,8) calm, [8,10) calm
  });

  it('waits for the settle delay before reading a period, so late gates are counted', () => {
    const metrics = new FleetMetrics();
    feedShed(metrics, [50, 50]);
    const evaluator = new AlarmEvaluator({
      config: { saleName: 's', alarms: [alarm({ periodSeconds: 1, evaluationPeriods: 1, datapointsToAlarm: 1 })] },
      metrics,
      startMs: START_MS,
      settleMs: 1500,
    });
    expect(evaluator.evaluate(START_MS + 2000).states[0]!.state).toBe('INSUFFICIENT_DATA');
    expect(evaluator.evaluate(START_MS + 2500).states[0]!.state).toBe('ALARM');
  });

  it('sums counts over gates before dividing (a fleet rate, not an average of rates)', () => {
    const metrics = new FleetMetrics();
    metrics.ingest('gate-1', parseEmfLine(classLine(0, 'low', { Requests: 10, Shed: 9 }))!);
    metrics.ingest('gate-2', parseEmfLine(classLine(0, 'low', { Requests: 990, Shed: 0 }))!);
    const evaluator = new AlarmEvaluator({
      config: {
        saleName: 's',
        alarms: [alarm({ periodSeconds: 1, evaluationPeriods: 1, datapointsToAlarm: 1, threshold: 0.05 })],
      },
      metrics,
      startMs: START_MS,
      settleMs: 0,
    });
    const [state] = evaluator.evaluate(START_MS + 1000).states;
    expect(state!.datapoints).toEqual([9 / 1000]);
    expect(state!.state).toBe('OK');
  });

  it.each([
    { metric: 'alb-p99-latency-ms', values: { Requests: 100, Served: 90, LatencyP99: 950 }, expected: 950 },
    { metric: 'gate-queue-delay-ms', values: { Requests: 100, QueueDelayMax: 120 }, expected: 120 },
  ] as { metric: AlarmConfig['metric']; values: Record<string, number>; expected: number }[])(
    'computes $metric from the gate metrics',
    ({ metric, values, expected }) => {
      const metrics = new FleetMetrics();
      metrics.ingest('gate-1', parseEmfLine(classLine(0, 'high', values))!);
      const evaluator = new AlarmEvaluator({
        config: {
          saleName: 's',
          alarms: [alarm({ metric, periodSeconds: 1, evaluationPeriods: 1, datapointsToAlarm: 1 })],
        },
        metrics,
        startMs: START_MS,
        settleMs: 0,
      });
      expect(evaluator.evaluate(START_MS + 1000).states[0]!.datapoints).toEqual([expected]);
    },
  );

  it('computes a dependency failure rate from that dependency only', () => {
    const metrics = new FleetMetrics();
    const dependencyLine = (dependency: string, calls: number, failures: number) =>
      formatEmfLine({
        namespace: GATE_NAMESPACE,
        timestampMs: START_MS + 100,
        dimensions: { Sale: 's', Dependency: dependency },
        metrics: [
          { name: 'DependencyCalls', unit: 'Count', value: calls },
          { name: 'DependencyFailures', unit: 'Count', value: failures },
        ],
      });
    metrics.ingest('gate-1', parseEmfLine(dependencyLine('payments', 10, 6))!);
    metrics.ingest('gate-1', parseEmfLine(dependencyLine('inventory', 10, 0))!);
    const evaluator = new AlarmEvaluator({
      config: {
        saleName: 's',
        alarms: [
          alarm({
            metric: 'gate-dependency-failure-rate',
            dependency: 'payments',
            threshold: 0.5,
            periodSeconds: 1,
            evaluationPeriods: 1,
            datapointsToAlarm: 1,
          }),
        ],
      },
      metrics,
      startMs: START_MS,
      settleMs: 0,
    });
    expect(evaluator.evaluate(START_MS + 1000).states[0]).toMatchObject({ state: 'ALARM', datapoints: [0.6] });
  });

  it('leaves resource alarms without data INSUFFICIENT_DATA', () => {
    const metrics = new FleetMetrics();
    feedShed(metrics, [0, 0, 0]);
    const evaluator = new AlarmEvaluator({
      config: { saleName: 's', alarms: [alarm({ metric: 'cache-memory-percent', threshold: 80, periodSeconds: 1 })] },
      metrics,
      startMs: START_MS,
      settleMs: 0,
    });
    expect(evaluator.evaluate(START_MS + 3000).states[0]!.state).toBe('INSUFFICIENT_DATA');
    metrics.recordResources(START_MS / 1000 + 3, { cacheMemoryPercent: 95 });
    metrics.recordResources(START_MS / 1000 + 4, { cacheMemoryPercent: 95 });
    expect(evaluator.evaluate(START_MS + 5000).states[0]!.state).toBe('ALARM');
  });
});
