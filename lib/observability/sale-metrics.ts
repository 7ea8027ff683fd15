/**
 * Every CloudWatch metric of a sale, defined once and shared by the alarms and the dashboard, so
 * what pages the on-call is exactly what they see on the dashboard.
 *
 * Gate metrics come from the gate's EMF records (namespace Saleday/Gate): per-class counts carry the
 * dimensions Sale + PriorityClass, so sale-wide figures add the classes up (FILL(…, 0), because a
 * class with no traffic publishes nothing). High-resolution periods (10 s, 30 s) are only valid for
 * those metrics; the config schema enforces that.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { EDGE_REGION } from '../../contracts/edge-region';
import { DELIBERATE_REFUSALS_METRIC } from '../../contracts/metrics/alarm-metrics';
import {
  CONTROLLER_DEPENDENCY_DIMENSION,
  CONTROLLER_METRIC_NAMES,
  CONTROLLER_METRICS_NAMESPACE,
  CONTROLLER_SERVICE_DIMENSION,
} from '../../contracts/metrics/controller-metrics';
import {
  GATE_CLASS_METRICS,
  GATE_DEPENDENCY_METRICS,
  GATE_DIMENSIONS,
  GATE_NAMESPACE,
  GATE_PROCESS_METRICS,
} from '../../contracts/metrics/gate-metrics';
import type { AlarmConfig, SaledayConfig } from '../../contracts/config/schema';
import {
  RATIO_ALARM_MATH,
  ratioMetricMath,
  type AlarmCount,
  type RatioAlarmMetric,
} from '../../contracts/metrics/alarm-math';
import { PRIORITY_CLASSES, type PriorityClass } from '../../contracts/priority-classes';

/** CloudFront and CLOUDFRONT-scope WAF metrics exist only in us-east-1. */
export const EDGE_METRICS_REGION = EDGE_REGION;

export interface SaleMetricsProps {
  /** The sale's name: the `Sale` dimension of the gate's and the controller's metrics. */
  readonly config: Pick<SaledayConfig, 'saleName'>;
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  readonly cluster: ecs.ICluster;
  readonly service: ecs.FargateService;
  /** ElastiCache node ids (`<replication group>-00N`); any of them may be primary after a failover. */
  readonly cacheNodeIds: readonly string[];
  readonly distributionId: string;
  readonly edgeWebAclName: string;
  readonly edgeRuleNames: readonly string[];
  readonly controllerFunction: lambda.IFunction;
}

const ONE_MINUTE = Duration.minutes(1);

export class SaleMetrics {
  constructor(private readonly props: SaleMetricsProps) {}

  // ---- edge (us-east-1) ----
  edgeRequests(): cloudwatch.IMetric {
    return this.cloudFront('Requests', 'Sum', 'CloudFront requests');
  }
  edgeCacheHitRate(): cloudwatch.IMetric {
    return this.cloudFront('CacheHitRate', 'Average', 'Cache hit rate %');
  }
  edge4xxRate(): cloudwatch.IMetric {
    return this.cloudFront('4xxErrorRate', 'Average', '4xx %');
  }
  edge5xxRate(): cloudwatch.IMetric {
    return this.cloudFront('5xxErrorRate', 'Average', '5xx %');
  }
  edgeBlockedByRule(rule: string): cloudwatch.IMetric {
    return new cloudwatch.Metric({
      namespace: 'AWS/WAFV2',
      metricName: 'BlockedRequests',
      dimensionsMap: { WebACL: this.props.edgeWebAclName, Rule: rule },
      statistic: 'Sum',
      period: ONE_MINUTE,
      region: EDGE_METRICS_REGION,
      label: `blocked: ${rule}`,
    });
  }
  edgeRuleNames(): readonly string[] {
    return this.props.edgeRuleNames;
  }

