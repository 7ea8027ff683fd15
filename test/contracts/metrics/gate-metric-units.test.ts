/**
 * The units in contracts/metrics are the units the gate publishes: every metric of a flushed
 * record carries the unit the contract gives its name.
 */
import { DELIBERATE_REFUSALS_METRIC, DELIBERATE_REFUSALS_METRIC_UNIT } from '../../../contracts/metrics/alarm-metrics';
import {
  GATE_CLASS_METRICS,
  GATE_DEPENDENCY_METRICS,
  GATE_METRIC_UNITS,
  GATE_PROCESS_METRICS,
} from '../../../contracts/metrics/gate-metrics';
import { createGateMetricsRecorder } from '../../../gate/proxy/gate-metrics-recorder';

function contractUnits(): Map<string, string> {
  const units = new Map<string, string>([[DELIBERATE_REFUSALS_METRIC, DELIBERATE_REFUSALS_METRIC_UNIT]]);
  const add = <K extends string>(names: Record<K, string>, unitsOf: Record<K, string>) => {
    for (const key of Object.keys(names) as K[]) units.set(names[key], unitsOf[key]);
  };
  add(GATE_CLASS_METRICS, GATE_METRIC_UNITS.class);
  add(GATE_PROCESS_METRICS, GATE_METRIC_UNITS.process);
  add(GATE_DEPENDENCY_METRICS, GATE_METRIC_UNITS.dependency);
  return units;
}

it('gives every metric the gate publishes the unit the contract states', () => {
  const recorder = createGateMetricsRecorder({
    saleName: 'units',
    dependencies: ['payments'],
    gauges: () => ({
      concurrencyLimit: 8,
      inFlight: 1,
      redisFallback: false,
      flagsLevel: 0,
      flagsVersion: 1,
      flagsKeyMissing: true,
    }),
    startedAt: new Date(0),
  });
  recorder.count('critical', 'served');
  recorder.servedLatency('critical', 5);
  recorder.queueDelay('critical', 1);
  const published = recorder
    .flush(1_000)
    .map((line) => JSON.parse(line) as { _aws: { CloudWatchMetrics: { Metrics: { Name: string; Unit: string }[] }[] } })
    .flatMap((record) => record._aws.CloudWatchMetrics.flatMap((directive) => directive.Metrics));
  const units = contractUnits();
  expect(published.length).toBeGreaterThan(0);
  expect(published.map(({ Name, Unit }) => [Name, Unit])).toEqual(published.map(({ Name }) => [Name, units.get(Name)]));
  expect(new Set(published.map((m) => m.Name))).toEqual(new Set(units.keys()));
});
