import {
  fleetSchedule,
  oneShotCron,
  partitionWindowsAt,
  windowScalingTimes,
  zonedToInstant,
} from '../../../contracts/config/window-schedule';
import type { SaleWindow } from '../../../contracts/config/schema';

const window = (w: Partial<SaleWindow>): SaleWindow => ({
  name: 'w',
  start: '2026-11-30T08:00',
  end: '2026-11-30T23:00',
  timeZone: 'UTC',
  warmUpMinutes: 45,
  coolDownMinutes: 60,
  ...w,
});

describe('windowScalingTimes', () => {
  it.each([
    [
      'same day, Paris winter time',
      window({ timeZone: 'Europe/Paris' }),
      { hour: 7, minute: 15, day: 30, month: 11 },
      { hour: 0, minute: 0, day: 1, month: 12 },
    ],
    [
      'warm-up into the previous day',
      window({ start: '2026-12-04T00:00', end: '2026-12-04T02:00', warmUpMinutes: 30, coolDownMinutes: 30 }),
      { hour: 23, minute: 30, day: 3, month: 12 },
      { hour: 2, minute: 30, day: 4, month: 12 },
    ],
    [
      'across the new year',
      window({ start: '2027-01-01T00:10', end: '2027-01-01T01:00', warmUpMinutes: 20, coolDownMinutes: 0 }),
      { hour: 23, minute: 50, day: 31, month: 12, year: 2026 },
      { hour: 1, minute: 0, day: 1, month: 1, year: 2027 },
    ],
    // Paris springs forward 02:00 → 03:00 on 2026-03-29: one real hour before 03:30 CEST is 01:30 CET.
    [
      'across a DST change',
      window({
        start: '2026-03-29T03:30',
        end: '2026-03-29T05:00',
        timeZone: 'Europe/Paris',
        warmUpMinutes: 60,
        coolDownMinutes: 30,
      }),
      { hour: 1, minute: 30, day: 29, month: 3 },
      { hour: 5, minute: 30, day: 29, month: 3 },
    ],
    [
      'New York',
      window({
        start: '2026-11-27T06:00',
        end: '2026-11-27T12:00',
        timeZone: 'America/New_York',
        warmUpMinutes: 90,
        coolDownMinutes: 15,
      }),
      { hour: 4, minute: 30, day: 27, month: 11 },
      { hour: 12, minute: 15, day: 27, month: 11 },
    ],
  ])('%s', (_label, w, raise, restore) => {
    const times = windowScalingTimes(w);
    expect(times.raiseAt).toMatchObject(raise);
    expect(times.restoreAt).toMatchObject(restore);
    expect(times.timeZone).toBe(w.timeZone);
  });
});

describe('zonedToInstant', () => {
  it.each([
    ['2026-11-30T08:00', 'UTC', '2026-11-30T08:00:00.000Z'],
    ['2026-11-30T08:00', 'Europe/Paris', '2026-11-30T07:00:00.000Z'],
    ['2026-07-01T08:00', 'Europe/Paris', '2026-07-01T06:00:00.000Z'],
    ['2026-11-27T09:00', 'Asia/Kolkata', '2026-11-27T03:30:00.000Z'],
  ])('%s in %s is %s', (local, zone, iso) => {
    expect(new Date(zonedToInstant(local, zone)).toISOString()).toBe(iso);
  });

  it('rejects a value that is not a local date-time', () => {
    expect(() => zonedToInstant('tomorrow', 'UTC')).toThrow(
      'expected a local date-time like 2026-11-27T09:00, got "tomorrow"',
    );
  });
});

it('oneShotCron gives the fields of a single run', () => {
  expect(oneShotCron({ year: 2026, month: 11, day: 30, hour: 7, minute: 5 })).toEqual({
    minute: '5',
    hour: '7',
    day: '30',
    month: '11',
    year: '2026',
  });
});

describe('fleetSchedule', () => {
  const fleet = { baselineTasks: 2, plannedTasks: 12, maxTasks: 40 };
  const paris = window({ name: 'paris', start: '2026-11-30T08:00', end: '2026-11-30T23:00', timeZone: 'Europe/Paris' });
  const tokyo = window({
    name: 'tokyo',
    start: '2026-11-30T09:00',
    end: '2026-11-30T10:00',
    timeZone: 'Asia/Tokyo',
    warmUpMinutes: 30,
    coolDownMinutes: 30,
  });

  it('lists the actions in the order they fire, across zones', () => {
    const { steps, over } = fleetSchedule({ windows: [paris, tokyo], fleet }, new Date('2026-11-01T00:00:00Z'));
    expect(over).toEqual([]);
    // Tokyo 09:00 is 00:00 UTC, before Paris 08:00 (07:00 UTC), though listed second.
    expect(
      steps.map((s) => `${s.window}-${s.kind} ${new Date(s.at).toISOString()} ${s.minCapacity}/${s.maxCapacity}`),
    ).toEqual([
      'tokyo-warm-up 2026-11-29T23:30:00.000Z 12/40',
      'tokyo-cool-down 2026-11-30T01:30:00.000Z 2/40',
      'paris-warm-up 2026-11-30T06:15:00.000Z 12/40',
      'paris-cool-down 2026-11-30T23:00:00.000Z 2/40',
    ]);
    expect(steps[0]!.local).toEqual({ year: 2026, month: 11, day: 30, hour: 8, minute: 30 });
  });

  it('leaves out a window once its cool-down has passed, not before', () => {
    expect(partitionWindowsAt([paris, tokyo], new Date('2026-11-30T01:29:59Z')).over).toEqual([]);
    expect(partitionWindowsAt([paris, tokyo], new Date('2026-11-30T01:30:00Z')).over.map((w) => w.name)).toEqual([
      'tokyo',
    ]);
    expect(fleetSchedule({ windows: [paris, tokyo], fleet }, new Date('2026-12-01T00:00:00Z')).steps).toEqual([]);
  });
});
