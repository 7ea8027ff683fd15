import {
  FlagsDocumentSchema,
  initialFlags,
  openBreakers,
  type FlagsDocument,
} from '../../../contracts/flags/flags-document';
import { nextFlagsVersion } from '../../../contracts/flags/flags-version';
import type { ControllerCommand } from '../../../lambda/flag-controller/controller-commands';
import {
  decide,
  type AlarmEffectBinding,
  type AlarmStateValue,
  type DecidePolicy,
} from '../../../lambda/flag-controller/decide';

const T0 = Date.parse('2026-11-27T09:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);

const LATENCY = 'saleday-t-latency';
const CPU = 'saleday-t-cpu';
const ERRORS = 'saleday-t-errors';
const OVERLOAD = 'saleday-t-overload';
const PAYMENTS = 'saleday-t-payments';
const MEMORY = 'saleday-t-memory';

const effects: AlarmEffectBinding[] = [
  { name: LATENCY, effect: { type: 'degrade', level: 1 } },
  { name: CPU, effect: { type: 'degrade', level: 1 } },
  { name: ERRORS, effect: { type: 'degrade', level: 2 } },
  { name: OVERLOAD, effect: { type: 'degrade', level: 3 } },
  { name: PAYMENTS, effect: { type: 'breaker', dependency: 'payments' } },
  { name: MEMORY, effect: { type: 'notify' } },
];
const policy: DecidePolicy = {
  calmPeriodSeconds: 120,
  breakerCalmSeconds: 60,
  maxOverrideSeconds: 3600,
  levels: [1, 2, 3],
};

type Hot = Partial<Record<string, AlarmStateValue>>;

/** Every configured alarm OK unless listed; `extra` adds alarms of other sales. */
function alarms(hot: Hot, extra: Hot = {}) {
  const names = [...effects.map((e) => e.name), ...Object.keys(extra)];
  return names.map((name) => ({
    name,
    state: hot[name] ?? extra[name] ?? ('OK' as AlarmStateValue),
    updatedAt: new Date(T0),
  }));
}

/** Runs a decision and, when it writes, checks the document against the contract. */
function step(
  current: FlagsDocument,
  seconds: number,
  hot: Hot | undefined,
  command?: ControllerCommand,
  extra: Hot = {},
) {
  const decision = decide({
    alarms: hot === undefined ? undefined : alarms(hot, extra),
    effects,
    current,
    now: at(seconds),
    policy,
    command,
  });
  if (decision.next) {
    FlagsDocumentSchema.parse(decision.next);
    expect(decision.next.version).toBe(nextFlagsVersion(current.version, at(seconds).getTime()));
  }
  return decision;
}

/** Applies a sequence of cycles, keeping the last written document. */
function run(
  cycles: Array<[seconds: number, hot: Hot | undefined, command?: ControllerCommand]>,
  start: FlagsDocument = initialFlags(new Date(0)),
) {
  let doc = start;
  const outcomes: Array<{ level: number; open: string[]; wrote: boolean; changes: string[] }> = [];
  for (const [seconds, hot, command] of cycles) {
    const { next, changes } = step(doc, seconds, hot, command);
    if (next) doc = next;
    outcomes.push({ level: doc.level, open: openBreakers(doc), wrote: next !== undefined, changes });
  }
  return { doc, outcomes };
}

const override = (fields: Partial<Extract<ControllerCommand, { action: 'override' }>>): ControllerCommand => ({
  action: 'override',
  ttlSeconds: 600,
  reason: 'payments provider incident',
  actor: 'alice',
  ...fields,
});

describe('decide', () => {
  it('changes nothing when every alarm is calm and nothing is pending', () => {
    expect(step(initialFlags(new Date(0)), 0, {})).toEqual({ next: undefined, changes: [] });
  });

  it.each([
    ['one level-1 alarm', { [LATENCY]: 'ALARM' }, 1, LATENCY],
    ['a level-2 alarm', { [ERRORS]: 'ALARM' }, 2, ERRORS],
    [
      'conflicting alarms: the highest level wins',
      { [LATENCY]: 'ALARM', [ERRORS]: 'ALARM', [CPU]: 'ALARM' },
      2,
      ERRORS,
    ],
    ['every alarm', { [LATENCY]: 'ALARM', [ERRORS]: 'ALARM', [OVERLOAD]: 'ALARM' }, 3, OVERLOAD],
  ] as Array<[string, Hot, number, string]>)('escalates at once on %s', (_name, hot, level, cause) => {
    const { next, changes } = step(initialFlags(new Date(0)), 0, hot);
    expect(next?.level).toBe(level);
    expect(changes).toEqual([`level 0 → ${level}: alarm ${cause} in ALARM`]);
    expect(next?.reason).toBe(changes[0]);
    expect(next?.history[0]).toMatchObject({
      version: at(0).getTime(),
      level,
      reason: changes[0],
      at: at(0).toISOString(),
    });
  });

  it('names every alarm asking for the new level', () => {
    const { changes } = step(initialFlags(new Date(0)), 0, { [LATENCY]: 'ALARM', [CPU]: 'ALARM' });
    expect(changes).toEqual([`level 0 → 1: alarms ${CPU}, ${LATENCY} in ALARM`]);
  });

  it('rises at once from a lower level while recovering', () => {
    const { outcomes } = run([
      [0, { [LATENCY]: 'ALARM' }],
      [30, { [ERRORS]: 'ALARM' }],
    ]);
    expect(outcomes.map((o) => o.level)).toEqual([1, 2]);
  });

  it('recovers one level at a time, each after a calm period', () => {
    const { outcomes } = run([
      [0, { [OVERLOAD]: 'ALARM' }], // 3
      [60, {}], // calm since 0: not yet
      [119, {}],
      [120, {}], // 120 s calm → 2
      [200, {}], // the step at 120 starts a new calm period
      [240, {}], // → 1
      [359, {}],
      [360, {}], // → 0
      [480, {}], // nothing left to do
    ]);
    expect(outcomes.map((o) => o.level)).toEqual([3, 3, 3, 2, 2, 1, 1, 0, 0]);
    expect(outcomes.map((o) => o.wrote)).toEqual([true, false, false, true, false, true, false, true, false]);
    expect(outcomes[3].changes).toEqual(['level 3 → 2: no alarm asked for level 3 or above for 120 s']);
  });

  it('steps through the configured levels only', () => {
    const sparse = { ...policy, levels: [1, 3] };
    let doc = decide({
      alarms: alarms({ [OVERLOAD]: 'ALARM' }),
      effects,
      current: initialFlags(new Date(0)),
      now: at(0),
      policy: sparse,
    }).next!;
    doc = decide({ alarms: alarms({}), effects, current: doc, now: at(120), policy: sparse }).next!;
    expect(doc.level).toBe(1);
  });

  it('stops recovering at the level still asked for, and restarts the calm period while an alarm is hot', () => {
    const { outcomes } = run([
      [0, { [ERRORS]: 'ALARM', [LATENCY]: 'ALARM' }], // 2
      [60, { [LATENCY]: 'ALARM' }], // level-2 alarm calm since its last sighting at 0
      [120, { [LATENCY]: 'ALARM' }], // → 1, held by the level-1 alarm
      [300, { [LATENCY]: 'ALARM' }],
      [360, {}], // level-1 alarm last seen hot at 300
      [419, {}],
      [420, {}], // → 0
    ]);
    expect(outcomes.map((o) => o.level)).toEqual([2, 2, 1, 1, 1, 1, 0]);
  });

  it('keeps the level while an alarm stays hot: bookkeeping writes, no history entry, no change reported', () => {
    const { doc, outcomes } = run([
      [0, { [LATENCY]: 'ALARM' }],
      [60, { [LATENCY]: 'ALARM' }],
      [120, { [LATENCY]: 'ALARM' }],
    ]);
    expect(outcomes.map((o) => [o.level, o.changes.length])).toEqual([
      [1, 1],
      [1, 0],
      [1, 0],
    ]);
    expect(doc.history).toHaveLength(1);
    expect(doc.automatic?.lastHotAt['level:1']).toBe(at(120).toISOString());
    expect(doc.reason).toBe(`level 0 → 1: alarm ${LATENCY} in ALARM`);
  });

  it('treats INSUFFICIENT_DATA as not in ALARM (recovers after the calm period)', () => {
    const { outcomes } = run([
      [0, { [ERRORS]: 'ALARM' }],
      [60, { [ERRORS]: 'INSUFFICIENT_DATA' }],
      [120, { [ERRORS]: 'INSUFFICIENT_DATA' }],
    ]);
    expect(outcomes.map((o) => o.level)).toEqual([2, 2, 1]);
  });

  it('ignores alarms it has no effect for (other sales, notify-only)', () => {
    const decision = step(initialFlags(new Date(0)), 0, { [MEMORY]: 'ALARM' }, undefined, {
      'someone-else-cpu': 'ALARM',
    });
    expect(decision).toEqual({ next: undefined, changes: [] });
  });

  it('opens a breaker at once and closes it after the breaker calm period', () => {
    const { doc, outcomes } = run([
      [0, { [PAYMENTS]: 'ALARM' }],
      [20, { [PAYMENTS]: 'ALARM' }],
      [50, {}],
      [79, {}],
      [80, {}], // 60 s after the last sighting at 20
    ]);
    expect(outcomes.map((o) => o.open)).toEqual([['payments'], ['payments'], ['payments'], ['payments'], []]);
    expect(outcomes[0].changes).toEqual([`breaker payments opened: alarm ${PAYMENTS} in ALARM`]);
    expect(outcomes[4].changes).toEqual(['breaker payments closed: its alarm calm for 60 s']);
    expect(doc.breakers.payments).toEqual({
      open: false,
      since: at(80).toISOString(),
      reason: 'breaker payments closed: its alarm calm for 60 s',
    });
    expect(doc.level).toBe(0);
  });

  it('moves level and breakers independently in one cycle', () => {
    const { next, changes } = step(initialFlags(new Date(0)), 0, { [PAYMENTS]: 'ALARM', [ERRORS]: 'ALARM' });
    expect(next?.level).toBe(2);
    expect(openBreakers(next!)).toEqual(['payments']);
    expect(changes).toHaveLength(2);
    expect(next?.history).toHaveLength(1);
    expect(next?.history[0].openBreakers).toEqual(['payments']);
  });

  it('lets an unexpired override win, keeps the automatic layer evolving, and expires on its own', () => {
    const { outcomes, doc } = run([
      [0, {}, override({ level: 3, ttlSeconds: 600 })],
      [60, { [LATENCY]: 'ALARM' }], // alarms ask for 1; the override keeps 3
      [599, { [LATENCY]: 'ALARM' }],
      [600, { [LATENCY]: 'ALARM' }], // expired: back to what the alarms ask for
    ]);
    expect(outcomes.map((o) => o.level)).toEqual([3, 3, 3, 1]);
    expect(outcomes[0].changes).toEqual([
      `override by alice for 600 s, level 3 until ${at(600).toISOString()}: payments provider incident`,
      'level 0 → 3: override by alice',
    ]);
    expect(outcomes[1].changes).toEqual([
      `automatic level 0 → 1 (alarm ${LATENCY} in ALARM); the override keeps level 3`,
    ]);
    expect(outcomes[3].changes).toEqual([
      'override by alice expired (payments provider incident)',
      'level 3 → 1: override ended; the alarms ask for level 1',
    ]);
    expect(doc.override).toBeNull();
  });

  it('lets an override hold the level below what the alarms ask for', () => {
    const { outcomes } = run([
      [0, { [ERRORS]: 'ALARM' }],
      [10, { [ERRORS]: 'ALARM' }, override({ level: 0, reason: 'false alarm: synthetic load' })],
      [20, { [ERRORS]: 'ALARM' }],
    ]);
    expect(outcomes.map((o) => o.level)).toEqual([2, 0, 0]);
    expect(outcomes[1].changes[1]).toBe('level 2 → 0: override by alice');
  });

  it('forces breakers open or closed against the alarms', () => {
    const { outcomes } = run([
      [0, { [PAYMENTS]: 'ALARM' }],
      [10, { [PAYMENTS]: 'ALARM' }, override({ breakers: { payments: false, inventory: true } })],
      [20, { [PAYMENTS]: 'ALARM' }],
    ]);
    expect(outcomes.map((o) => o.open)).toEqual([['payments'], ['inventory'], ['inventory']]);
    expect(outcomes[1].changes).toContain('breaker payments closed: override by alice');
    expect(outcomes[1].changes).toContain('breaker inventory opened: override by alice');
  });

  it('merges a second override into the first, each lever keeping its own expiry', () => {
    const { doc } = run([
      [0, {}, override({ level: 2, ttlSeconds: 900 })],
      [60, {}, override({ breakers: { payments: true }, ttlSeconds: 600, reason: 'provider down', actor: 'bob' })],
    ]);
    expect(doc.override).toEqual({
      level: 2,
      levelExpiresAt: at(900).toISOString(),
      breakers: { payments: true },
      breakerExpiresAt: { payments: at(660).toISOString() },
      expiresAt: at(900).toISOString(),
      reason: 'provider down',
      actor: 'bob',
      setAt: at(60).toISOString(),
    });
    expect(doc.level).toBe(2);
    expect(openBreakers(doc)).toEqual(['payments']);
  });

  it('does not let a shorter breaker override cut a level override short (fake clock through both expiries)', () => {
    const { outcomes, doc } = run([
      [0, {}, override({ level: 2, ttlSeconds: 900, reason: 'TV spot' })],
      [60, {}, override({ breakers: { payments: true }, ttlSeconds: 600, reason: 'provider down', actor: 'bob' })],
      [659, {}], // both levers in force
      [660, {}], // the breaker's 10 minutes are up; the level's 15 are not
      [899, {}],
      [900, {}], // the level's time is up too
    ]);
    expect(outcomes.map((o) => [o.level, o.open])).toEqual([
      [2, []],
      [2, ['payments']],
      [2, ['payments']],
      [2, []],
      [2, []],
      [0, []],
    ]);
    expect(outcomes[3].changes).toEqual([
      'override of breaker payments by bob expired; its other levers stay',
      'breaker payments closed: override ended; the alarms decide again',
    ]);
    expect(outcomes[5].changes).toEqual([
      'override by bob expired (provider down)',
      'level 2 → 0: override ended; the alarms ask for level 0',
    ]);
    expect(doc.override).toBeNull();
  });

  it('lets a breaker outlive a shorter level override', () => {
    const { outcomes } = run([
      [0, {}, override({ breakers: { payments: true }, ttlSeconds: 900 })],
      [0, {}, override({ level: 3, ttlSeconds: 300 })],
      [300, {}],
    ]);
    expect(outcomes.map((o) => [o.level, o.open])).toEqual([
      [0, ['payments']],
      [3, ['payments']],
      [0, ['payments']],
    ]);
    expect(outcomes[2].changes[0]).toBe('override of level 3 by alice expired; its other levers stay');
  });

  it('reads an override written before levers had their own expiry: expiresAt applies to every lever', () => {
    const legacy: FlagsDocument = {
      ...initialFlags(new Date(0)),
      version: 4,
      level: 2,
      override: {
        level: 2,
        breakers: { payments: true },
        expiresAt: at(600).toISOString(),
        reason: 'old',
        actor: 'alice',
        setAt: at(0).toISOString(),
      },
    };
    expect(step(legacy, 599, {}).next?.override ?? legacy.override).toMatchObject({ level: 2 });
    const { next, changes } = step(legacy, 600, {});
    expect(next?.override).toBeNull();
    expect(changes[0]).toBe('override by alice expired (old)');
  });

  it('caps an override at maxOverrideSeconds and says so', () => {
    const { next, changes } = step(initialFlags(new Date(0)), 0, {}, override({ level: 1, ttlSeconds: 86_400 }));
    expect(next?.override?.expiresAt).toBe(at(3600).toISOString());
    expect(changes[0]).toContain('(asked 86400 s, capped at 3600 s)');
  });

  it('clears an override: the flags follow the alarms again', () => {
    const { outcomes, doc } = run([
      [0, { [LATENCY]: 'ALARM' }, override({ level: 3 })],
      [30, { [LATENCY]: 'ALARM' }, { action: 'clear', reason: 'incident over', actor: 'carol' }],
    ]);
    expect(outcomes.map((o) => o.level)).toEqual([3, 1]);
    expect(outcomes[1].changes).toEqual([
      'override by alice cleared by carol: incident over',
      'level 3 → 1: override ended; the alarms ask for level 1',
    ]);
    expect(doc.override).toBeNull();
  });

  it('does nothing for a clear without an override', () => {
    expect(step(initialFlags(new Date(0)), 0, {}, { action: 'clear', reason: 'just in case', actor: 'carol' })).toEqual(
      { next: undefined, changes: [] },
    );
  });

  it('leaves the automatic layer alone when the alarms are not known (the CLI against a local Redis)', () => {
    const { doc } = run([
      [0, { [ERRORS]: 'ALARM' }],
      [500, undefined, override({ breakers: { payments: true } })],
    ]);
    expect(doc.level).toBe(2); // 500 s without alarm readings must not count as calm
    expect(doc.automatic?.levelChangedAt).toBe(at(0).toISOString());
  });

  it('keeps at most 20 history entries, newest first, and versions only grow', () => {
    const cycles: Array<[number, Hot]> = [];
    for (let i = 0; i < 30; i += 1) cycles.push([i * 200, i % 2 === 0 ? { [PAYMENTS]: 'ALARM' } : {}]);
    const { doc } = run(cycles);
    expect(doc.history).toHaveLength(20);
    expect(doc.history[0].version).toBe(doc.version);
    expect(doc.history.map((h) => h.version)).toEqual([...doc.history.map((h) => h.version)].sort((a, b) => b - a));
  });

  it("adopts a document written without an automatic block as the alarms' doing", () => {
    const legacy: FlagsDocument = { ...initialFlags(at(0)), version: 7, level: 2, reason: 'set by hand' };
    expect(step(legacy, 60, { [ERRORS]: 'ALARM' }).changes).toEqual([]);
    expect(step(legacy, 120, {}).next?.level).toBe(1);
  });
});

describe('decide: versions across a lost document', () => {
  it('writes a version above every earlier one when it starts again from an empty store', () => {
    // The earlier document was written a minute ago at the clock's version; the store then lost it.
    const lost = run([[0, { [ERRORS]: 'ALARM' }]]).doc;
    const fresh = step(initialFlags(new Date(0)), 60, { [LATENCY]: 'ALARM' }).next;
    expect(fresh?.version).toBe(at(60).getTime());
    expect(fresh!.version).toBeGreaterThan(lost.version);
  });

  it("still grows by one when this controller's clock is behind the previous writer's", () => {
    const ahead: FlagsDocument = { ...initialFlags(at(0)), version: at(3600).getTime() };
    expect(step(ahead, 0, { [ERRORS]: 'ALARM' }).next?.version).toBe(at(3600).getTime() + 1);
  });
});