  // ---- gateway (ALB) ----
  gatewayRequests(): cloudwatch.IMetric {
    return this.props.loadBalancer.metrics.requestCount({
      period: ONE_MINUTE,
      statistic: 'Sum',
      label: 'ALB requests',
    });
  }
  /** Seconds, as the ALB reports it. */
  gatewayLatency(statistic: 'p50' | 'p99'): cloudwatch.IMetric {
    return this.props.loadBalancer.metrics.targetResponseTime({
      period: ONE_MINUTE,
      statistic,
      label: `target response ${statistic} (s)`,
    });
  }
  /** Failed answers (5xx the controller did not order) over requests: see contracts/metrics/alarm-math.ts. */
  gateway5xxRate(period: Duration = ONE_MINUTE): cloudwatch.IMetric {
    return this.ratio('alb-5xx-rate', period, '5xx share of requests (deliberate refusals excluded)');
  }
  gatewayHealthyHosts(): cloudwatch.IMetric {
    return this.props.targetGroup.metrics.healthyHostCount({
      period: ONE_MINUTE,
      statistic: 'Minimum',
      label: 'healthy targets',
    });
  }

  // ---- fleet ----
  fleetCpu(): cloudwatch.IMetric {
    return this.props.service.metricCpuUtilization({ period: ONE_MINUTE, statistic: 'Average', label: 'CPU %' });
  }
  fleetMemory(): cloudwatch.IMetric {
    return this.props.service.metricMemoryUtilization({ period: ONE_MINUTE, statistic: 'Average', label: 'memory %' });
  }
  fleetTaskCount(kind: 'RunningTaskCount' | 'DesiredTaskCount'): cloudwatch.IMetric {
    return new cloudwatch.Metric({
      namespace: 'ECS/ContainerInsights',
      metricName: kind,
      dimensionsMap: { ClusterName: this.props.cluster.clusterName, ServiceName: this.props.service.serviceName },
      statistic: 'Average',
      period: ONE_MINUTE,
      label: kind === 'RunningTaskCount' ? 'running tasks' : 'desired tasks',
    });
  }

