/**
 * One dashboard per sale, a row per layer in the order a request meets them (edge, gateway, fleet,
 * gate, cache, control plane), then the alarms. Edge metrics are read from us-east-1.
 */
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { GATE_CLASS_METRICS } from '../../contracts/metrics/gate-metrics';
import type { SaledayConfig } from '../../contracts/config/schema';
import { PRIORITY_CLASSES } from '../../contracts/priority-classes';
import type { SaleMetrics } from './sale-metrics';
import { waitingRoomDashboardRows } from './waiting-room-dashboard-metrics';

/** What the dashboard reads of the sale config: the name and the routes' dependencies (one graph line each). */
export type SaleDashboardConfig = Pick<SaledayConfig, 'saleName'> &
  Partial<Pick<SaledayConfig, 'waitingRoom'>> & {
    readonly routes: readonly Pick<SaledayConfig['routes'][number], 'dependencies'>[];
  };

export interface SaleDashboardProps {
  readonly config: SaleDashboardConfig;
  /** The metrics graphed (the same the alarms watch). */
  readonly metrics: SaleMetrics;
  /** Shown in the alarm status row. */
  readonly alarms: readonly cloudwatch.IAlarm[];
}

const WIDTH = 6;
const HEIGHT = 6;

export function saleDashboardName(config: Pick<SaledayConfig, 'saleName'>): string {
  return `saleday-${config.saleName}`;
}

export class SaleDashboard extends Construct {
  /** The sale's dashboard, named by saleDashboardName(). */
  public readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: SaleDashboardProps) {
    super(scope, id);
    const { config, metrics: m } = props;
    const graph = (title: string, left: cloudwatch.IMetric[], right: cloudwatch.IMetric[] = []) =>
      new cloudwatch.GraphWidget({ title, left, right, width: WIDTH, height: HEIGHT });
    const header = (text: string) => new cloudwatch.TextWidget({ markdown: `## ${text}`, width: 24, height: 1 });
    const dependencies = [...new Set(config.routes.flatMap((r) => r.dependencies))].sort();
    const perClass = (metricName: string) => PRIORITY_CLASSES.map((cls) => m.gateClassCount(metricName, cls));

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: saleDashboardName(config),
      widgets: [
        [header('Edge: CloudFront and edge WAF (us-east-1)')],
        [
          graph('Requests', [m.edgeRequests()]),
          graph(
            'Blocked by rule',
            m.edgeRuleNames().map((rule) => m.edgeBlockedByRule(rule)),
          ),
          graph('Cache hit rate', [m.edgeCacheHitRate()]),
          graph('Error rates', [m.edge4xxRate(), m.edge5xxRate()]),
        ],
        [header('Gateway: ALB')],
        [
          graph('Requests', [m.gatewayRequests()]),
          graph('Target response time', [m.gatewayLatency('p50'), m.gatewayLatency('p99')]),
          graph('5xx share', [m.gateway5xxRate()], [m.gateDeliberateRefusals()]),
          graph('Healthy targets', [m.gatewayHealthyHosts()]),
        ],
        [header('Fleet: ECS tasks')],
        [
          graph('Tasks', [m.fleetTaskCount('RunningTaskCount'), m.fleetTaskCount('DesiredTaskCount')]),
          graph('CPU', [m.fleetCpu()]),
          graph('Memory', [m.fleetMemory()]),
        ],
        [header('Gate: admission, shedding, limits')],
        [
          graph('Served per class', perClass(GATE_CLASS_METRICS.served)),
          graph('Shed per class', perClass(GATE_CLASS_METRICS.shed), [m.gateShedRate()]),
          // Right axis: refused reads the app had already answered (speculative reads), a part of the left.
          graph(
            'Rate-limited per class',
            perClass(GATE_CLASS_METRICS.limited),
            perClass(GATE_CLASS_METRICS.speculativeDiscarded),
          ),
          graph('Queue delay and concurrency limit', [m.gateQueueDelayMax()], [m.gateConcurrencyLimit()]),
        ],
        [header('Cache: ElastiCache')],
        [
          graph('Engine CPU', [m.cacheEngineCpu()]),
          graph('Memory', [m.cacheMemory()]),
          graph('Connections', [m.cacheConnections()]),
        ],
        [header('Control plane: flag controller')],
        [
          graph('Degradation level', [m.degradationLevel()]),
          graph(
            'Open breakers',
            dependencies.map((d) => m.breakerOpen(d)),
          ),
          graph(
            'Dependency failure share',
            dependencies.map((d) => m.gateDependencyFailureRate(d)),
          ),
          graph('Controller errors', [m.controllerErrors()]),
        ],
        ...(config.waitingRoom?.enabled ? waitingRoomDashboardRows(config.saleName, WIDTH, HEIGHT) : []),
        [header('Alarms')],
        [
          new cloudwatch.AlarmStatusWidget({
            title: 'Alarms',
            alarms: [...props.alarms],
            width: 24,
            height: Math.max(3, Math.ceil(props.alarms.length / 4) + 2),
          }),
        ],
      ],
    });
  }
}
