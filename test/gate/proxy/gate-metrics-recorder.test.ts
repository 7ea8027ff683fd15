import { GATE_NAMESPACE } from '../../../contracts/metrics/gate-metrics';
import { createGateMetricsRecorder, type ProcessGauges } from '../../../gate/proxy/gate-metrics-recorder';

describe('createGateMetricsRecorder', () => {
  const gauges: ProcessGauges = {
    concurrencyLimit: 64,
    inFlight: 3,
    redisFallback: true,
    flagsLevel: 2,
    flagsVersion: 9,
  };
  const make = () =>
    createGateMetricsRecorder({
      saleName: 'winter-flash',
      dependencies: ['inventory', 'payments'],
      gauges: () => gauges,
      startedAt: new Date(0),
      properties: { Gate: 'g1' },
    });

  it('writes one EMF record per class, one for the process and one per dependency, then starts a new second', () => {
    const recorder = make();
    recorder.count('critical', 'requests');
    recorder.count('critical', 'served');
    recorder.servedLatency('critical', 12.3);
    recorder.queueDelay('critical', 4);
    recorder.queueDelay('critical', 2);
    recorder.count('low', 'requests');
    recorder.count('low', 'shed');
    recorder.dependencyCall('payments', true);
    recorder.dependencyCall('payments', false);
    const lines = recorder.flush(1_700_000_000_500).map((l) => JSON.parse(l));
    expect(lines).toHaveLength(4 + 1 + 2);
    const critical = lines.find((l) => l.PriorityClass === 'critical');
    expect(critical._aws).toEqual({
      Timestamp: 1_700_000_000_500,
      CloudWatchMetrics: [
        {
          Namespace: GATE_NAMESPACE,
          Dimensions: [['Sale', 'PriorityClass']],
          Metrics: expect.arrayContaining([
            { Name: 'Requests', Unit: 'Count', StorageResolution: 1 },
            { Name: 'LatencyP99', Unit: 'Milliseconds', StorageResolution: 1 },
            { Name: 'QueueDelayMax', Unit: 'Milliseconds', StorageResolution: 1 },
          ]),
        },
      ],
    });
    expect(critical).toMatchObject({
      Sale: 'winter-flash',
      Gate: 'g1',
      Requests: 1,
      Served: 1,
      Shed: 0,
      QueueDelayMax: 4,
    });
    expect(critical.LatencyP99).toBeCloseTo(12.3, 0);
    const low = lines.find((l) => l.PriorityClass === 'low');
    expect(low).toMatchObject({ Requests: 1, Shed: 1 });
    expect(low.LatencyP99).toBeUndefined(); // nothing served, no invented latency
    const process = lines.find((l) => l.ConcurrencyLimit !== undefined);
    expect(process).toMatchObject({
      ConcurrencyLimit: 64,
      InFlight: 3,
      RedisFallback: 1,
      FlagsLevel: 2,
      FlagsVersion: 9,
    });
    expect(process._aws.CloudWatchMetrics[0].Dimensions).toEqual([['Sale']]);
    expect(lines.find((l) => l.Dependency === 'payments')).toMatchObject({ DependencyCalls: 2, DependencyFailures: 1 });
    expect(lines.find((l) => l.Dependency === 'inventory')).toMatchObject({
      DependencyCalls: 0,
      DependencyFailures: 0,
    });

    const next = recorder.flush(1_700_000_001_500).map((l) => JSON.parse(l));
    expect(next.find((l) => l.PriorityClass === 'critical')).toMatchObject({
      Requests: 0,
      Served: 0,
      QueueDelayMax: 0,
    });
    expect(recorder.snapshot().classes.critical).toMatchObject({ requests: 1, served: 1 });
    expect(recorder.snapshot().dependencies.payments).toEqual({ calls: 2, failures: 1 });
  });

  it('puts FlagsKeyMissing in the process record when the gate reads its flags from Redis', () => {
    const withFlagsKey = (missing: boolean) =>
      createGateMetricsRecorder({
        saleName: 'winter-flash',
        dependencies: [],
        gauges: () => ({ ...gauges, flagsKeyMissing: missing }),
        startedAt: new Date(0),
        properties: {},
      })
        .flush(1_700_000_000_500)
        .map((l) => JSON.parse(l))
        .find((l) => 'FlagsVersion' in l);
    expect(withFlagsKey(true)).toMatchObject({ FlagsKeyMissing: 1 });
    expect(withFlagsKey(false)).toMatchObject({ FlagsKeyMissing: 0 });
    expect(
      make()
        .flush(1_700_000_000_500)
        .map((l) => JSON.parse(l))
        .find((l) => 'FlagsVersion' in l).FlagsKeyMissing,
    ).toBeUndefined();
  });
});