  // ---- gate (EMF) ----
  gateClassCount(metricName: string, priorityClass: PriorityClass, period: Duration = ONE_MINUTE): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: GATE_NAMESPACE,
      metricName,
      dimensionsMap: {
        [GATE_DIMENSIONS.sale]: this.props.config.saleName,
        [GATE_DIMENSIONS.priorityClass]: priorityClass,
      },
      statistic: 'Sum',
      period,
      label: `${metricName} ${priorityClass}`,
    });
  }
  /** Shed / Requests over every class. */
  gateShedRate(period: Duration = ONE_MINUTE): cloudwatch.IMetric {
    return this.ratio('gate-shed-rate', period, 'shed share of requests');
  }
  /** 5xx answers the gates gave on the controller's orders, over the fleet. */
  gateDeliberateRefusals(period: Duration = ONE_MINUTE): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: GATE_NAMESPACE,
      metricName: DELIBERATE_REFUSALS_METRIC,
      dimensionsMap: { [GATE_DIMENSIONS.sale]: this.props.config.saleName },
      statistic: 'Sum',
      period,
      label: 'deliberate refusals (level sheds, open breakers)',
    });
  }
  /** Milliseconds: the worst queue wait of any class. */
  gateQueueDelayMax(period: Duration = ONE_MINUTE): cloudwatch.IMetric {
    const usingMetrics = Object.fromEntries(
      PRIORITY_CLASSES.map((cls) => [
        `delay_${cls}`,
        this.gateClassCount(GATE_CLASS_METRICS.queueDelayMax, cls, period).with({ statistic: 'Maximum' }),
      ]),
    );
    return new cloudwatch.MathExpression({
      expression: `MAX([${PRIORITY_CLASSES.map((cls) => `FILL(delay_${cls}, 0)`).join(', ')}])`,
      usingMetrics,
      period,
      label: 'queue delay max (ms)',
    });
  }
  gateDependencyFailureRate(dependency: string, period: Duration = ONE_MINUTE): cloudwatch.IMetric {
    return this.ratio('gate-dependency-failure-rate', period, `${dependency} failure share`, dependency);
  }
  gateConcurrencyLimit(): cloudwatch.IMetric {
    return new cloudwatch.Metric({
      namespace: GATE_NAMESPACE,
      metricName: GATE_PROCESS_METRICS.concurrencyLimit,
      dimensionsMap: { [GATE_DIMENSIONS.sale]: this.props.config.saleName },
      statistic: 'Average',
      period: ONE_MINUTE,
      label: 'concurrency limit (avg per gate)',
    });
  }

  // ---- cache ----
  cacheEngineCpu(period: Duration = ONE_MINUTE): cloudwatch.IMetric {
    return this.maxOverNodes('EngineCPUUtilization', period, 'engine CPU % (busiest node)');
  }
  cacheMemory(period: Duration = ONE_MINUTE): cloudwatch.IMetric {
    return this.maxOverNodes('DatabaseMemoryUsagePercentage', period, 'memory % (fullest node)');
  }
  cacheConnections(period: Duration = ONE_MINUTE): cloudwatch.IMetric {
    return this.maxOverNodes('CurrConnections', period, 'connections (busiest node)');
  }

  // ---- control plane ----
  degradationLevel(): cloudwatch.IMetric {
    return new cloudwatch.Metric({
      namespace: CONTROLLER_METRICS_NAMESPACE,
      metricName: CONTROLLER_METRIC_NAMES.degradationLevel,
      dimensionsMap: { ...CONTROLLER_SERVICE_DIMENSION, [GATE_DIMENSIONS.sale]: this.props.config.saleName },
      statistic: 'Maximum',
      period: ONE_MINUTE,
      label: 'degradation level',
    });
  }
  breakerOpen(dependency: string): cloudwatch.IMetric {
    return new cloudwatch.Metric({
      namespace: CONTROLLER_METRICS_NAMESPACE,
      metricName: CONTROLLER_METRIC_NAMES.breakerOpen,
      dimensionsMap: {
        ...CONTROLLER_SERVICE_DIMENSION,
        [GATE_DIMENSIONS.sale]: this.props.config.saleName,
        [CONTROLLER_DEPENDENCY_DIMENSION]: dependency,
      },
      statistic: 'Maximum',
      period: ONE_MINUTE,
      label: `breaker ${dependency} open`,
    });
  }
  controllerErrors(): cloudwatch.IMetric {
    return this.props.controllerFunction.metricErrors({
      period: ONE_MINUTE,
      statistic: 'Sum',
      label: 'controller errors',
    });
  }
  controllerInvocations(): cloudwatch.IMetric {
    return this.props.controllerFunction.metricInvocations({
      period: ONE_MINUTE,
      statistic: 'Sum',
      label: 'controller invocations',
    });
  }
  /**
   * How many per-class records the gates published: every gate writes one per class every second,
   * with or without traffic, so this counts gate-seconds, and no data means no gate is reporting.
   */
  gateRecordsPublished(): cloudwatch.IMetric {
    return this.gateClassCount(GATE_CLASS_METRICS.requests, 'critical').with({
      statistic: 'SampleCount',
      label: 'gate records published (critical class)',
    });
  }

  /** The metric a configured alarm watches, at the alarm's period, in the unit of its threshold. */
  forAlarm(alarm: AlarmConfig): cloudwatch.IMetric {
    const period = Duration.seconds(alarm.periodSeconds);
    switch (alarm.metric) {
      case 'alb-p99-latency-ms':
        return this.props.loadBalancer.metrics.targetResponseTime({ period, statistic: 'p99' });
      case 'alb-5xx-rate':
        return this.gateway5xxRate(period);
      case 'fleet-cpu-percent':
        return this.props.service.metricCpuUtilization({ period, statistic: 'Average' });
      case 'fleet-memory-percent':
        return this.props.service.metricMemoryUtilization({ period, statistic: 'Average' });
      case 'cache-engine-cpu-percent':
        return this.cacheEngineCpu(period);
      case 'cache-memory-percent':
        return this.cacheMemory(period);
      case 'cache-connections':
        return this.cacheConnections(period);
      case 'gate-shed-rate':
        return this.gateShedRate(period);
      case 'gate-queue-delay-ms':
        return this.gateQueueDelayMax(period);
      case 'gate-dependency-failure-rate':
        if (!alarm.dependency)
          throw new Error(
            `alarms.${alarm.name}.dependency: got nothing; expected the dependency for gate-dependency-failure-rate`,
          );
        return this.gateDependencyFailureRate(alarm.dependency, period);
    }
  }

  /** The alarm threshold in the metric's unit (the ALB reports latency in seconds, the config in ms). */
  static thresholdFor(alarm: AlarmConfig): number {
    return alarm.metric === 'alb-p99-latency-ms' ? alarm.threshold / 1000 : alarm.threshold;
  }

  private cloudFront(metricName: string, statistic: string, label: string): cloudwatch.IMetric {
    return new cloudwatch.Metric({
      namespace: 'AWS/CloudFront',
      metricName,
      dimensionsMap: { DistributionId: this.props.distributionId, Region: 'Global' },
      statistic,
      period: ONE_MINUTE,
      region: EDGE_METRICS_REGION,
      label,
    });
  }

  /** A ratio alarm's metric: its formula from alarm-math.ts, its counts from the metrics below. */
  private ratio(metric: RatioAlarmMetric, period: Duration, label: string, dependency?: string): cloudwatch.IMetric {
    const math = RATIO_ALARM_MATH[metric];
    const sources = new Map<AlarmCount, Record<string, cloudwatch.IMetric>>();
    for (const count of [...math.failures, ...math.excused, math.over])
      sources.set(count, this.countMetrics(count, period, dependency));
    return new cloudwatch.MathExpression({
      expression: ratioMetricMath(math, (count) => Object.keys(sources.get(count) ?? {})),
      usingMetrics: Object.assign({}, ...sources.values()) as Record<string, cloudwatch.IMetric>,
      period,
      label,
    });
  }

  /** The CloudWatch metric(s) a count of alarm-math.ts is summed from, by metric math id. */
  private countMetrics(
    count: AlarmCount,
    period: Duration,
    dependency: string | undefined,
  ): Record<string, cloudwatch.IMetric> {
    const alb = this.props.loadBalancer.metrics;
    const perClass = (prefix: string, metricName: string) =>
      Object.fromEntries(
        PRIORITY_CLASSES.map((cls) => [`${prefix}_${cls}`, this.gateClassCount(metricName, cls, period)]),
      );
    const perDependency = (prefix: string, metricName: string) => {
      if (!dependency) throw new Error(`${count}: got no dependency; expected the dependency the alarm watches`);
      const dimensionsMap = {
        [GATE_DIMENSIONS.sale]: this.props.config.saleName,
        [GATE_DIMENSIONS.dependency]: dependency,
      };
      // Ids unique per dependency, so several of these fit in one graph.
      const id = `${prefix}_${dependency.replace(/-/g, '_')}`;
      return {
        [id]: new cloudwatch.Metric({ namespace: GATE_NAMESPACE, metricName, dimensionsMap, statistic: 'Sum', period }),
      };
    };
    switch (count) {
      case 'target5xx':
        return { target5xx: alb.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { statistic: 'Sum' }) };
      case 'elb5xx':
        return { elb5xx: alb.httpCodeElb(elbv2.HttpCodeElb.ELB_5XX_COUNT, { statistic: 'Sum' }) };
      case 'albRequests':
        return { requests: alb.requestCount({ statistic: 'Sum' }) };
      case 'deliberateRefusals':
        return { deliberate: this.gateDeliberateRefusals(period) };
      case 'gateShed':
        return perClass('shed', GATE_CLASS_METRICS.shed);
      case 'gateRequests':
        return perClass('requests', GATE_CLASS_METRICS.requests);
      case 'dependencyFailures':
        return perDependency('failures', GATE_DEPENDENCY_METRICS.failures);
      case 'dependencyCalls':
        return perDependency('calls', GATE_DEPENDENCY_METRICS.calls);
    }
  }

  private maxOverNodes(metricName: string, period: Duration, label: string): cloudwatch.IMetric {
    const usingMetrics = Object.fromEntries(
      this.props.cacheNodeIds.map((node, i) => [
        `node${i}`,
        new cloudwatch.Metric({
          namespace: 'AWS/ElastiCache',
          metricName,
          dimensionsMap: { CacheClusterId: node },
          statistic: 'Maximum',
          period,
        }),
      ]),
    );
    return new cloudwatch.MathExpression({
      expression: `MAX([${Object.keys(usingMetrics).join(', ')}])`,
      usingMetrics,
      period,
      label,
    });
  }
}
