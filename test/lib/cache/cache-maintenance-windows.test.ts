import fc from 'fast-check';
import { ConfigError } from '../../../contracts/config/config-error';
import type { SaleWindow } from '../../../contracts/config/schema';
import {
  busyIntervals,
  cacheMaintenanceWindows,
  MAINTENANCE_OVERRUN_MINUTES,
  SNAPSHOT_OVERRUN_MINUTES,
} from '../../../lib/cache/cache-maintenance-windows';

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const MINUTE = 60_000;

/** Every occurrence, over the windows' span, of a weekly `ddd:hh:mm-…` or daily `hh:mm-…` slot. */
function occurrences(slot: string, from: number, to: number, overrunMinutes: number): [number, number][] {
  const weekly = /^([a-z]{3}):(\d\d):(\d\d)-/.exec(slot);
  const daily = /^(\d\d):(\d\d)-/.exec(slot);
  const result: [number, number][] = [];
  for (let day = Math.floor(from / 86_400_000) - 1; day * 86_400_000 < to; day++) {
    const date = new Date(day * 86_400_000);
    if (weekly && DAYS[date.getUTCDay()] !== weekly[1]) continue;
    const [h, m] = weekly ? [Number(weekly[2]), Number(weekly[3])] : [Number(daily![1]), Number(daily![2])];
    const start = day * 86_400_000 + (h * 60 + m) * MINUTE;
    result.push([start, start + (60 + overrunMinutes) * MINUTE]);
  }
  return result;
}

const window = (
  name: string,
  start: string,
  end: string,
  timeZone = 'UTC',
  warmUpMinutes = 45,
  coolDownMinutes = 60,
): SaleWindow => ({ name, start, end, timeZone, warmUpMinutes, coolDownMinutes });

it('never puts maintenance or a snapshot inside any window with its warm-up and cool-down', () => {
  const windowArb = fc
    .record({
      day: fc.integer({ min: 1, max: 28 }),
      hour: fc.integer({ min: 0, max: 23 }),
      hours: fc.integer({ min: 1, max: 12 }),
      warm: fc.integer({ min: 0, max: 120 }),
      cool: fc.integer({ min: 0, max: 120 }),
    })
    .map(({ day, hour, hours, warm, cool }) => {
      const start = new Date(Date.UTC(2026, 10, day, hour));
      const end = new Date(start.getTime() + hours * 3_600_000);
      const local = (d: Date) => d.toISOString().slice(0, 16);
      return window(`w${day}-${hour}`, local(start), local(end), 'UTC', warm, cool);
    });
  fc.assert(
    fc.property(fc.array(windowArb, { minLength: 1, maxLength: 4 }), (windows) => {
      let chosen: ReturnType<typeof cacheMaintenanceWindows>;
      try {
        chosen = cacheMaintenanceWindows(windows);
      } catch (error) {
        // Several windows together may leave no free hour of a day: then the config is refused.
        if (error instanceof ConfigError && error.problems.every((p) => p.includes('no hour of the'))) return;
        throw error;
      }
      for (const busy of busyIntervals(windows)) {
        for (const [slot, overrun] of [
          [chosen.preferredMaintenanceWindow, MAINTENANCE_OVERRUN_MINUTES],
          [chosen.snapshotWindow, SNAPSHOT_OVERRUN_MINUTES],
        ] as const) {
          for (const [a, b] of occurrences(slot, busy.from, busy.to, overrun)) {
            if (a < busy.to && b > busy.from) throw new Error(`${slot} meets ${busy.name}`);
          }
        }
      }
    }),
    { numRuns: 200 },
  );
});

it('writes the windows as ElastiCache reads them (UTC, maintenance weekly, snapshot daily, one hour each)', () => {
  const chosen = cacheMaintenanceWindows([window('drop', '2026-12-01T02:00', '2026-12-01T06:00', 'Europe/Paris')]);
  expect(chosen.preferredMaintenanceWindow).toMatch(
    /^(sun|mon|tue|wed|thu|fri|sat):\d\d:00-(sun|mon|tue|wed|thu|fri|sat):\d\d:00$/,
  );
  expect(chosen.snapshotWindow).toMatch(/^\d\d:00-\d\d:00$/);
  // Tuesday 1 December, 00:15-06:00 UTC with warm-up and cool-down: 03:00-05:00 plus the overrun
  // would reach into it, so Tuesday 06:00.
  expect(chosen.preferredMaintenanceWindow).toBe('tue:06:00-tue:07:00');
});

it('refuses a week-long sale: no hour of the week is left for maintenance, and names it', () => {
  let error: unknown;
  try {
    cacheMaintenanceWindows([
      window('black-week', '2026-11-23T00:00', '2026-11-30T00:00'),
      window('quick-drop', '2026-12-10T10:00', '2026-12-10T11:00'),
    ]);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConfigError);
  const problems = (error as ConfigError).problems.join('\n');
  expect(problems).toMatch(
    /windows: got sale windows black-week that, with their warm-up and cool-down, leave no hour of the week/,
  );
  expect(problems).not.toMatch(/quick-drop/);
});
