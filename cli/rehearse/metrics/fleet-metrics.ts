/**
 * The fleet's metrics second by second, as CloudWatch would aggregate them across tasks: counts are
 * summed over gates, maxima (queue delay, p99) take the highest gate, and the per-process gauges
 * keep both ends (the lowest and highest flags level show whether every gate has caught up).
 * Resource samples (CPU, memory of the child processes; the cache's CPU) are added by the sampler.
 */
import { DELIBERATE_REFUSALS_METRIC } from '../../../contracts/metrics/alarm-metrics';
import {
  GATE_CLASS_METRICS,
  GATE_DEPENDENCY_METRICS,
  GATE_DIMENSIONS,
  GATE_NAMESPACE,
  GATE_PROCESS_METRICS,
} from '../../../contracts/metrics/gate-metrics';
import { PRIORITY_CLASSES, type PriorityClass } from '../../../contracts/config/schema';
import type { EmfRecord } from './emf-line-reader';

export interface ClassSecond {
  requests: number;
  served: number;
  shed: number;
  degraded: number;
  limited: number;
  shortCircuited: number;
  upstreamErrors: number;
  queueDelayMax: number;
  latencyP99: number;
}

export interface ResourceSample {
  /** Average over tasks of a task's CPU (gate + storefront) in percent of one vCPU. */
  fleetCpuPercent?: number;
  /** Average over tasks of a task's resident memory in percent of the configured task memory. */
  fleetMemoryPercent?: number;
  cacheCpuPercent?: number;
  cacheMemoryPercent?: number;
  cacheConnections?: number;
  /** CPU of the rehearsal's own process (the traffic generator), in percent of one core. */
  generatorCpuPercent?: number;
  /** CPU of the whole machine, in percent of all its cores. */
  machineCpuPercent?: number;
  /** CPU of the machine's other processes (not the rehearsal's), in percent of all its cores. */
  outsideCpuPercent?: number;
}

/**
 * What the load balancer would count in a second, as the traffic generator (the rehearsal's load
 * balancer) saw the answers: every answer is a request, a 5xx from a gate is a target 5xx, and a
 * timeout or a connection error is one the ALB would have answered itself (504 / 502).
 */
export interface GatewaySecond {
  requests: number;
  target5xx: number;
  elb5xx: number;
}

export interface FleetSecond {
  /** Seconds since the epoch. */
  second: number;
  classes: Partial<Record<PriorityClass, ClassSecond>>;
  dependencies: Record<string, { calls: number; failures: number }>;
  /** Flags level seen by each gate that reported this second. */
  flagsLevelByGate: Record<string, number>;
  /** Gates that decided rate limits locally (Redis unreachable) this second. */
  redisFallbackGates: number;
  inFlight: number;
  concurrencyLimit: number;
  /** 5xx answers the gates gave on the controller's orders (DeliberateRefusals, summed over gates). */
  deliberateRefusals: number;
  gateway: GatewaySecond;
  resources: ResourceSample;
}

const CLASS_SUMS: (keyof ClassSecond)[] = [
  'requests',
  'served',
  'shed',
  'degraded',
  'limited',
  'shortCircuited',
  'upstreamErrors',
];
const CLASS_MAXIMA: (keyof ClassSecond)[] = ['queueDelayMax', 'latencyP99'];

export function emptyClassSecond(): ClassSecond {
  return {
    requests: 0,
    served: 0,
    shed: 0,
    degraded: 0,
    limited: 0,
    shortCircuited: 0,
    upstreamErrors: 0,
    queueDelayMax: 0,
    latencyP99: 0,
  };
}

export class FleetMetrics {
  private readonly bySecond = new Map<number, FleetSecond>();

  /** Adds one EMF record from gate `gateId`; records of other namespaces are ignored. */
  ingest(gateId: string, record: EmfRecord): void {
    if (record.namespace && record.namespace !== GATE_NAMESPACE) return;
    const second = this.at(Math.floor(record.timestamp / 1000));
    const priorityClass = record.dimensions[GATE_DIMENSIONS.priorityClass];
    const dependency = record.dimensions[GATE_DIMENSIONS.dependency];
    if (priorityClass !== undefined) {
      if (!(PRIORITY_CLASSES as readonly string[]).includes(priorityClass)) return;
      const target = (second.classes[priorityClass as PriorityClass] ??= emptyClassSecond());
      for (const key of CLASS_SUMS) target[key] += record.values[GATE_CLASS_METRICS[key]] ?? 0;
      for (const key of CLASS_MAXIMA) target[key] = Math.max(target[key], record.values[GATE_CLASS_METRICS[key]] ?? 0);
      return;
    }
    if (dependency !== undefined) {
      const target = (second.dependencies[dependency] ??= { calls: 0, failures: 0 });
      target.calls += record.values[GATE_DEPENDENCY_METRICS.calls] ?? 0;
      target.failures += record.values[GATE_DEPENDENCY_METRICS.failures] ?? 0;
      return;
    }
    const level = record.values[GATE_PROCESS_METRICS.flagsLevel];
    if (level !== undefined) second.flagsLevelByGate[gateId] = level;
    if ((record.values[GATE_PROCESS_METRICS.redisFallback] ?? 0) > 0) second.redisFallbackGates += 1;
    second.inFlight += record.values[GATE_PROCESS_METRICS.inFlight] ?? 0;
    second.concurrencyLimit += record.values[GATE_PROCESS_METRICS.concurrencyLimit] ?? 0;
    second.deliberateRefusals += record.values[DELIBERATE_REFUSALS_METRIC] ?? 0;
  }

  /**
   * One answer as the load balancer would count it, in the second it came back: `status` is the
   * gate's HTTP status, undefined when the request timed out or the connection failed.
   */
  recordGatewayAnswer(epochMs: number, status: number | undefined): void {
    const gateway = this.at(Math.floor(epochMs / 1000)).gateway;
    gateway.requests += 1;
    if (status === undefined) gateway.elb5xx += 1;
    else if (status >= 500) gateway.target5xx += 1;
  }

  recordResources(epochSecond: number, sample: ResourceSample): void {
    Object.assign(this.at(epochSecond).resources, sample);
  }

  get(epochSecond: number): FleetSecond | undefined {
    return this.bySecond.get(epochSecond);
  }

  /** The seconds in [fromSecond, toSecond), missing ones omitted. */
  range(fromSecond: number, toSecond: number): FleetSecond[] {
    const seconds: FleetSecond[] = [];
    for (let s = fromSecond; s < toSecond; s += 1) {
      const found = this.bySecond.get(s);
      if (found) seconds.push(found);
    }
    return seconds;
  }

  private at(epochSecond: number): FleetSecond {
    let second = this.bySecond.get(epochSecond);
    if (!second) {
      second = {
        second: epochSecond,
        classes: {},
        dependencies: {},
        flagsLevelByGate: {},
        redisFallbackGates: 0,
        inFlight: 0,
        concurrencyLimit: 0,
        deliberateRefusals: 0,
        gateway: { requests: 0, target5xx: 0, elb5xx: 0 },
        resources: {},
      };
      this.bySecond.set(epochSecond, second);
    }
    return second;
  }
}
