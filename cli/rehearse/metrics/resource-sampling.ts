/**
 * Once a second, the CPU and memory of the fleet's child processes and of the rehearsal's own
 * redis-server (plus its connection count, from INFO) go into the fleet metrics, where the fleet
 * and cache alarms read them; so does the CPU of this process, the traffic generator, because a
 * generator short of CPU sends late and its latencies then describe itself, not the fleet.
 */
import { availableParallelism } from 'node:os';
import { createRedisConnection } from '../../../guard/redis/redis-connection';
import type { FleetMetrics } from './fleet-metrics';
import { MachineCpuSampler } from './machine-cpu';
import { ProcessResourceSampler, resourceSample } from './process-resources';
import type { RedisChoice } from '../fleet/redis-choice';

export interface ResourceSampling {
  close(): Promise<void>;
}

export function startResourceSampling(options: {
  metrics: FleetMetrics;
  taskPids: () => number[][];
  redis: RedisChoice;
  taskMemoryMiB: number;
}): ResourceSampling {
  const sampler = new ProcessResourceSampler();
  const machine = new MachineCpuSampler();
  const redis = options.redis;
  const info =
    redis.kind === 'local'
      ? createRedisConnection({
          url: redis.url,
          connectionName: 'saleday-rehearsal-sampler',
          failFast: true,
          commandTimeoutMs: 300,
        })
      : undefined;
  let connections: number | undefined;
  const timer = setInterval(() => {
    const nowMs = Date.now();
    const cachePid = redis.kind === 'local' ? redis.server.pid : undefined;
    const [generator, cache, ...tasks] = sampler.sampleGroups(
      [[process.pid], cachePid === undefined ? [] : [cachePid], ...options.taskPids()],
      nowMs,
    );
    const sample = resourceSample(tasks, cache, options.taskMemoryMiB, connections);
    if (generator) sample.generatorCpuPercent = generator.cpuPercent;
    const machineCpu = machine.sample();
    if (machineCpu !== undefined) {
      sample.machineCpuPercent = machineCpu;
      // What the rehearsal's own processes used, in percent of one core, against the machine's total.
      const ours = [generator, cache, ...tasks].reduce((sum, group) => sum + (group?.cpuPercent ?? 0), 0);
      sample.outsideCpuPercent = Math.max(0, machineCpu - ours / availableParallelism());
    }
    options.metrics.recordResources(Math.floor(nowMs / 1000), sample);
    info
      ?.info('clients')
      .then((text) => {
        const match = /connected_clients:(\d+)/.exec(text);
        connections = match ? Number(match[1]) : undefined;
      })
      .catch(() => {
        connections = undefined; // the cache is down: no datapoint, as CloudWatch would have none
      });
  }, 1000);
  timer.unref();
  return {
    close: async () => {
      clearInterval(timer);
      info?.disconnect();
    },
  };
}
