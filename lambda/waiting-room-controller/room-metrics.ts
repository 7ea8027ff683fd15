/**
 * The controller's metrics, in CloudWatch Embedded Metric Format through Powertools (namespace
 * Saleday/WaitingRoom, dimension Sale): whether the room is open, the rate it set, how many wait,
 * how many are admitted per minute, the estimated wait, and the active shoppers it measured.
 */
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { WAITING_ROOM_METRICS } from '../../contracts/metrics/waiting-room-metrics';
import type { RoomSummary } from './room-summary';

export function recordRoomMetrics(metrics: Metrics, summary: RoomSummary, activeShoppers: number | undefined): void {
  metrics.addMetric(WAITING_ROOM_METRICS.open, MetricUnit.Count, summary.open ? 1 : 0);
  metrics.addMetric(WAITING_ROOM_METRICS.rateSet, MetricUnit.CountPerSecond, summary.open ? summary.ratePerSecond : 0);
  metrics.addMetric(WAITING_ROOM_METRICS.waiting, MetricUnit.Count, summary.waiting);
  metrics.addMetric(WAITING_ROOM_METRICS.admittedPerMinute, MetricUnit.Count, summary.admittedPerMinute);
  if (summary.estimatedWaitSeconds !== undefined)
    metrics.addMetric(WAITING_ROOM_METRICS.estimatedWait, MetricUnit.Seconds, summary.estimatedWaitSeconds);
  if (activeShoppers !== undefined)
    metrics.addMetric(WAITING_ROOM_METRICS.activeShoppers, MetricUnit.Count, activeShoppers);
}
