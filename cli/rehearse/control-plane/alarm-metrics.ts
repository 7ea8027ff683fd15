/**
 * How each alarm metric of the config is computed locally, from the gates' EMF metrics and the
 * resource sampler, for one alarm period. On AWS some of these come from the ALB or ElastiCache;
 * the rehearsal has neither, so it uses the closest thing the gates see:
 *
 * - alb-p99-latency-ms: the highest per-gate, per-class LatencyP99 in the period (an upper bound of
 *   the fleet p99, which the ALB would compute over all requests).
 * - the ratio alarms (alb-5xx-rate, gate-shed-rate, gate-dependency-failure-rate) evaluate the
 *   formula of contracts/metrics/alarm-math.ts, the one the CDK alarms use, over counts summed over
 *   the period. For alb-5xx-rate the ALB's counts come from the traffic generator, which counts
 *   every answer as the ALB would (a gate's 5xx is a target 5xx, whatever the reason), and the
 *   gates' DeliberateRefusals are subtracted exactly as on AWS.
 * - gate-queue-delay-ms: the highest QueueDelayMax.
 * - fleet-cpu-percent / fleet-memory-percent: average over seconds of the children's CPU (percent of
 *   one vCPU per task, from /proc) and resident memory (percent of fleet.memoryMiB).
 * - cache-engine-cpu-percent / cache-memory-percent / cache-connections: the local redis-server's
 *   CPU from /proc and INFO when the rehearsal runs it; otherwise there is no datapoint and the
 *   alarm stays INSUFFICIENT_DATA.
 *
 * A period without the data a metric needs (no requests, no calls) has no datapoint.
 */
import type { AlarmConfig } from '../../../contracts/config/schema';
import {
  evaluateRatio,
  isRatioAlarmMetric,
  RATIO_ALARM_MATH,
  type AlarmCount,
  type RatioAlarmMath,
  type RatioAlarmMetric,
} from '../../../contracts/metrics/alarm-math';
import type { ClassSecond, FleetSecond, ResourceSample } from '../metrics/fleet-metrics';

/** Replaces the formula of some ratio alarms (a test evaluates an older one side by side). */
export type RatioMathOverrides = Partial<Record<RatioAlarmMetric, RatioAlarmMath>>;

export function alarmDatapoint(
  alarm: Pick<AlarmConfig, 'metric' | 'dependency'>,
  seconds: readonly FleetSecond[],
  overrides: RatioMathOverrides = {},
): number | undefined {
  if (isRatioAlarmMetric(alarm.metric)) {
    return evaluateRatio(overrides[alarm.metric] ?? RATIO_ALARM_MATH[alarm.metric], countSums(alarm, seconds));
  }
  switch (alarm.metric) {
    case 'alb-p99-latency-ms':
      return maxOverClasses(seconds, 'latencyP99', (c) => c.served > 0);
    case 'gate-queue-delay-ms':
      return maxOverClasses(seconds, 'queueDelayMax', (c) => c.requests > 0);
    case 'fleet-cpu-percent':
      return averageResource(seconds, 'fleetCpuPercent');
    case 'fleet-memory-percent':
      return averageResource(seconds, 'fleetMemoryPercent');
    case 'cache-engine-cpu-percent':
      return averageResource(seconds, 'cacheCpuPercent');
    case 'cache-memory-percent':
      return averageResource(seconds, 'cacheMemoryPercent');
    case 'cache-connections':
      return averageResource(seconds, 'cacheConnections');
  }
}

function classes(second: FleetSecond): ClassSecond[] {
  return Object.values(second.classes).filter((c): c is ClassSecond => c !== undefined);
}

/** Every count the ratio formulas name, summed over the period as CloudWatch's Sum would. */
export function countSums(
  alarm: Pick<AlarmConfig, 'dependency'>,
  seconds: readonly FleetSecond[],
): Record<AlarmCount, number> {
  const sums: Record<AlarmCount, number> = {
    target5xx: 0,
    elb5xx: 0,
    albRequests: 0,
    deliberateRefusals: 0,
    gateShed: 0,
    gateRequests: 0,
    dependencyFailures: 0,
    dependencyCalls: 0,
  };
  for (const second of seconds) {
    sums.target5xx += second.gateway.target5xx;
    sums.elb5xx += second.gateway.elb5xx;
    sums.albRequests += second.gateway.requests;
    sums.deliberateRefusals += second.deliberateRefusals;
    for (const c of classes(second)) {
      sums.gateShed += c.shed;
      sums.gateRequests += c.requests;
    }
    const dependency = alarm.dependency ? second.dependencies[alarm.dependency] : undefined;
    sums.dependencyFailures += dependency?.failures ?? 0;
    sums.dependencyCalls += dependency?.calls ?? 0;
  }
  return sums;
}

function maxOverClasses(
  seconds: readonly FleetSecond[],
  key: 'latencyP99' | 'queueDelayMax',
  include: (c: ClassSecond) => boolean,
): number | undefined {
  let found: number | undefined;
  for (const second of seconds) {
    for (const c of classes(second)) {
      if (include(c)) found = Math.max(found ?? 0, c[key]);
    }
  }
  return found;
}

function averageResource(seconds: readonly FleetSecond[], key: keyof ResourceSample): number | undefined {
  const values = seconds.map((s) => s.resources[key]).filter((v): v is number => v !== undefined);
  return values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : undefined;
}
