/**
 * The flag controller's metric vocabulary, shared by the controller (publishes them in CloudWatch
 * Embedded Metric Format through Powertools) and the CDK alarms, dashboard and IAM policy (read
 * them, and allow PutMetricData in this namespace only). Imports nothing outside contracts/
 */
import { GATE_DIMENSIONS } from './gate-metrics';

export const CONTROLLER_METRICS_NAMESPACE = 'Saleday/Controller';

/** Every controller metric is a count (CloudWatch unit `Count`). */
export const CONTROLLER_METRIC_UNIT = 'Count';

export const CONTROLLER_METRIC_NAMES = {
  /** The effective degradation level (0 when nothing is shed). */
  degradationLevel: 'DegradationLevel',
  /** 1 while a dependency's breaker is open, 0 otherwise; one series per dependency. */
  breakerOpen: 'BreakerOpen',
  /** How many breakers are open. */
  openBreakers: 'OpenBreakers',
} as const;

/** The controller's Powertools service name (its logs and the `service` metric dimension). */
export const CONTROLLER_SERVICE_NAME = 'saleday-flag-controller';

/** Powertools adds the dimension `service` to every controller metric; the controller adds `Sale`. */
export const CONTROLLER_SERVICE_DIMENSION = { service: CONTROLLER_SERVICE_NAME } as const;

/** Dimension of BreakerOpen naming the dependency: the same name the gate's per-dependency records use. */
export const CONTROLLER_DEPENDENCY_DIMENSION = GATE_DIMENSIONS.dependency;
