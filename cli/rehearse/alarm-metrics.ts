/**
 * How each alarm metric of the config is computed locally, from the gates' EMF metrics and the
 * resource sampler, for one alarm period. On AWS some of these come from the ALB or ElastiCache;
 * the rehearsal has neither, so it uses the closest thing the gates see:
 *
 * - alb-p99-latency-ms: the highest per-gate, per-class LatencyP99 in the period (an upper bound of
 *   the fleet p99, which the ALB would compute over all requests).
 * - alb-5xx-rate: (Shed + ShortCircuited + UpstreamErrors) / Requests. Degraded is left out on
 *   purpose: it mixes 200 fallbacks with refusals the controller itself ordered, and counting the
 *   latter would keep the level up by its own effect.
 * - gate-shed-rate: Shed / Requests. gate-queue-delay-ms: the highest QueueDelayMax.
 * - gate-dependency-failure-rate: DependencyFailures / DependencyCalls of the alarm's dependency.
 * - fleet-cpu-percent / fleet-memory-percent: average over seconds of the children's CPU (percent of
 *   one vCPU per task, from /proc) and resident memory (percent of fleet.memoryMiB).
 * - cache-engine-cpu-percent / cache-memory-percent / cache-connections: the local redis-server's
 *   CPU from /proc and INFO when the rehearsal runs it; otherwise there is no datapoint and the
 *   alarm stays INSUFFICIENT_DATA.
 *
 * A period without the data a metric needs (no requests, no calls) has no datapoint.
 */
import type { AlarmConfig } from '../../lib/config/schema';
import type { ClassSecond, FleetSecond, ResourceSample } from './fleet-metrics';

export function alarmDatapoint(alarm: Pick<AlarmConfig, 'metric' | 'dependency'>, seconds: readonly FleetSecond[]): number | undefined {
  switch (alarm.metric) {
    case 'alb-p99-latency-ms':
      return maxOverClasses(seconds, 'latencyP99', (c) => c.served > 0);
    case 'alb-5xx-rate':
      return ratio(seconds, (c) => c.shed + c.shortCircuited + c.upstreamErrors);
    case 'gate-shed-rate':
      return ratio(seconds, (c) => c.shed);
    case 'gate-queue-delay-ms':
      return maxOverClasses(seconds, 'queueDelayMax', (c) => c.requests > 0);
    case 'gate-dependency-failure-rate': {
      let calls = 0;
      let failures = 0;
      for (const second of seconds) {
        const dependency = alarm.dependency ? second.dependencies[alarm.dependency] : undefined;
        calls += dependency?.calls ?? 0;
        failures += dependency?.failures ?? 0;
      }
      return calls > 0 ? failures / calls : undefined;
    }
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

function ratio(seconds: readonly FleetSecond[], numerator: (c: ClassSecond) => number): number | undefined {
  let requests = 0;
  let counted = 0;
  for (const second of seconds) {
    for (const c of classes(second)) {
      requests += c.requests;
      counted += numerator(c);
    }
  }
  return requests > 0 ? counted / requests : undefined;
}

function maxOverClasses(seconds: readonly FleetSecond[], key: 'latencyP99' | 'queueDelayMax', include: (c: ClassSecond) => boolean): number | undefined {
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
