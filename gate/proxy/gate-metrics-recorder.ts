/**
 * The gate's counters: per priority class, per dependency and per outcome. Every second `flush()`
 * turns the second's counts into CloudWatch EMF lines (one per class, one for the process, one per
 * dependency); `snapshot()` gives the totals since start for GET /_gate/metrics.
 */
import { DELIBERATE_REFUSALS_METRIC } from '../../contracts/metrics/alarm-metrics';
import { PRIORITY_CLASSES, type PriorityClass } from '../../contracts/config/schema';
import {
  GATE_CLASS_METRICS,
  GATE_DEPENDENCY_METRICS,
  GATE_DIMENSIONS,
  GATE_NAMESPACE,
  GATE_PROCESS_METRICS,
  type GateOutcome,
} from '../../contracts/metrics/gate-metrics';
import { FLAGS_KEY_MISSING_METRIC } from '../../contracts/flags/flags-key-missing';
import { emfRecord, type EmfMetric } from './emf-record';

export type ClassCounter = 'requests' | 'served' | 'shed' | 'degraded' | 'limited' | 'shortCircuited' | 'upstreamErrors' | 'speculativeDiscarded';
const CLASS_COUNTERS: readonly ClassCounter[] = ['requests', 'served', 'shed', 'degraded', 'limited', 'shortCircuited', 'upstreamErrors', 'speculativeDiscarded'];

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

const zeroCounts = (): ClassCounts => ({ requests: 0, served: 0, shed: 0, degraded: 0, limited: 0, shortCircuited: 0, upstreamErrors: 0, speculativeDiscarded: 0 });

interface ClassWindow {
  counts: ClassCounts;
  queueDelayMax: number;
  latency: LatencySamples;
}

/**
 * One second of latencies, kept raw and sorted once at flush: a store per request is cheaper than
 * a histogram update on the hot path. Past `capacity` samples it keeps every n-th one (reservoir
 * by stride), which leaves the p99 of a second with tens of thousands of requests intact.
 */
class LatencySamples {
  private readonly values: Float64Array;
  private count = 0;
  private seen = 0;
  constructor(private readonly capacity = 32_768) {
    this.values = new Float64Array(capacity);
  }
  record(value: number): void {
    this.seen += 1;
    if (this.count < this.capacity) this.values[this.count++] = value;
    else this.values[this.seen % this.capacity] = value;
  }
  get size(): number {
    return this.seen;
  }
  percentile(p: number): number {
    const sorted = this.values.slice(0, this.count).sort();
    return sorted[Math.min(this.count - 1, Math.max(0, Math.ceil((p / 100) * this.count) - 1))];
  }
  reset(): void {
    this.count = 0;
    this.seen = 0;
  }
}

