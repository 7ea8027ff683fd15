/**
 * The gate's counters: per priority class, per dependency and per outcome. Every second `flush()`
 * turns the second's counts into CloudWatch EMF lines (one per class, one for the process, one per
 * dependency); `snapshot()` gives the totals since start for GET /_gate/metrics.
 */
import { DELIBERATE_REFUSALS_METRIC } from '../../contracts/metrics/alarm-metrics';
import { PRIORITY_CLASSES, type PriorityClass } from '../../contracts/priority-classes';
import {
  GATE_CLASS_METRICS,
  GATE_DEPENDENCY_METRICS,
  GATE_DIMENSIONS,
  GATE_NAMESPACE,
  GATE_PROCESS_METRICS,
  type GateOutcome,
} from '../../contracts/metrics/gate-metrics';
import { FLAGS_KEY_MISSING_METRIC } from '../../contracts/flags/flags-key-missing';
import { formatEmfLine, type EmfMetric } from './emf-line-writer';
import { LatencySamples } from './latency-samples';

export type ClassCounter =
  | 'requests'
  | 'served'
  | 'shed'
  | 'degraded'
  | 'limited'
  | 'shortCircuited'
  | 'upstreamErrors'
  | 'speculativeDiscarded';
const CLASS_COUNTERS: readonly ClassCounter[] = [
  'requests',
  'served',
  'shed',
  'degraded',
  'limited',
  'shortCircuited',
  'upstreamErrors',
  'speculativeDiscarded',
];

export interface ProcessGauges {
  concurrencyLimit: number;
  inFlight: number;
  redisFallback: boolean;
  flagsLevel: number;
  flagsVersion: number;
  /** The flags key has been missing from Redis for more than the allowed polls (always false on in-process flags). */
  flagsKeyMissing?: boolean;
}

export type ClassCounts = Record<ClassCounter, number>;

export interface GateMetricsSnapshot {
  since: string;
  classes: Record<PriorityClass, ClassCounts>;
  outcomes: Record<GateOutcome, number>;
  dependencies: Record<string, { calls: number; failures: number }>;
  rateLimitSources: Record<string, number>;
  /** 5xx answers given on the controller's orders (level sheds, open breakers) since start. */
  deliberateRefusals: number;
  process: ProcessGauges;
}

export interface GateMetricsRecorder {
  count(priority: PriorityClass, counter: ClassCounter): void;
  servedLatency(priority: PriorityClass, latencyMs: number): void;
  queueDelay(priority: PriorityClass, delayMs: number): void;
  outcome(outcome: GateOutcome): void;
  dependencyCall(dependency: string, failed: boolean): void;
  rateLimitSource(source: string): void;
  /** A 5xx answer the gate gave on the controller's orders (see contracts/metrics/alarm-metrics.ts). */
  deliberateRefusal(): void;
  /** EMF lines for everything counted since the previous flush; resets the per-second window. */
  flush(timestampMs: number): string[];
  snapshot(): GateMetricsSnapshot;
}

const zeroCounts = (): ClassCounts => ({
  requests: 0,
  served: 0,
  shed: 0,
  degraded: 0,
  limited: 0,
  shortCircuited: 0,
  upstreamErrors: 0,
  speculativeDiscarded: 0,
});

interface ClassWindow {
  counts: ClassCounts;
  queueDelayMax: number;
  latency: LatencySamples;
}

export interface GateMetricsRecorderOptions {
  saleName: string;
  dependencies: readonly string[];
  gauges: () => ProcessGauges;
  startedAt: Date;
  /** Properties added to every record (not dimensions), e.g. which gate wrote it. */
  properties?: Record<string, unknown>;
}

interface CallCounts {
  calls: number;
  failures: number;
}

/** Everything the recorder counts: totals since start, and the window since the last flush. */
interface RecorderCounts {
  totals: Record<PriorityClass, ClassCounts>;
  windows: Record<PriorityClass, ClassWindow>;
  outcomes: Record<GateOutcome, number>;
  dependencyTotals: Map<string, CallCounts>;
  dependencyWindow: Map<string, CallCounts>;
  rateLimitSources: Record<string, number>;
  deliberate: { total: number; window: number };
}

export function createGateMetricsRecorder(options: GateMetricsRecorderOptions): GateMetricsRecorder {
  const counts = emptyCounts(options.dependencies);
  const { totals, windows, outcomes, dependencyTotals, dependencyWindow, rateLimitSources, deliberate } = counts;
  return {
    count(priority, counter) {
      totals[priority][counter] += 1;
      windows[priority].counts[counter] += 1;
    },
    servedLatency(priority, latencyMs) {
      windows[priority].latency.record(latencyMs);
    },
    queueDelay(priority, delayMs) {
      if (delayMs > windows[priority].queueDelayMax) windows[priority].queueDelayMax = delayMs;
    },
    outcome(outcome) {
      outcomes[outcome] += 1;
    },
    dependencyCall(dependency, failed) {
      countCall(dependencyTotals, dependency, failed);
      countCall(dependencyWindow, dependency, failed);
    },
    rateLimitSource(source) {
      rateLimitSources[source] = (rateLimitSources[source] ?? 0) + 1;
    },
    deliberateRefusal() {
      deliberate.total += 1;
      deliberate.window += 1;
    },
    flush: (timestampMs) => flushWindow(counts, options, timestampMs),
    snapshot: () => snapshotOf(counts, options),
  };
}

