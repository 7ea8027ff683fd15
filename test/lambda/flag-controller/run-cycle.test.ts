import { initialFlags, type FlagsDocument } from '../../../contracts/flags/flags-document';
import type { FlagsStore } from '../../../guard/flags/flags-store';
import { MemoryFlags } from '../../../guard/flags/memory-flags';
import type { AlarmEffectBinding, AlarmState } from '../../../lambda/flag-controller/decide';
import {
  isFlagsWriteConflictError,
  runControllerCycle,
  type ControllerCycleDeps,
  type CycleLogger,
} from '../../../lambda/flag-controller/run-cycle';

const NOW = new Date('2026-11-27T09:00:00Z');
const effects: AlarmEffectBinding[] = [{ name: 'saleday-t-errors', effect: { type: 'degrade', level: 2 } }];
const hot: AlarmState[] = [{ name: 'saleday-t-errors', state: 'ALARM', updatedAt: NOW }];

function recordingLogger() {
  const lines: Array<[string, string]> = [];
  const logger: CycleLogger = {
    info: (m) => lines.push(['info', m]),
    warn: (m) => lines.push(['warn', m]),
    error: (m) => lines.push(['error', m]),
  };
  return { logger, lines };
}

function deps(
  overrides: Partial<ControllerCycleDeps> = {},
): ControllerCycleDeps & { announced: string[][]; measured: number[] } {
  const announced: string[][] = [];
  const measured: number[] = [];
  return {
    store: new MemoryFlags(),
    effects,
    policy: { calmPeriodSeconds: 120, breakerCalmSeconds: 60 },
    readAlarms: async () => hot,
    announce: async (_doc, changes) => {
      announced.push(changes);
    },
    metrics: (doc) => measured.push(doc.level),
    announced,
    measured,
    ...overrides,
  };
}

describe('runControllerCycle', () => {
  it('writes, announces and measures a change; then only measures when nothing changes', async () => {
    const d = deps({ readAlarms: async () => [] });
    await d.store.write({ ...initialFlags(NOW), version: 1 });
    const unchanged = await runControllerCycle(d, { kind: 'schedule' }, NOW);
    expect(unchanged).toMatchObject({ outcome: 'unchanged', changes: [], attempts: 1 });

    const written = await runControllerCycle(
      { ...d, readAlarms: async () => hot },
      { kind: 'alarm-event', alarmName: 'saleday-t-errors', state: 'ALARM' },
      NOW,
    );
    expect(written).toMatchObject({ outcome: 'written', attempts: 1, document: { version: NOW.getTime(), level: 2 } });
    expect(d.announced).toEqual([['level 0 → 2: alarm saleday-t-errors in ALARM']]);
    expect(d.measured).toEqual([0, 2]);
  });

  it('does not announce a bookkeeping-only write', async () => {
    const d = deps();
    await runControllerCycle(d, { kind: 'schedule' }, NOW);
    const again = await runControllerCycle(d, { kind: 'schedule' }, new Date(NOW.getTime() + 60_000));
    expect(again.outcome).toBe('written');
    expect(again.changes).toEqual([]);
    expect(d.announced).toHaveLength(1);
  });

  it('keeps the written flags when announcing fails, and logs the failure', async () => {
    const { logger, lines } = recordingLogger();
    const d = deps({ logger, announce: async () => Promise.reject(new Error('SNS throttled')) });
    const result = await runControllerCycle(d, { kind: 'schedule' }, NOW);
    expect(result.outcome).toBe('written');
    expect((await d.store.read())?.level).toBe(2);
    expect(lines).toContainEqual(['error', 'announcing the change failed; the flags are written']);
  });

  it('decides again from the newer document after losing a race, and gives up after maxAttempts', async () => {
    let stored: FlagsDocument = { ...initialFlags(NOW), version: 1 };
    let writes = 0;
    // Another controller always gets in first: each of our writes finds a document one version newer.
    const busy: FlagsStore = {
      read: async () => stored,
      write: async (doc) => {
        writes += 1;
        stored = { ...stored, version: doc.version };
        return { written: false, current: stored };
      },
      close: async () => undefined,
    };
    const error = await runControllerCycle(deps({ store: busy, maxAttempts: 3 }), { kind: 'schedule' }, NOW).catch(
      (e: unknown) => e,
    );
    expect(isFlagsWriteConflictError(error)).toBe(true);
    expect((error as Error).message).toMatch(/gave up after 3/);
    expect(writes).toBe(3);
  });

  it('applies a command without reading alarms when none are available (the CLI against a local Redis)', async () => {
    const d = deps({ readAlarms: undefined });
    const result = await runControllerCycle(
      d,
      { kind: 'command', command: { action: 'override', level: 1, ttlSeconds: 60, reason: 'drill', actor: 'alice' } },
      NOW,
    );
    expect(result.document).toMatchObject({ level: 1, override: { actor: 'alice' }, automatic: { level: 0 } });
  });

  it('rewrites a missing document at level 0 when the alarms are calm (decide alone sees no change)', async () => {
    const d = deps({ readAlarms: async () => [] });
    const result = await runControllerCycle(d, { kind: 'schedule' }, NOW);
    expect(result).toMatchObject({ outcome: 'written', changes: [], document: { version: NOW.getTime(), level: 0 } });
    expect(await d.store.read()).toMatchObject({
      version: NOW.getTime(),
      level: 0,
      reason: expect.stringMatching(/missing/),
    });
    expect(d.announced).toEqual([]);
  });

  it('rewrites its own view, above the stored version, when the store rolled back or lost the document', async () => {
    const { logger, lines } = recordingLogger();
    const d = deps({ logger, readAlarms: async () => hot });
    const raised = await runControllerCycle(d, { kind: 'schedule' }, NOW);
    const later = new Date(NOW.getTime() + 1000);
    // A failover dropped the last write: the store holds an older document at level 0.
    const rolledBack = new MemoryFlags({ ...initialFlags(NOW), version: 5 });
    const result = await runControllerCycle(
      { ...d, store: rolledBack, lastKnown: raised.document },
      { kind: 'schedule' },
      later,
    );
    expect(result.outcome).toBe('written');
    expect(result.document.level).toBe(2);
    expect(result.document.version).toBeGreaterThan(raised.document.version);
    expect((await rolledBack.read())?.version).toBe(result.document.version);
    expect(lines.some(([level, m]) => level === 'warn' && /rewritten/.test(m))).toBe(true);
  });

  it('trusts a stored document newer than its view (another writer got there first)', async () => {
    const d = deps({ readAlarms: async () => [] });
    const newer: FlagsDocument = {
      ...initialFlags(NOW),
      version: NOW.getTime() + 5,
      level: 1,
      reason: 'set by a person',
    };
    await d.store.write(newer);
    const result = await runControllerCycle(
      { ...d, lastKnown: { ...initialFlags(NOW), version: 3 } },
      { kind: 'schedule' },
      NOW,
    );
    expect(result).toMatchObject({ outcome: 'unchanged', document: { version: newer.version, level: 1 } });
  });
});
