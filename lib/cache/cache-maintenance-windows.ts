/**
 * The cache's weekly maintenance window and daily snapshot window, chosen outside every sale window
 * with its warm-up and cool-down, so ElastiCache never patches, fails over or forks for a snapshot
 * in the middle of a sale. Both are UTC, as ElastiCache reads them. A config that leaves no such
 * hour is refused, naming the windows in the way.
 */
import { ConfigError } from '../../contracts/config/config-error';
import type { SaleWindow } from '../../contracts/config/schema';
import { zonedToInstant } from '../../contracts/config/window-schedule';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK_DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
/** Preferred order: mid-week, early morning UTC first. */
const DAY_PREFERENCE = [2, 3, 4, 1, 0, 6, 5];
const HOUR_PREFERENCE = Array.from({ length: 24 }, (_, i) => (i + 3) % 24);

/** ElastiCache's shortest windows are one hour; updates and snapshots can run past their window's end. */
export const MAINTENANCE_OVERRUN_MINUTES = 120;
export const SNAPSHOT_OVERRUN_MINUTES = 60;

export interface CacheMaintenanceWindows {
  /** `ddd:hh24:mi-ddd:hh24:mi`, UTC. */
  readonly preferredMaintenanceWindow: string;
  /** `hh24:mi-hh24:mi`, UTC. */
  readonly snapshotWindow: string;
}

interface Busy {
  readonly name: string;
  readonly from: number;
  readonly to: number;
}

/** Each window from `start − warmUpMinutes` to `end + coolDownMinutes`, as instants. */
export function busyIntervals(windows: readonly SaleWindow[]): Busy[] {
  return windows.map((w) => ({
    name: w.name,
    from: zonedToInstant(w.start, w.timeZone) - w.warmUpMinutes * MINUTE,
    to: zonedToInstant(w.end, w.timeZone) + w.coolDownMinutes * MINUTE,
  }));
}

/** Sale windows met by a slot that recurs every `period` ms at `offset` (from the Unix epoch, a Thursday 00:00 UTC) and lasts `length`. */
function clashes(busy: readonly Busy[], period: number, offset: number, length: number): string[] {
  return busy
    .filter((b) => {
      const first = Math.floor((b.from - offset - length) / period) * period + offset;
      for (let start = first; start < b.to; start += period) {
        if (start + length > b.from && start < b.to) return true;
      }
      return false;
    })
    .map((b) => b.name);
}

const EPOCH_WEEKDAY = 4; // 1970-01-01 was a Thursday
const hhmm = (minutes: number) =>
  `${String(Math.floor(minutes / 60) % 24).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/** The first free weekly maintenance hour, as (day, hour), or undefined. */
function freeMaintenanceHour(busy: readonly Busy[]): { day: number; hour: number } | undefined {
  for (const day of DAY_PREFERENCE) {
    for (const hour of HOUR_PREFERENCE) {
      const offset = (((day - EPOCH_WEEKDAY + 7) % 7) * DAY + hour * HOUR) % (7 * DAY);
      if (clashes(busy, 7 * DAY, offset, HOUR + MAINTENANCE_OVERRUN_MINUTES * MINUTE).length === 0)
        return { day, hour };
    }
  }
  return undefined;
}

/** The first free daily snapshot hour, not the maintenance hour nor the one before it, or undefined. */
function freeSnapshotHour(busy: readonly Busy[], maintenanceHour: number | undefined): number | undefined {
  return HOUR_PREFERENCE.find(
    (hour) =>
      hour !== maintenanceHour &&
      (hour + 1) % 24 !== maintenanceHour &&
      clashes(busy, DAY, hour * HOUR, HOUR + SNAPSHOT_OVERRUN_MINUTES * MINUTE).length === 0,
  );
}

/** The windows to name when no slot is free: those that leave none on their own, else all of them. */
function inTheWay(busy: readonly Busy[], free: (busy: readonly Busy[]) => unknown): string {
  const alone = busy.filter((b) => free([b]) === undefined);
  return (alone.length > 0 ? alone : busy).map((b) => b.name).join(', ');
}

export function cacheMaintenanceWindows(windows: readonly SaleWindow[]): CacheMaintenanceWindows {
  const busy = busyIntervals(windows);
  const problems: string[] = [];
  const maintenance = freeMaintenanceHour(busy);
  if (!maintenance) {
    problems.push(
      `windows: got sale windows ${inTheWay(busy, freeMaintenanceHour)} that, with their warm-up and cool-down, leave no hour of the week (plus ${MAINTENANCE_OVERRUN_MINUTES} minutes for updates to finish) free for the cache's weekly maintenance; expected at least one such hour: shorten or split the windows`,
    );
  }
  const snapshotHour = freeSnapshotHour(busy, maintenance?.hour);
  if (snapshotHour === undefined) {
    problems.push(
      `windows: got sale windows ${inTheWay(busy, (b) => freeSnapshotHour(b, maintenance?.hour))} that, with their warm-up and cool-down, leave no hour of the day (plus ${SNAPSHOT_OVERRUN_MINUTES} minutes for the snapshot to finish) free for the cache's daily snapshot; expected the windows of each day, with their warm-up and cool-down, to leave ${1 + SNAPSHOT_OVERRUN_MINUTES / 60} hours free`,
    );
  }
  if (problems.length > 0) throw new ConfigError('cache maintenance and snapshot windows', problems);
  const m = maintenance!;
  const endDay = m.hour === 23 ? (m.day + 1) % 7 : m.day;
  return {
    preferredMaintenanceWindow: `${WEEK_DAYS[m.day]}:${hhmm(m.hour * 60)}-${WEEK_DAYS[endDay]}:${hhmm(m.hour * 60 + 60)}`,
    snapshotWindow: `${hhmm(snapshotHour! * 60)}-${hhmm(snapshotHour! * 60 + 60)}`,
  };
}