function emptyCounts(dependencies: readonly string[]): RecorderCounts {
  const counts: RecorderCounts = {
    totals: Object.fromEntries(PRIORITY_CLASSES.map((c) => [c, zeroCounts()])) as Record<PriorityClass, ClassCounts>,
    windows: Object.fromEntries(
      PRIORITY_CLASSES.map((c) => [c, { counts: zeroCounts(), queueDelayMax: 0, latency: new LatencySamples() }]),
    ) as Record<PriorityClass, ClassWindow>,
    outcomes: {
      served: 0,
      shed: 0,
      degraded: 0,
      fallback: 0,
      limited: 0,
      'short-circuited': 0,
      'upstream-error': 0,
      'bad-request': 0,
    },
    dependencyTotals: new Map(),
    dependencyWindow: new Map(),
    rateLimitSources: {},
    deliberate: { total: 0, window: 0 },
  };
  for (const name of dependencies) {
    counts.dependencyTotals.set(name, { calls: 0, failures: 0 });
    counts.dependencyWindow.set(name, { calls: 0, failures: 0 });
  }
  return counts;
}

/** EMF lines for the window (one per class, one for the process, one per dependency), then a fresh window. */
function flushWindow(counts: RecorderCounts, options: GateMetricsRecorderOptions, timestampMs: number): string[] {
  const sale = { [GATE_DIMENSIONS.sale]: options.saleName };
  const line = (dimensions: Record<string, string>, metrics: EmfMetric[]) =>
    formatEmfLine({ namespace: GATE_NAMESPACE, timestampMs, dimensions, metrics, properties: options.properties });
  const lines: string[] = [];
  for (const priority of PRIORITY_CLASSES) {
    const window = counts.windows[priority];
    lines.push(line({ ...sale, [GATE_DIMENSIONS.priorityClass]: priority }, classMetrics(window)));
    window.counts = zeroCounts();
    window.queueDelayMax = 0;
    window.latency.reset();
  }
  lines.push(line({ ...sale }, processMetrics(options.gauges(), counts.deliberate.window)));
  counts.deliberate.window = 0;
  for (const [dependency, window] of counts.dependencyWindow) {
    lines.push(
      line({ ...sale, [GATE_DIMENSIONS.dependency]: dependency }, [
        { name: GATE_DEPENDENCY_METRICS.calls, unit: 'Count', value: window.calls },
        { name: GATE_DEPENDENCY_METRICS.failures, unit: 'Count', value: window.failures },
      ]),
    );
    window.calls = 0;
    window.failures = 0;
  }
  return lines;
}

function classMetrics(window: ClassWindow): EmfMetric[] {
  const metrics: EmfMetric[] = CLASS_COUNTERS.map((counter) => ({
    name: GATE_CLASS_METRICS[counter],
    unit: 'Count',
    value: window.counts[counter],
  }));
  metrics.push({
    name: GATE_CLASS_METRICS.queueDelayMax,
    unit: 'Milliseconds',
    value: Math.round(window.queueDelayMax * 10) / 10,
  });
  // No served request, no latency: an invented 0 would drag the p99 alarm's statistics down.
  if (window.latency.size > 0) {
    metrics.push({
      name: GATE_CLASS_METRICS.latencyP99,
      unit: 'Milliseconds',
      value: Math.round(window.latency.percentile(99) * 100) / 100,
    });
  }
  return metrics;
}

function processMetrics(gauges: ProcessGauges, deliberateRefusals: number): EmfMetric[] {
  return [
    { name: GATE_PROCESS_METRICS.concurrencyLimit, unit: 'Count', value: gauges.concurrencyLimit },
    { name: GATE_PROCESS_METRICS.inFlight, unit: 'Count', value: gauges.inFlight },
    { name: GATE_PROCESS_METRICS.redisFallback, unit: 'None', value: gauges.redisFallback ? 1 : 0 },
    { name: GATE_PROCESS_METRICS.flagsLevel, unit: 'None', value: gauges.flagsLevel },
    { name: GATE_PROCESS_METRICS.flagsVersion, unit: 'None', value: gauges.flagsVersion },
    { name: DELIBERATE_REFUSALS_METRIC, unit: 'Count', value: deliberateRefusals },
    ...(gauges.flagsKeyMissing === undefined
      ? []
      : [{ name: FLAGS_KEY_MISSING_METRIC, unit: 'None' as const, value: gauges.flagsKeyMissing ? 1 : 0 }]),
  ];
}

function snapshotOf(counts: RecorderCounts, options: GateMetricsRecorderOptions): GateMetricsSnapshot {
  return {
    since: options.startedAt.toISOString(),
    classes: Object.fromEntries(PRIORITY_CLASSES.map((c) => [c, { ...counts.totals[c] }])) as Record<
      PriorityClass,
      ClassCounts
    >,
    outcomes: { ...counts.outcomes },
    dependencies: Object.fromEntries([...counts.dependencyTotals].map(([name, v]) => [name, { ...v }])),
    rateLimitSources: { ...counts.rateLimitSources },
    deliberateRefusals: counts.deliberate.total,
    process: options.gauges(),
  };
}

function countCall(map: Map<string, CallCounts>, dependency: string, failed: boolean): void {
  let entry = map.get(dependency);
  if (!entry) map.set(dependency, (entry = { calls: 0, failures: 0 }));
  entry.calls += 1;
  if (failed) entry.failures += 1;
}
