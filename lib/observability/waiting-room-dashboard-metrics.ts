/**
 * The waiting room's dashboard metrics: what the controller publishes (lambda/waiting-room-controller
 * /room-metrics.ts, namespace Saleday/WaitingRoom) and the gates' count of requests they let in on
 * a pass. Powertools adds the dimension `service` to the controller's metrics, so it is part of
 * every series here.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { GATE_DIMENSIONS, GATE_NAMESPACE } from '../../contracts/metrics/gate-metrics';
import {
  GATE_WAITING_ROOM_METRICS,
  WAITING_ROOM_METRICS,
  WAITING_ROOM_NAMESPACE,
} from '../../contracts/metrics/waiting-room-metrics';

export const WAITING_ROOM_CONTROLLER_SERVICE = 'saleday-waiting-room-controller';
const ONE_MINUTE = Duration.minutes(1);

export interface WaitingRoomDashboardMetrics {
  waiting: cloudwatch.IMetric;
  admittedPerMinute: cloudwatch.IMetric;
  estimatedWaitSeconds: cloudwatch.IMetric;
  rateSet: cloudwatch.IMetric;
  open: cloudwatch.IMetric;
  activeShoppers: cloudwatch.IMetric;
  gateAdmittedRequests: cloudwatch.IMetric;
  gateRefusedWithoutPass: cloudwatch.IMetric;
}

export function waitingRoomDashboardMetrics(saleName: string): WaitingRoomDashboardMetrics {
  const controller = (metricName: string, statistic: string, label: string) =>
    new cloudwatch.Metric({
      namespace: WAITING_ROOM_NAMESPACE,
      metricName,
      dimensionsMap: { service: WAITING_ROOM_CONTROLLER_SERVICE, [GATE_DIMENSIONS.sale]: saleName },
      statistic,
      period: ONE_MINUTE,
      label,
    });
  const gate = (metricName: string, label: string) =>
    new cloudwatch.Metric({
      namespace: GATE_NAMESPACE,
      metricName,
      dimensionsMap: { [GATE_DIMENSIONS.sale]: saleName },
      statistic: 'Sum',
      period: ONE_MINUTE,
      label,
    });
  return {
    waiting: controller(WAITING_ROOM_METRICS.waiting, 'Maximum', 'waiting'),
    admittedPerMinute: controller(WAITING_ROOM_METRICS.admittedPerMinute, 'Average', 'admitted per minute'),
    estimatedWaitSeconds: controller(WAITING_ROOM_METRICS.estimatedWait, 'Maximum', 'estimated wait (s), last in line'),
    rateSet: controller(WAITING_ROOM_METRICS.rateSet, 'Average', 'admission rate set (/s)'),
    open: controller(WAITING_ROOM_METRICS.open, 'Maximum', 'room open'),
    activeShoppers: controller(WAITING_ROOM_METRICS.activeShoppers, 'Maximum', 'active shoppers'),
    gateAdmittedRequests: gate(GATE_WAITING_ROOM_METRICS.admittedRequests, 'requests on a pass'),
    gateRefusedWithoutPass: gate(GATE_WAITING_ROOM_METRICS.refusedWithoutPass, 'refused at the gate without a pass'),
  };
}

/** The dashboard's row for the room: a header, then waiting, admitted per minute, estimated wait, and the rate set. */
export function waitingRoomDashboardRows(saleName: string, width: number, height: number): cloudwatch.IWidget[][] {
  const m = waitingRoomDashboardMetrics(saleName);
  const graph = (title: string, left: cloudwatch.IMetric[], right: cloudwatch.IMetric[] = []) =>
    new cloudwatch.GraphWidget({ title, left, right, width, height });
  return [
    [new cloudwatch.TextWidget({ markdown: '## Waiting room', width: 24, height: 1 })],
    [
      graph('Waiting', [m.waiting], [m.open]),
      graph('Admitted per minute', [m.admittedPerMinute], [m.activeShoppers]),
      graph('Estimated wait', [m.estimatedWaitSeconds]),
      graph('Admission rate set by the controller', [m.rateSet], [m.gateAdmittedRequests, m.gateRefusedWithoutPass]),
    ],
  ];
}
