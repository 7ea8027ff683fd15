/**
 * The controller's metrics, in CloudWatch Embedded Metric Format through Powertools: the
 * effective degradation level, and whether each dependency's breaker is open (one series per
 * dependency, so an alarm or a dashboard can watch a single one), plus how many are open.
 */
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { FlagsDocument } from '../../contracts/flags/flags-document';
import {
  CONTROLLER_DEPENDENCY_DIMENSION,
  CONTROLLER_METRIC_NAMES,
  CONTROLLER_METRIC_UNIT,
} from '../../contracts/metrics/controller-metrics';

/**
 * Adds DegradationLevel and OpenBreakers to `metrics` (published with the invocation's other
 * metrics) and emits one BreakerOpen (0/1) per dependency with the dimension Dependency.
 * `dependencies` are those the config knows, so a closed breaker reports 0 rather than nothing.
 */
export function recordFlagMetrics(metrics: Metrics, doc: FlagsDocument, dependencies: readonly string[]): void {
  metrics.addMetric(CONTROLLER_METRIC_NAMES.degradationLevel, CONTROLLER_METRIC_UNIT, doc.level);
  const all = new Set([...dependencies, ...Object.keys(doc.breakers)]);
  let open = 0;
  for (const dependency of [...all].sort()) {
    const isOpen = doc.breakers[dependency]?.open === true;
    if (isOpen) open += 1;
    const single = metrics.singleMetric();
    single.addDimension(CONTROLLER_DEPENDENCY_DIMENSION, dependency);
    single.addMetric(CONTROLLER_METRIC_NAMES.breakerOpen, CONTROLLER_METRIC_UNIT, isOpen ? 1 : 0);
  }
  metrics.addMetric(CONTROLLER_METRIC_NAMES.openBreakers, CONTROLLER_METRIC_UNIT, open);
}
