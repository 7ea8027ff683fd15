import fc from 'fast-check';
import { PRIORITY_CLASSES, type PriorityClass } from '../../../guard/shed';
import { partitionLimit } from '../../../guard/shed/priority-partition';
import { harness, type Tracked } from './admission-harness';
import { flushPromises } from './fake-scheduler';

type Op =
  | { kind: 'acquire'; priority: PriorityClass; abortable: boolean }
  | { kind: 'release'; pick: number; latencyMs: number; dropped: boolean }
  | { kind: 'abort'; pick: number }
  | { kind: 'advance'; ms: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('acquire' as const),
      priority: fc.constantFrom(...PRIORITY_CLASSES),
      abortable: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('release' as const),
      pick: fc.nat(),
      latencyMs: fc.integer({ min: 0, max: 500 }),
      dropped: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('abort' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 300 }) }) },
);

interface Run {
  limit: number;
  share: number;
  ops: Op[];
}

/** Admissions during one step, by whether they were critical. */
interface AdmittedNow {
  critical: number;
  other: number;
}

async function execute(
  { limit, share, ops }: Run,
  adaptive: boolean,
  check: (
    h: ReturnType<typeof harness>,
    admittedNow: AdmittedNow,
    op: Op,
    before: { criticalInFlight: number; immediate: boolean },
  ) => void,
): Promise<void> {
  const h = harness({
    concurrency: adaptive
      ? {
          initialLimit: limit,
          minLimit: Math.max(1, Math.floor(limit / 4)),
          maxLimit: limit * 4,
          criticalReservedShare: share,
        }
      : { initialLimit: limit, minLimit: limit, maxLimit: limit, criticalReservedShare: share },
    queue: { maxLengthPerClass: 5, targetDelayMs: 5, intervalMs: 100, maxWaitMs: 1000 },
  });
  const all: Array<{ t: Tracked; abort?: AbortController; released: boolean }> = [];
  const admittedSeen: AdmittedNow = { critical: 0, other: 0 };
  try {
    for (const op of ops) {
      const snapshot = h.controller.snapshot();
      const before = { criticalInFlight: snapshot.inFlightByClass.critical, immediate: false };
      let fresh: Tracked | undefined;
      if (op.kind === 'acquire') {
        const abort = op.abortable ? new AbortController() : undefined;
        fresh = h.track(op.priority, `${op.priority}#${all.length}`, abort?.signal);
        all.push({ t: fresh, abort, released: false });
      } else if (op.kind === 'release') {
        const held = all.filter((e) => e.t.result?.admitted && !e.released);
        if (held.length > 0) {
          const entry = held[op.pick % held.length];
          entry.released = true;
          h.permit(entry.t).release({ latencyMs: op.latencyMs, dropped: op.dropped });
        }
      } else if (op.kind === 'abort') {
        const abortable = all.filter((e) => e.abort && !e.t.result);
        if (abortable.length > 0) abortable[op.pick % abortable.length].abort!.abort();
      } else {
        await h.scheduler.advance(op.ms);
      }
      await flushPromises();
      before.immediate = fresh?.result?.admitted === true;
      const admitted = all.filter((e) => e.t.result?.admitted);
      const critical = admitted.filter((e) => e.t.priority === 'critical').length;
      const other = admitted.length - critical;
      check(h, { critical: critical - admittedSeen.critical, other: other - admittedSeen.other }, op, before);
      admittedSeen.critical = critical;
      admittedSeen.other = other;
    }
  } finally {
    h.controller.close();
  }
}

const runArb = fc.record({
  limit: fc.integer({ min: 1, max: 20 }),
  share: fc.constantFrom(0, 0.1, 0.2, 0.5),
  ops: fc.array(opArb, { minLength: 1, maxLength: 120 }),
});

describe('admission properties', () => {
  it('with a fixed limit: critical always gets its reserved share at once, only high uses reserved slots and only those critical neither holds nor waits for, and nobody waits while a slot is free for them', async () => {
    await fc.assert(
      fc.asyncProperty(runArb, async (run) => {
        const { reserved, ceilingByClass } = partitionLimit(run.limit, run.share);
        await execute(run, false, (h, admittedNow, op, before) => {
          const s = h.controller.snapshot();
          const critical = s.inFlightByClass.critical;
          const others = s.inFlight - critical;
          const criticalWaiting = s.queuedByClass.critical;
          if (op.kind === 'acquire' && op.priority === 'critical' && before.criticalInFlight < reserved) {
            expect(before.immediate).toBe(true);
          }
          // The others never exceed the limit; critical goes past it only into the slots it had lent.
          expect(others).toBeLessThanOrEqual(s.limit);
          expect(s.inFlight).toBeLessThanOrEqual(s.limit + reserved);
          if (admittedNow.other > 0) {
            expect(criticalWaiting).toBe(0);
            expect(others).toBeLessThanOrEqual(s.limit - Math.min(reserved, critical));
          }
          // Work-conserving: a class waits only while it has no slot, lent ones included.
          expect(s.lent).toBe(Math.max(0, reserved - critical - criticalWaiting));
          if (criticalWaiting > 0) expect(s.inFlight >= s.limit && critical >= reserved).toBe(true);
          if (s.queuedByClass.high > 0) expect(s.inFlight).toBeGreaterThanOrEqual(ceilingByClass.high + s.lent);
          for (const cls of ['normal', 'low'] as const) {
            if (s.queuedByClass[cls] > 0) expect(s.inFlight).toBeGreaterThanOrEqual(ceilingByClass[cls]);
            // The classes shed first never borrow: with nothing lent their ceiling binds as before.
            expect(s.inFlightByClass[cls]).toBeLessThanOrEqual(ceilingByClass[cls]);
          }
          const inFlightSum = PRIORITY_CLASSES.reduce((n, c) => n + s.inFlightByClass[c], 0);
          expect(inFlightSum).toBe(s.inFlight);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('with the adaptive limit: every admission happens within the limit of that moment, critical past it only into its reserve', async () => {
    await fc.assert(
      fc.asyncProperty(runArb, async (run) => {
        await execute(run, true, (h, admittedNow) => {
          const s = h.controller.snapshot();
          const critical = s.inFlightByClass.critical;
          if (admittedNow.other > 0) expect(s.inFlight - critical).toBeLessThanOrEqual(s.limit);
          if (admittedNow.critical > 0) expect(s.inFlight <= s.limit || critical <= s.reserved).toBe(true);
          expect(s.limit).toBeGreaterThanOrEqual(Math.max(1, Math.floor(run.limit / 4)));
          expect(s.limit).toBeLessThanOrEqual(run.limit * 4);
        });
      }),
      { numRuns: 300 },
    );
  });
});
