/**
 * The controller's metrics, in CloudWatch Embedded Metric Format through Powertools: the
 * effective degradation level, and whether each dependency's breaker is open (one series per
 * dependency, so an alarm or a dashboard can watch a single one), plus how many are open.
 */
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { FlagsDocument } from '../../contracts/flags/flags-document';

export const CONTROLLER_METRICS_NAMESPACE = 'Saleday/Controller';
export const CONTROLLER_METRIC_NAMES = { degradationLevel: 'DegradationLevel', breakerOpen: 'BreakerOpen', openBreakers: 'OpenBreakers' } as const;

/**
 * Adds DegradationLevel and OpenBreakers to `metrics` (published with the invocation's other
 * metrics) and emits one BreakerOpen (0/1) per dependency with the dimension Dependency.
 * `dependencies` are those the config knows, so a closed breaker reports 0 rather than nothing.
 */
export function recordFlagMetrics(metrics: Metrics, doc: FlagsDocument, dependencies: readonly string[]): void {
  metrics.addMetric(CONTROLLER_METRIC_NAMES.degradationLevel, MetricUnit.Count, doc.level);
  const all = new Set([...dependencies, ...Object.keys(doc.breakers)]);
  let open = 0;
  for (const dependency of [...all].sort()) {
    const isOpen = doc.breakers[dependency]?.open === true;
    if (isOpen) open += 1;
    const single = metrics.singleMetric();
    single.addDimension('Dependency', dependency);
    single.addMetric(CONTROLLER_METRIC_NAMES.breakerOpen, MetricUnit.Count, isOpen ? 1 : 0);
  }
  metrics.addMetric(CONTROLLER_METRIC_NAMES.openBreakers, MetricUnit.Count, open);
}
