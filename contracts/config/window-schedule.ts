/**
 * When the fleet is raised and lowered for each sale window. Times are wall-clock times in the
 * window's own time zone (Application Auto Scaling evaluates the cron in that zone), computed
 * through the real instant so a warm-up that crosses a DST change still starts `warmUpMinutes`
 * before the sale.
 */
import type { SaleWindow } from './schema';

/** A wall-clock minute in a time zone, enough for a one-shot `cron(M H D Mon ? YYYY)`. */
export interface LocalMinute {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
}

export interface WindowScalingTimes {
  readonly window: string;
  readonly timeZone: string;
  /** `start - warmUpMinutes`: raise min to the plan. */
  readonly raiseAt: LocalMinute;
  /** `end + coolDownMinutes`: restore the baseline. */
  readonly restoreAt: LocalMinute;
}

export function windowScalingTimes(window: SaleWindow): WindowScalingTimes {
  const start = zonedToInstant(window.start, window.timeZone);
  const end = zonedToInstant(window.end, window.timeZone);
  return {
    window: window.name,
    timeZone: window.timeZone,
    raiseAt: instantToZoned(start - window.warmUpMinutes * 60_000, window.timeZone),
    restoreAt: instantToZoned(end + window.coolDownMinutes * 60_000, window.timeZone),
  };
}

/** The cron fields Application Auto Scaling expects for a single run at that local minute. */
export function oneShotCron(at: LocalMinute): {
  minute: string;
  hour: string;
  day: string;
  month: string;
  year: string;
} {
  return {
    minute: String(at.minute),
    hour: String(at.hour),
    day: String(at.day),
    month: String(at.month),
    year: String(at.year),
  };
}

/** `2026-11-30T08:00` in `Europe/Paris` → epoch milliseconds. */
export function zonedToInstant(localDateTime: string, timeZone: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(localDateTime);
  if (!match) throw new Error(`expected a local date-time like 2026-11-27T09:00, got ${JSON.stringify(localDateTime)}`);
  const [, y, mo, d, h, mi] = match.map(Number);
  const asIfUtc = Date.UTC(y!, mo! - 1, d!, h!, mi!);
  // The zone's offset at the guessed instant, then once more at the corrected one (DST edges).
  let instant = asIfUtc - offsetAt(asIfUtc, timeZone);
  instant = asIfUtc - offsetAt(instant, timeZone);
  return instant;
}

export function instantToZoned(instant: number, timeZone: string): LocalMinute {
  const parts = wallClockParts(instant, timeZone);
  return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour, minute: parts.minute };
}

function offsetAt(instant: number, timeZone: string): number {
  const p = wallClockParts(instant, timeZone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(instant / 1000) * 1000;
}

function wallClockParts(instant: number, timeZone: string) {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const value = (type: Intl.DateTimeFormatPartTypes) =>
    Number(format.formatToParts(new Date(instant)).find((p) => p.type === type)?.value);
  return {
    year: value('year'),
    month: value('month'),
    day: value('day'),
    hour: value('hour'),
    minute: value('minute'),
    second: value('second'),
  };
}

/** The real instants of a window: sale start and end, and when the fleet is raised and restored. */
export interface WindowInstants {
  readonly start: number;
  readonly end: number;
  readonly raiseAt: number;
  readonly restoreAt: number;
}

export function windowInstants(
  window: Pick<SaleWindow, 'start' | 'end' | 'timeZone' | 'warmUpMinutes' | 'coolDownMinutes'>,
): WindowInstants {
  const start = zonedToInstant(window.start, window.timeZone);
  const end = zonedToInstant(window.end, window.timeZone);
  return {
    start,
    end,
    raiseAt: start - window.warmUpMinutes * 60_000,
    restoreAt: end + window.coolDownMinutes * 60_000,
  };
}

/**
 * Splits windows at `now`: a window is over once its cool-down has ended (until then its restore
 * action is still needed, or the fleet would stay raised). Over windows are left out of the schedule.
 */
export function partitionWindowsAt<W extends SaleWindow>(
  windows: readonly W[],
  now: Date,
): { readonly upcoming: W[]; readonly over: W[] } {
  const upcoming: W[] = [];
  const over: W[] = [];
  for (const window of windows) (windowInstants(window).restoreAt <= now.getTime() ? over : upcoming).push(window);
  return { upcoming, over };
}

/** Whether `now` falls between some window's raise and restore (the fleet's floor is then the plan). */
export function isRaisedAt(windows: readonly SaleWindow[], now: Date): boolean {
  return windows.some((window) => {
    const { raiseAt, restoreAt } = windowInstants(window);
    return now.getTime() >= raiseAt && now.getTime() < restoreAt;
  });
}

/** One scheduled action of the fleet: at a local minute of the window's zone, set min and max tasks. */
export interface FleetScalingStep {
  readonly window: string;
  readonly kind: 'warm-up' | 'cool-down';
  /** Epoch milliseconds. */
  readonly at: number;
  readonly timeZone: string;
  readonly local: LocalMinute;
  readonly minCapacity: number;
  readonly maxCapacity: number;
}

export interface FleetSchedule {
  /** The actions the sale stack creates, in the order they fire. */
  readonly steps: readonly FleetScalingStep[];
  /** Windows over at `now`: no action is created for them. */
  readonly over: readonly SaleWindow[];
}

/** The fleet's scheduled actions as the sale stack creates them at `now` (lib/fleet/sale-scaling.ts). */
export function fleetSchedule(
  config: {
    readonly windows: readonly SaleWindow[];
    readonly fleet: { readonly baselineTasks: number; readonly plannedTasks: number; readonly maxTasks: number };
  },
  now: Date,
): FleetSchedule {
  const { upcoming, over } = partitionWindowsAt(config.windows, now);
  const { baselineTasks, plannedTasks, maxTasks } = config.fleet;
  const steps = upcoming.flatMap((window): FleetScalingStep[] => {
    const times = windowScalingTimes(window);
    const instants = windowInstants(window);
    const base = { window: window.name, timeZone: window.timeZone, maxCapacity: maxTasks };
    return [
      { ...base, kind: 'warm-up', at: instants.raiseAt, local: times.raiseAt, minCapacity: plannedTasks },
      { ...base, kind: 'cool-down', at: instants.restoreAt, local: times.restoreAt, minCapacity: baselineTasks },
    ];
  });
  return { steps: [...steps].sort((a, b) => a.at - b.at), over };
}

/** `2026-11-30 08:00` in UTC, for messages. */
export function formatUtcMinute(instant: number): string {
  return `${new Date(instant).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** `2026-11-30 08:00` on the wall clock of a zone. */
export function formatLocalMinute(at: LocalMinute): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${at.year}-${pad(at.month)}-${pad(at.day)} ${pad(at.hour)}:${pad(at.minute)}`;
}
