import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isConfigError } from '../../../contracts/config/config-error';
import { parseConfig } from '../../../contracts/config/load-config';

const example = JSON.parse(readFileSync(join(__dirname, '../../../saleday.config.json'), 'utf8'));

/* eslint-disable @typescript-eslint/no-explicit-any -- edits reach into an untyped copy of the example, as a person editing the file would */
function withRoom(room: any, edit: (c: any) => void = () => {}): unknown {
  const config = structuredClone(example);
  config.waitingRoom = room;
  edit(config);
  return config;
}

function problemsOf(config: unknown): string {
  try {
    parseConfig(config);
  } catch (error) {
    if (isConfigError(error)) return error.problems.join('\n');
    throw error;
  }
  return '';
}

describe('the waitingRoom config section', () => {
  it('is optional: the example has no room', () => {
    expect(parseConfig(example).waitingRoom).toBeUndefined();
  });

  it('fills in defaults for an enabled room', () => {
    expect(parseConfig(withRoom({ enabled: true })).waitingRoom).toEqual({
      enabled: true,
      passMinutes: 15,
      passMaxMinutes: 60,
      drops: [],
      initialRatePerSecond: 20,
      minRatePerSecond: 1,
      maxRatePerSecond: 1000,
      joinsPerIpLimit: 300,
      sessionMinutes: 10,
    });
  });

  it('refuses a join limit below the WAF minimum, naming the field', () => {
    expect(() => parseConfig(withRoom({ enabled: true, joinsPerIpLimit: 5 }))).toThrow(/waitingRoom\.joinsPerIpLimit/);
  });

  it('accepts a drop inside its window and an opening level the degradation defines', () => {
    const window = example.windows[0];
    const room = parseConfig(
      withRoom({ enabled: true, openAtLevel: 2, drops: [{ window: window.name, at: window.start }] }),
    ).waitingRoom;
    expect(room?.drops).toEqual([{ window: window.name, at: window.start, preQueueMinutes: 30 }]);
    expect(room?.openAtLevel).toBe(2);
  });

  const w = example.windows[0];
  const rules: Array<[string, unknown, RegExp]> = [
    [
      'an unknown field',
      withRoom({ enabled: true, passSeconds: 5 }),
      /waitingRoom\.passSeconds: unknown key "passSeconds" in waitingRoom/,
    ],
    [
      'a pass of 0 minutes',
      withRoom({ passMinutes: 0 }),
      /waitingRoom\.passMinutes: got 0; expected a number at least 1/,
    ],
    [
      'a cap shorter than the pass',
      withRoom({ passMinutes: 30, passMaxMinutes: 20 }),
      /waitingRoom\.passMaxMinutes: got 20; expected at least passMinutes \(30\)/,
    ],
    [
      'a minimum rate above the maximum',
      withRoom({ minRatePerSecond: 50, maxRatePerSecond: 10, initialRatePerSecond: 20 }),
      /waitingRoom\.minRatePerSecond: got 50; expected at most maxRatePerSecond \(10\)/,
    ],
    [
      'an initial rate outside the bounds',
      withRoom({ initialRatePerSecond: 5000 }),
      /waitingRoom\.initialRatePerSecond: got 5000; expected a rate between minRatePerSecond \(1\) and maxRatePerSecond \(1000\)/,
    ],
    [
      'a negative rate',
      withRoom({ minRatePerSecond: -1 }),
      /waitingRoom\.minRatePerSecond: got -1; expected a number greater than 0/,
    ],
    [
      'an opening level no degradation defines',
      withRoom({ openAtLevel: 7 }),
      /waitingRoom\.openAtLevel: got 7; expected a level defined in degradation \(1, 2, 3\)/,
    ],
    [
      'a drop in an unknown window',
      withRoom({ drops: [{ window: 'easter', at: w.start }] }),
      /waitingRoom\.drops\[0\]\.window: got "easter"; expected the name of a sale window/,
    ],
    [
      'a drop outside its window',
      withRoom({ drops: [{ window: w.name, at: w.end }] }),
      new RegExp(`waitingRoom\\.drops\\[0\\]\\.at: got "${w.end}"; expected a time within window ${w.name}`),
    ],
    [
      'a drop time that is not a local date-time',
      withRoom({ drops: [{ window: w.name, at: '9am' }] }),
      /waitingRoom\.drops\[0\]\.at: got "9am"; expected a local date-time/,
    ],
    [
      'a pre-queue longer than a day',
      withRoom({ drops: [{ window: w.name, at: w.start, preQueueMinutes: 2000 }] }),
      /waitingRoom\.drops\[0\]\.preQueueMinutes: got 2000; expected a number at most 1440/,
    ],
  ];
  it.each(rules)('refuses %s, naming the field, the value and what was expected', (_name, config, expected) => {
    expect(problemsOf(config)).toMatch(expected);
  });
});
