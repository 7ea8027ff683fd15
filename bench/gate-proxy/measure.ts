/** One measured load against a URL, with the CPU each process spent per request, and the statistics of rounds. */
import { readFileSync } from 'node:fs';
import type { LoadResult } from './load-roles';
import { spawnRole } from './role-process';
import type { RoleArgs } from './server-roles';

const CLOCK_TICKS_PER_SECOND = 100; // getconf CLK_TCK on Linux

export interface Measurement {
  load: LoadResult;
  cpuUsPerRequest: Record<string, number>;
}

function cpuTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime
  } catch {
    return 0;
  }
}

/** The machine's idle time so far, in clock ticks (idle + iowait of the `cpu` line of /proc/stat). */
function idleTicks(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/);
  return Number(fields[4]) + Number(fields[5]);
}

/**
 * Runs a load against `url` and returns its result plus the CPU (µs per request) of each listed
 * server process, of the load generator (`load`) and the machine's idle time (`idle`, all cores):
 * a closed loop that leaves cores idle is bound by latency, not by CPU.
 */
export async function measure(
  role: 'load-closed' | 'load-open',
  args: RoleArgs,
  servers: Record<string, number>,
): Promise<Measurement> {
  const load = await spawnRole(role, args);
  await load.measuring;
  const pids: Record<string, number> = { ...servers, load: load.pid };
  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuTicks(pid)]));
  const idleBefore = idleTicks();
  const result = await load.result;
  const after = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuTicks(pid)]));
  const idleAfter = idleTicks();
  await load.stop();
  const perRequest = (ticks: number) =>
    result.requests > 0 ? ((ticks / CLOCK_TICKS_PER_SECOND) * 1e6) / result.requests : 0;
  const cpuUsPerRequest: Record<string, number> = {};
  for (const name of Object.keys(pids)) cpuUsPerRequest[name] = perRequest(after[name]! - before[name]!);
  cpuUsPerRequest.idle = perRequest(idleAfter - idleBefore);
  return { load: result, cpuUsPerRequest };
}

export const fmt = (n: number, digits = 0) => n.toFixed(digits);
/** Index of the median value (the lower middle one of an even count). */
export const medianIndex = (values: number[]) => {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  return order[Math.floor((order.length - 1) / 2)]![1];
};
export const median = (values: number[]) => values[medianIndex(values)]!;

/**
 * Runs every contender once per round, the order rotating each round, so a noisy neighbour on
 * these shared cores slows the contenders of a round alike instead of one whole measurement.
 */
export async function interleavedRounds<Name extends string, Result>(
  contenders: Array<{ name: Name; run: () => Promise<Result> }>,
  count: number,
): Promise<Array<Record<Name, Result>>> {
  const rounds: Array<Record<Name, Result>> = [];
  for (let round = 0; round < count; round++) {
    const results: Partial<Record<Name, Result>> = {};
    for (let i = 0; i < contenders.length; i++) {
      const contender = contenders[(i + round) % contenders.length]!;
      results[contender.name] = await contender.run();
    }
    rounds.push(results as Record<Name, Result>);
  }
  return rounds;
}
export const describe = (name: string, r: Measurement, cpuOf: string[]) =>
  `${name} ${fmt(r.load.rps)}/s p99 ${fmt(r.load.p99Ms, 2)}ms cpu ${cpuOf.map((p) => `${p} ${fmt(r.cpuUsPerRequest[p] ?? 0, 1)}µs`).join(' + ')}/req`;
