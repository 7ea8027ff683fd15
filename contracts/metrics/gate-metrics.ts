/**
 * The gate's metric vocabulary, shared by the gate (emits them as CloudWatch Embedded Metric Format
 * on stdout), the CDK alarms and dashboard (read them from CloudWatch) and the rehearsal (reads the
 * same EMF lines from the gates' stdout).
 */
export const GATE_NAMESPACE = 'Saleday/Gate';

/** Dimension names. Every record has `Sale`; per-class records add `PriorityClass`, per-dependency ones `Dependency`. */
export const GATE_DIMENSIONS = { sale: 'Sale', priorityClass: 'PriorityClass', dependency: 'Dependency' } as const;

/** Counts per priority class per second (Unit Count, StorageResolution 1). */
export const GATE_CLASS_METRICS = {
  requests: 'Requests', // every request classified into the class
  served: 'Served', // proxied and answered by the app (any status)
  shed: 'Shed', // refused by overload: queue full or queue timeout (503)
  degraded: 'Degraded', // refused or answered with a fallback because of the degradation level
  limited: 'Limited', // refused by a rate limit (429)
  shortCircuited: 'ShortCircuited', // refused because a breaker of a dependency is open (503)
  upstreamErrors: 'UpstreamErrors', // app answered 5xx, timed out or could not be reached
  speculativeDiscarded: 'SpeculativeDiscarded', // reads the app answered speculatively, then refused by the rate limit (also in Limited)
  queueDelayMax: 'QueueDelayMax', // ms, highest queue wait in the second
  latencyP99: 'LatencyP99', // ms, gate-measured p99 of served requests in the second
} as const;

/** Per-process gauges (dimension Sale only). */
export const GATE_PROCESS_METRICS = {
  concurrencyLimit: 'ConcurrencyLimit',
  inFlight: 'InFlight',
  redisFallback: 'RedisFallback', // 1 while rate limits are decided locally because Redis is unreachable
  flagsLevel: 'FlagsLevel',
  flagsVersion: 'FlagsVersion',
  flagsKeyMissing: 'FlagsKeyMissing', // 1 while the flags key has been missing from Redis for more than a few polls
} as const;

/** Per-dependency counts (dimension Sale + Dependency). */
export const GATE_DEPENDENCY_METRICS = {
  calls: 'DependencyCalls',
  failures: 'DependencyFailures',
} as const;

/** CloudWatch unit of each metric as the gate publishes it (per class, per process, per dependency). */
export const GATE_METRIC_UNITS = {
  class: {
    requests: 'Count',
    served: 'Count',
    shed: 'Count',
    degraded: 'Count',
    limited: 'Count',
    shortCircuited: 'Count',
    upstreamErrors: 'Count',
    speculativeDiscarded: 'Count',
    queueDelayMax: 'Milliseconds',
    latencyP99: 'Milliseconds',
  },
  process: {
    concurrencyLimit: 'Count',
    inFlight: 'Count',
    redisFallback: 'None',
    flagsLevel: 'None',
    flagsVersion: 'None',
    flagsKeyMissing: 'None',
  },
  dependency: { calls: 'Count', failures: 'Count' },
} as const satisfies {
  class: Record<keyof typeof GATE_CLASS_METRICS, string>;
  process: Record<keyof typeof GATE_PROCESS_METRICS, string>;
  dependency: Record<keyof typeof GATE_DEPENDENCY_METRICS, string>;
};

/** Response header naming what the gate did with a request; the rehearsal and load test count by it. */
export const OUTCOME_HEADER = 'saleday-outcome';
export type GateOutcome =
  'served' | 'shed' | 'degraded' | 'fallback' | 'limited' | 'short-circuited' | 'upstream-error' | 'bad-request';
