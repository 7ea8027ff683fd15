/**
 * CPU and memory of the rehearsal's child processes, read from /proc (Linux), standing in for the
 * ECS CPUUtilization / MemoryUtilization and ElastiCache EngineCPUUtilization metrics. A task is a
 * gate and its storefront: its CPU is in percent of one vCPU (what a 1024-unit Fargate task has),
 * averaged over tasks like the service metric. Where /proc is missing (macOS) nothing is sampled and
 * the alarms on these metrics stay INSUFFICIENT_DATA.
 */
import { readFileSync } from 'node:fs';
import type { ResourceSample } from './fleet-metrics';

/** Linux reports CPU time in clock ticks; USER_HZ is 100 on every mainstream kernel. */
const TICKS_PER_SECOND = 100;
const PAGE_BYTES = 4096;

interface ProcessReading {
  cpuTicks: number;
  rssBytes: number;
}

export function readProcessStat(pid: number): ProcessReading | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces and parentheses: fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the name: state is field 3 overall, so utime (14) and stime (15) are at 11 and 12, rss (24) at 21.
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    const rssPages = Number(fields[21]);
    if (![utime, stime, rssPages].every(Number.isFinite)) return undefined;
    return { cpuTicks: utime + stime, rssBytes: rssPages * PAGE_BYTES };
  } catch {
    return undefined;
  }
}

export class ProcessResourceSampler {
  private previous = new Map<number, { cpuTicks: number; atMs: number }>();

  constructor(private readonly read: (pid: number) => ProcessReading | undefined = readProcessStat) {}

  /**
   * CPU percent (of one core) and resident bytes of each group of processes since the last call;
   * undefined for a group none of whose processes could be read twice.
   */
  sampleGroups(
    groups: readonly (readonly number[])[],
    nowMs: number,
  ): ({ cpuPercent: number; rssBytes: number } | undefined)[] {
    const next = new Map<number, { cpuTicks: number; atMs: number }>();
    const results = groups.map((pids) => {
      let cpuPercent = 0;
      let rssBytes = 0;
      let measured = false;
      for (const pid of pids) {
        const reading = this.read(pid);
        if (!reading) continue;
        next.set(pid, { cpuTicks: reading.cpuTicks, atMs: nowMs });
        rssBytes += reading.rssBytes;
        const before = this.previous.get(pid);
        if (!before || nowMs <= before.atMs) continue;
        cpuPercent += (((reading.cpuTicks - before.cpuTicks) / TICKS_PER_SECOND) * 1000 * 100) / (nowMs - before.atMs);
        measured = true;
      }
      return measured ? { cpuPercent, rssBytes } : undefined;
    });
    for (const [pid, reading] of next) this.previous.set(pid, reading);
    return results;
  }
}

/** The resource sample the alarms read, from the tasks' and the cache's process groups. */
export function resourceSample(
  tasks: readonly ({ cpuPercent: number; rssBytes: number } | undefined)[],
  cache: { cpuPercent: number; rssBytes: number } | undefined,
  taskMemoryMiB: number,
  cacheConnections: number | undefined,
): ResourceSample {
  const measured = tasks.filter((t): t is { cpuPercent: number; rssBytes: number } => t !== undefined);
  const sample: ResourceSample = {};
  if (measured.length > 0) {
    sample.fleetCpuPercent = measured.reduce((sum, t) => sum + t.cpuPercent, 0) / measured.length;
    sample.fleetMemoryPercent =
      (measured.reduce((sum, t) => sum + t.rssBytes, 0) / measured.length / (taskMemoryMiB * 1024 * 1024)) * 100;
  }
  if (cache) sample.cacheCpuPercent = cache.cpuPercent;
  if (cacheConnections !== undefined) sample.cacheConnections = cacheConnections;
  return sample;
}
