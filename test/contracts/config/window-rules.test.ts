import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isConfigError } from '../../../contracts/config/config-error';
import { parseConfig } from '../../../contracts/config/load-config';
import { calendarProblem } from '../../../contracts/config/window-rules';

const example = JSON.parse(readFileSync(join(__dirname, '../../../saleday.config.json'), 'utf8'));

function problemsOf(edit: (raw: typeof example) => void): string {
  const raw = structuredClone(example);
  edit(raw);
  try {
    parseConfig(raw);
  } catch (error) {
    if (isConfigError(error)) return error.problems.join('\n');
    throw error;
  }
  return '';
}

describe('sale window rules', () => {
  it.each<[string, (c: typeof example) => void, RegExp]>([
    [
      'a day February does not have',
      (c) => (c.windows[0].start = '2026-02-30T10:00'),
      /windows\[0\]\.start: got "2026-02-30T10:00"; expected a date that exists: 2026-02 has 28 days/,
    ],
    [
      'the 31st of a 30-day month',
      (c) => (c.windows[1].end = '2026-11-31T02:00'),
      /windows\[1\]\.end: got "2026-11-31T02:00"; expected a date that exists: 2026-11 has 30 days/,
    ],
    [
      'month 13',
      (c) => (c.windows[0].start = '2026-13-01T10:00'),
      /windows\[0\]\.start: got "2026-13-01T10:00"; expected a month from 01 to 12/,
    ],
    [
      'hour 24',
      (c) => (c.windows[0].end = '2026-11-30T24:00'),
      /windows\[0\]\.end: got "2026-11-30T24:00"; expected an hour from 00 to 23/,
    ],
    [
      'minute 60',
      (c) => (c.windows[0].end = '2026-11-30T23:60'),
      /windows\[0\]\.end: got "2026-11-30T23:60"; expected minutes from 00 to 59/,
    ],
    [
      'an end equal to the start, written with seconds',
      (c) => (c.windows[0].end = '2026-11-30T08:00:00'),
      /windows\[0\]\.end: got "2026-11-30T08:00:00"; expected end to be after start \(2026-11-30T08:00 Europe\/Paris\): a window that ends when it starts never runs/,
    ],
    [
      'an end before the start',
      (c) => (c.windows[0].end = '2026-11-30T07:59'),
      /windows\[0\]\.end: got "2026-11-30T07:59"; expected end to be after start .* ends before it starts/,
    ],
    [
      'a window inside another one',
      (c) => Object.assign(c.windows[1], { start: '2026-11-30T20:00', end: '2026-11-30T21:00' }),
      /windows\[1\]\.start: got "2026-11-30T20:00"; expected window midnight-drop to start its warm-up \(2026-11-30 18:30 UTC\) after window cyber-monday ends its cool-down \(2026-11-30 23:00 UTC\): .*cool-down drop the fleet to its baseline in the middle of midnight-drop/,
    ],
    [
      'a warm-up inside the previous cool-down',
      (c) => Object.assign(c.windows[1], { start: '2026-12-01T00:20', end: '2026-12-01T02:00' }),
      /windows\[1\]\.start: .*warm-up \(2026-11-30 22:50 UTC\) after window cyber-monday ends its cool-down \(2026-11-30 23:00 UTC\)/,
    ],
    [
      'a warm-up at the very minute the previous cool-down ends (the order of the two actions is not defined)',
      (c) => Object.assign(c.windows[1], { start: '2026-12-01T00:30', end: '2026-12-01T02:00' }),
      /windows\[1\]\.start: .*warm-up \(2026-11-30 23:00 UTC\) after window cyber-monday ends its cool-down \(2026-11-30 23:00 UTC\)/,
    ],
    [
      'windows in different zones that overlap in real time',
      (c) => {
        c.windows[0] = {
          name: 'new-york',
          start: '2026-12-10T10:00',
          end: '2026-12-10T12:00',
          timeZone: 'America/New_York',
        };
        c.windows[1] = {
          name: 'london',
          start: '2026-12-10T15:00',
          end: '2026-12-10T16:30',
          timeZone: 'Europe/London',
          warmUpMinutes: 0,
          coolDownMinutes: 0,
        };
      },
      // new-york: 15:00-17:00 UTC, raised 14:15-18:00 UTC; london 15:00 is inside it, though 15:00 > 10:00 on the wall clocks.
      /windows\[1\]\.start: got "2026-12-10T15:00"; expected window london to start its warm-up \(2026-12-10 15:00 UTC\) after window new-york ends its cool-down \(2026-12-10 18:00 UTC\)/,
    ],
  ])('refuses %s, naming the field', (_label, edit, expected) => {
    expect(problemsOf(edit)).toMatch(expected);
  });

  it('accepts windows one minute apart, a leap day and seconds', () => {
    expect(problemsOf((c) => Object.assign(c.windows[1], { start: '2026-12-01T00:31', end: '2026-12-01T02:00' }))).toBe(
      '',
    );
    expect(
      problemsOf((c) => Object.assign(c.windows[0], { start: '2028-02-29T10:00', end: '2028-02-29T12:00:30' })),
    ).toBe('');
  });

  it('reports each overlap once, against the window it runs into', () => {
    const problems = problemsOf((c) => {
      c.windows.push({ name: 'third', start: '2026-11-30T12:00', end: '2026-11-30T13:00', timeZone: 'Europe/Paris' });
    });
    expect(problems.split('\n')).toEqual([
      expect.stringMatching(/^windows\[2\]\.start: .*window third .* window cyber-monday/),
    ]);
  });
});

describe('calendarProblem', () => {
  it.each([
    ['2026-02-28T23:59', undefined],
    ['2028-02-29T00:00', undefined],
    ['2026-02-29T00:00', 'expected a date that exists: 2026-02 has 28 days'],
    ['2026-04-31T00:00', 'expected a date that exists: 2026-04 has 30 days'],
    ['2026-00-10T00:00', 'expected a month from 01 to 12, got 00'],
    ['2026-01-10T10:00:61', 'expected seconds from 00 to 59, got 61'],
    ['not a date', undefined],
  ])('%s → %s', (text, problem) => {
    expect(calendarProblem(text)).toBe(problem);
  });
});
