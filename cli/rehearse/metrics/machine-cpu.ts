/**
 * The whole machine's CPU, from /proc/stat (Linux): a rehearsal shares the machine with whatever
 * else runs, and when no core is left every process waits its turn, so latencies then measure the
 * machine, not the shop. Where /proc/stat is missing nothing is sampled.
 */
import { readFileSync } from 'node:fs';

interface CpuTimes {
  busy: number;
  total: number;
}

/** The aggregate "cpu" line of /proc/stat: busy and total jiffies since boot. */
export function parseProcStat(text: string): CpuTimes | undefined {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return undefined;
  const fields = line.trim().split(/\s+/).slice(1).map(Number);
  if (fields.length < 4 || fields.some((n) => !Number.isFinite(n))) return undefined;
  // user nice system idle iowait irq softirq steal (guest time is already in user).
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
  const idleAll = idle + iowait;
  const total = user + nice + system + idleAll + irq + softirq + steal;
  return { busy: total - idleAll, total };
}

export class MachineCpuSampler {
  private previous: CpuTimes | undefined;

  constructor(private readonly read: () => string | undefined = readProcStat) {}

  /** Percent of all cores busy since the last call; undefined on the first call or without /proc. */
  sample(): number | undefined {
    const text = this.read();
    const now = text === undefined ? undefined : parseProcStat(text);
    const before = this.previous;
    this.previous = now;
    if (!now || !before || now.total <= before.total) return undefined;
    return ((now.busy - before.busy) / (now.total - before.total)) * 100;
  }
}

function readProcStat(): string | undefined {
  try {
    return readFileSync('/proc/stat', 'utf8');
  } catch {
    return undefined;
  }
}