export function createGateMetricsRecorder(options: {
  saleName: string;
  dependencies: readonly string[];
  gauges: () => ProcessGauges;
  startedAt: Date;
  /** Properties added to every record (not dimensions), e.g. which gate wrote it. */
  properties?: Record<string, unknown>;
}): GateMetricsRecorder {
  const totals = Object.fromEntries(PRIORITY_CLASSES.map((c) => [c, zeroCounts()])) as Record<PriorityClass, ClassCounts>;
  const windows = Object.fromEntries(
    PRIORITY_CLASSES.map((c) => [c, { counts: zeroCounts(), queueDelayMax: 0, latency: new LatencySamples() }]),
  ) as Record<PriorityClass, ClassWindow>;
  const outcomes: Record<GateOutcome, number> = { served: 0, shed: 0, degraded: 0, fallback: 0, limited: 0, 'short-circuited': 0, 'upstream-error': 0, 'bad-request': 0 };
  const dependencyTotals = new Map<string, { calls: number; failures: number }>();
  const dependencyWindow = new Map<string, { calls: number; failures: number }>();
  for (const name of options.dependencies) {
    dependencyTotals.set(name, { calls: 0, failures: 0 });
    dependencyWindow.set(name, { calls: 0, failures: 0 });
  }
  const rateLimitSources: Record<string, number> = {};
  const deliberate = { total: 0, window: 0 };
  const sale = { [GATE_DIMENSIONS.sale]: options.saleName };

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
    flush(timestampMs) {
      const lines: string[] = [];
      const properties = options.properties;
      for (const priority of PRIORITY_CLASSES) {
        const window = windows[priority];
        const metrics: EmfMetric[] = CLASS_COUNTERS.map((counter) => ({ name: GATE_CLASS_METRICS[counter], unit: 'Count', value: window.counts[counter] }));
        metrics.push({ name: GATE_CLASS_METRICS.queueDelayMax, unit: 'Milliseconds', value: Math.round(window.queueDelayMax * 10) / 10 });
        // No served request, no latency: an invented 0 would drag the p99 alarm's statistics down.
        if (window.latency.size > 0) {
          metrics.push({ name: GATE_CLASS_METRICS.latencyP99, unit: 'Milliseconds', value: Math.round(window.latency.percentile(99) * 100) / 100 });
        }
        lines.push(emfRecord({ namespace: GATE_NAMESPACE, timestampMs, dimensions: { ...sale, [GATE_DIMENSIONS.priorityClass]: priority }, metrics, properties }));
        window.counts = zeroCounts();
        window.queueDelayMax = 0;
        window.latency.reset();
      }
      const gauges = options.gauges();
      lines.push(
        emfRecord({
          namespace: GATE_NAMESPACE,
          timestampMs,
          dimensions: { ...sale },
          metrics: [
            { name: GATE_PROCESS_METRICS.concurrencyLimit, unit: 'Count', value: gauges.concurrencyLimit },
            { name: GATE_PROCESS_METRICS.inFlight, unit: 'Count', value: gauges.inFlight },
            { name: GATE_PROCESS_METRICS.redisFallback, unit: 'None', value: gauges.redisFallback ? 1 : 0 },
            { name: GATE_PROCESS_METRICS.flagsLevel, unit: 'None', value: gauges.flagsLevel },
            { name: GATE_PROCESS_METRICS.flagsVersion, unit: 'None', value: gauges.flagsVersion },
            { name: DELIBERATE_REFUSALS_METRIC, unit: 'Count', value: deliberate.window },
            ...(gauges.flagsKeyMissing === undefined ? [] : [{ name: FLAGS_KEY_MISSING_METRIC, unit: 'None' as const, value: gauges.flagsKeyMissing ? 1 : 0 }]),
          ],
          properties,
        }),
      );
      deliberate.window = 0;
      for (const [dependency, window] of dependencyWindow) {
        lines.push(
          emfRecord({
            namespace: GATE_NAMESPACE,
            timestampMs,
            dimensions: { ...sale, [GATE_DIMENSIONS.dependency]: dependency },
            metrics: [
              { name: GATE_DEPENDENCY_METRICS.calls, unit: 'Count', value: window.calls },
              { name: GATE_DEPENDENCY_METRICS.failures, unit: 'Count', value: window.failures },
            ],
            properties,
          }),
        );
        window.calls = 0;
        window.failures = 0;
      }
      return lines;
    },
    snapshot() {
      return {
        since: options.startedAt.toISOString(),
        classes: Object.fromEntries(PRIORITY_CLASSES.map((c) => [c, { ...totals[c] }])) as Record<PriorityClass, ClassCounts>,
        outcomes: { ...outcomes },
        dependencies: Object.fromEntries([...dependencyTotals].map(([name, v]) => [name, { ...v }])),
        rateLimitSources: { ...rateLimitSources },
        deliberateRefusals: deliberate.total,
        process: options.gauges(),
      };
    },
  };
}

function countCall(map: Map<string, { calls: number; failures: number }>, dependency: string, failed: boolean): void {
  let entry = map.get(dependency);
  if (!entry) map.set(dependency, (entry = { calls: 0, failures: 0 }));
  entry.calls += 1;
  if (failed) entry.failures += 1;
}
