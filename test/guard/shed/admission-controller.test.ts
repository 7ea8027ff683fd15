import { createAdmissionController, type PriorityClass } from '../../../guard/shed';
import { isInvalidOptionsError } from '../../../guard/errors';
import { harness, outcome, type Tracked } from './admission-harness';
import { flushPromises } from './fake-scheduler';

const release = (h: ReturnType<typeof harness>, t: Tracked, latencyMs = 1) => h.permit(t).release({ latencyMs });

describe('partition and reservation (limit 10, reserve 0.2: critical 10, high 8 plus the reserve critical lends, normal 6, low 5)', () => {
  const fill = (priority: PriorityClass, n: number) => Array<PriorityClass>(n).fill(priority);
  const seen = (outcome: string, n: number) => Array<string>(n).fill(outcome);
  it.each<[string, PriorityClass[], string[]]>([
    [
      'low stops at 5 in flight: the classes shed first never borrow the reserve',
      fill('low', 6),
      [...seen('admitted', 5), 'waiting'],
    ],
    [
      'normal may go to 6 after low filled 5',
      [...fill('low', 5), 'normal', 'normal'],
      [...seen('admitted', 6), 'waiting'],
    ],
    [
      'high may fill the whole limit while critical is idle',
      [...fill('high', 10), 'high', 'normal', 'low'],
      [...seen('admitted', 10), ...seen('waiting', 3)],
    ],
    [
      'high borrows the reserve after normal filled its ceiling',
      [...fill('normal', 6), ...fill('high', 5)],
      [...seen('admitted', 10), 'waiting'],
    ],
    [
      'critical still gets its 2 reserved slots at once after high took all 10',
      [...fill('high', 10), 'critical', 'critical', 'critical'],
      [...seen('admitted', 12), 'waiting'],
    ],
    [
      'while critical holds its reserve, high stops at 8 in flight',
      [...fill('critical', 2), ...fill('high', 8)],
      [...seen('admitted', 8), ...seen('waiting', 2)],
    ],
    [
      'one critical in flight leaves one reserved slot lent',
      ['critical', ...fill('high', 9)],
      [...seen('admitted', 9), 'waiting'],
    ],
    ['critical may use the whole limit', fill('critical', 11), [...seen('admitted', 10), 'waiting']],
    [
      'once critical fills past the low ceiling, low waits',
      [...fill('critical', 5), 'low', 'normal', 'high'],
      [...seen('admitted', 5), 'waiting', 'admitted', 'admitted'],
    ],
  ])('%s', async (_name, classes, expected) => {
    const h = harness();
    const tracked = classes.map((c, i) => h.track(c, `${c}#${i}`));
    await flushPromises();
    expect(tracked.map(outcome)).toEqual(expected);
    h.controller.close();
  });

  it('borrowers give the reserve back: once critical took its slots beyond the limit, high waits until the total is under its own ceiling', async () => {
    const h = harness();
    const highs = Array.from({ length: 10 }, (_, i) => h.track('high', `h${i}`));
    const criticals = [h.track('critical', 'c0'), h.track('critical', 'c1')];
    const waiter = h.track('high', 'waiter');
    await flushPromises();
    expect([...highs, ...criticals].every((t) => outcome(t) === 'admitted')).toBe(true);
    expect(h.controller.snapshot()).toMatchObject({ inFlight: 12, lent: 0 });
    for (let i = 0; i < 4; i++) release(h, highs[i]);
    await flushPromises();
    expect(outcome(waiter)).toBe('waiting'); // 8 in flight: high's ceiling, nothing lent while critical holds its reserve
    release(h, highs[4]);
    await flushPromises();
    expect(outcome(waiter)).toBe('admitted');
    h.controller.close();
  });

  it('snapshot reports the partition, what is lent, in-flight and queues by class', async () => {
    const h = harness();
    [...Array<PriorityClass>(6).fill('low'), 'critical' as const, 'high' as const].forEach((c) => h.track(c));
    await flushPromises();
    expect(h.controller.snapshot()).toEqual({
      limit: 10,
      inFlight: 7,
      inFlightByClass: { critical: 1, high: 1, normal: 0, low: 5 },
      queuedByClass: { critical: 0, high: 0, normal: 0, low: 1 },
      reserved: 2,
      lent: 1,
      ceilingByClass: { critical: 10, high: 8, normal: 6, low: 5 },
      standingByClass: { critical: false, high: false, normal: false, low: false },
      shedClasses: [],
    });
    h.controller.close();
  });
});

describe('tryAcquire (the path without a promise)', () => {
  it('admits at once under the class ceiling and counts like acquire', () => {
    const h = harness();
    const permits = Array.from({ length: 5 }, () => h.controller.tryAcquire('low'));
    expect(permits.every((p) => p !== undefined && p.queuedMs === 0)).toBe(true);
    expect(h.controller.tryAcquire('low')).toBeUndefined(); // low's ceiling is 5
    expect(h.controller.snapshot().inFlightByClass.low).toBe(5);
    permits[0]!.release({ latencyMs: 1 });
    expect(h.controller.tryAcquire('low')).toBeDefined();
    h.controller.close();
  });

  it('never jumps a queue of its class, and leaves shed classes and a closed controller to acquire', async () => {
    const h = harness({ limit: 1 });
    const holder = h.controller.tryAcquire('high')!;
    const waiter = h.track('high', 'waiter');
    holder.release({ latencyMs: 1 });
    // The slot went to the waiter, so nothing is free; and while a high waits, tryAcquire defers to the queue.
    expect(h.controller.tryAcquire('high')).toBeUndefined();
    await flushPromises();
    expect(outcome(waiter)).toBe('admitted');
    h.permit(waiter).release({ latencyMs: 1 });
    h.controller.setShedClasses(['high']);
    expect(h.controller.tryAcquire('high')).toBeUndefined();
    h.controller.setShedClasses([]);
    h.controller.close();
    expect(h.controller.tryAcquire('critical')).toBeUndefined();
  });

  it('a queue emptied by shedding does not start out standing when requests queue again', async () => {
    const h = harness({
      limit: 1,
      queue: { maxLengthPerClass: 100, targetDelayMs: 5, intervalMs: 100, maxWaitMs: 1000 },
    });
    const holder = h.controller.tryAcquire('high')!;
    // Non-empty for a whole interval: standing (a, past the 5 ms target, times out; b stays queued).
    const a = h.track('high', 'a');
    await h.scheduler.advance(99);
    const b = h.track('high', 'b');
    await h.scheduler.advance(1);
    expect(h.controller.snapshot().standingByClass.high).toBe(true);
    h.controller.setShedClasses(['high']);
    await flushPromises();
    expect([a, b].map(outcome)).toEqual(['queue-timeout', 'degraded']);
    h.controller.setShedClasses([]);
    const later = ['c', 'd'].map((label) => h.track('high', label));
    await flushPromises();
    expect(h.controller.snapshot().standingByClass.high).toBe(false);
    holder.release({ latencyMs: 1 });
    await flushPromises();
    // FIFO again (a standing queue would serve the newest, d, first).
    expect(later.map(outcome)).toEqual(['admitted', 'waiting']);
    h.controller.close();
  });
});

describe('queues', () => {
  it('refuses queue-full beyond maxLengthPerClass, with a retry hint of at least one interval', async () => {
    const h = harness({
      limit: 1,
      queue: { maxLengthPerClass: 2, targetDelayMs: 5, intervalMs: 100, maxWaitMs: 1000 },
    });
    const t = ['a', 'b', 'c', 'd'].map((label) => h.track('high', label));
    await flushPromises();
    expect(t.map(outcome)).toEqual(['admitted', 'waiting', 'waiting', 'queue-full']);
    expect(t[3].result).toMatchObject({ refusal: { retryAfterMs: expect.any(Number) } });
    expect(!t[3].result!.admitted && t[3].result!.refusal.retryAfterMs).toBeGreaterThanOrEqual(100);
    h.controller.close();
  });

  it('serves the queues in strict priority when slots free (equal ceilings)', async () => {
    const h = harness({
      limit: 2,
      concurrency: { initialLimit: 2, minLimit: 2, maxLimit: 2, criticalReservedShare: 0 },
      classShares: { high: 1, normal: 1, low: 1 },
    });
    const holders = [h.track('low', 'h1'), h.track('low', 'h2')];
    const waiting = (['low', 'normal', 'high', 'critical'] as PriorityClass[]).map((c) => h.track(c));
    await flushPromises();
    const order: string[] = [];
    const pending = [...holders];
    while (pending.length > 0) {
      release(h, pending.shift()!);
      await flushPromises();
      for (const w of waiting) {
        if (w.result && !order.includes(w.label)) {
          order.push(w.label);
          pending.push(w);
        }
      }
    }
    expect(order).toEqual(['critical', 'high', 'normal', 'low']);
    h.controller.close();
  });

  it('with the partition, freed slots go to critical first and low last as in-flight falls', async () => {
    const h = harness();
    const holders = Array.from({ length: 10 }, (_, i) => h.track('critical', `c${i}`));
    const waiting = (['low', 'normal', 'high', 'critical'] as PriorityClass[]).map((c) => h.track(c, `w-${c}`));
    await flushPromises();
    const admittedAt: Record<string, number> = {};
    for (let i = 0; i < holders.length; i++) {
      release(h, holders[i]);
      await flushPromises();
      for (const w of waiting) if (w.result?.admitted && admittedAt[w.label] === undefined) admittedAt[w.label] = i + 1;
    }
    // after k releases, in flight = 10 − k + waiters admitted so far; a class is admitted once that is below its ceiling:
    // k=1: 9 < 10 critical; k=4: 7 < 8 high; k=7: 5 < 6 normal; k=9: 4 < 5 low
    expect(admittedAt).toEqual({ 'w-critical': 1, 'w-high': 4, 'w-normal': 7, 'w-low': 9 });
    h.controller.close();
  });

  it('refuses queue-timeout after maxWaitMs when the queue is not standing', async () => {
    const h = harness({
      limit: 1,
      queue: { maxLengthPerClass: 10, targetDelayMs: 5, intervalMs: 10_000, maxWaitMs: 1000 },
    });
    h.track('high', 'holder');
    const waiter = h.track('high', 'waiter');
    await h.scheduler.advance(999);
    expect(outcome(waiter)).toBe('waiting');
    await h.scheduler.advance(1);
    expect(outcome(waiter)).toBe('queue-timeout');
    expect(h.controller.snapshot().queuedByClass.high).toBe(0);
    h.controller.close();
  });

  it('CoDel: a queue with no sojourn under target for an interval stands, and then waiters get only targetDelayMs', async () => {
    const h = harness({ limit: 1 });
    h.track('high', 'holder');
    const arrivals: Array<{ at: number; t: Tracked }> = [];
    const start = h.scheduler.clock.now();
    for (let at = 0; at <= 140; at += 2) {
      arrivals.push({ at, t: h.track('high', `t${at}`) });
      await h.scheduler.advance(2);
    }
    // t = 142: at t = 100 the queue stood (never empty, nothing left within 5 ms): everything older than 5 ms was refused,
    // after that each waiter was refused 5 ms after it arrived.
    const now = h.scheduler.clock.now() - start;
    for (const { at, t } of arrivals) {
      const age = now - at;
      expect({ at, outcome: outcome(t) }).toEqual({ at, outcome: at < 100 || age >= 5 ? 'queue-timeout' : 'waiting' });
    }
    expect(h.controller.snapshot().standingByClass.high).toBe(true);
    h.controller.close();
  });

  it('the critical queue is exempt from CoDel by default: it never stands, stays FIFO and waits up to maxWaitMs', async () => {
    const h = harness({ limit: 1 });
    h.track('critical', 'holder');
    const arrivals: Tracked[] = [];
    for (let at = 0; at <= 140; at += 2) {
      arrivals.push(h.track('critical', `c${at}`));
      await h.scheduler.advance(2);
    }
    // The same arrivals that make a high queue stand (test above) leave every checkout waiting.
    expect(arrivals.map(outcome)).toEqual(arrivals.map(() => 'waiting'));
    expect(h.controller.snapshot().standingByClass.critical).toBe(false);
    await h.scheduler.advance(1000 - 142); // the first waiter has now waited maxWaitMs
    expect(outcome(arrivals[0])).toBe('queue-timeout');
    expect(outcome(arrivals[arrivals.length - 1])).toBe('waiting');
    h.controller.close();
  });

  it('codelExemptClasses can put critical under CoDel too, and refuses unknown classes', async () => {
    const h = harness({ limit: 1, codelExemptClasses: [] });
    h.track('critical', 'holder');
    for (let at = 0; at <= 140; at += 2) {
      h.track('critical', `c${at}`);
      await h.scheduler.advance(2);
    }
    expect(h.controller.snapshot().standingByClass.critical).toBe(true);
    h.controller.close();
    expect(() => harness({ codelExemptClasses: ['urgent' as never] })).toThrow(/codelExemptClasses/);
  });

  it('a standing queue stops standing once it empties, and is FIFO with maxWaitMs again', async () => {
    const h = harness({ limit: 1 });
    const holder = h.track('high', 'holder');
    h.track('high', 'stale');
    await h.scheduler.advance(99);
    const fresh = h.track('high', 'fresh');
    await h.scheduler.advance(1); // t = 100: stands; 'stale' (100 ms) refused, 'fresh' (1 ms) stays
    expect(h.controller.snapshot().standingByClass.high).toBe(true);
    release(h, holder);
    await flushPromises();
    expect(outcome(fresh)).toBe('admitted');
    expect(h.controller.snapshot().standingByClass.high).toBe(false);
    const later = h.track('high', 'later');
    await h.scheduler.advance(50); // would have been refused after 5 ms while standing
    expect(outcome(later)).toBe('waiting');
    h.controller.close();
  });

  it('a queue that moves within the target does not stand', async () => {
    const h = harness({ limit: 1 });
    let holder = h.track('high', 'holder0');
    await flushPromises();
    for (let i = 1; i <= 100; i++) {
      const next = h.track('high', `holder${i}`);
      await h.scheduler.advance(3); // each waits 3 ms < target
      release(h, holder);
      await flushPromises();
      expect(outcome(next)).toBe('admitted');
      holder = next;
    }
    expect(h.controller.snapshot().standingByClass.high).toBe(false);
    h.controller.close();
  });

  it('serves FIFO while the queue is not standing and LIFO once it stands', async () => {
    const h = harness({
      limit: 1,
      queue: { maxLengthPerClass: 100, targetDelayMs: 50, intervalMs: 100, maxWaitMs: 1000 },
    });
    let holder = h.track('high', 'holder');
    const queued: Tracked[] = [];
    for (let i = 0; i < 10; i++) {
      queued.push(h.track('high', `q${i}`));
      await h.scheduler.advance(5);
    }
    // t = 50: not standing yet → the oldest (q0) goes first
    release(h, holder);
    await flushPromises();
    expect(queued.map(outcome).indexOf('admitted')).toBe(0);
    holder = queued[0];
    for (let i = 10; i < 40; i++) {
      queued.push(h.track('high', `q${i}`));
      await h.scheduler.advance(5);
    }
    // t = 200: q0 left at t = 50 exactly within the 50 ms target, then nothing left for an interval → standing since t = 150
    expect(h.controller.snapshot().standingByClass.high).toBe(true);
    release(h, holder);
    await flushPromises();
    const admitted = queued.filter((t) => outcome(t) === 'admitted').map((t) => t.label);
    expect(admitted).toEqual(['q0', 'q39']);
    h.controller.close();
  });
});

describe('abort, head-of-line, shedding and close', () => {
  it('an aborted waiter leaves the queue at once and the next one takes the slot', async () => {
    const h = harness({ limit: 1 });
    const holder = h.track('high', 'holder');
    const controller = new AbortController();
    const quitter = h.track('high', 'quitter', controller.signal);
    const stayer = h.track('high', 'stayer');
    await flushPromises();
    controller.abort();
    await flushPromises();
    expect(outcome(quitter)).toBe('aborted');
    expect(h.controller.snapshot().queuedByClass.high).toBe(1);
    release(h, holder);
    await flushPromises();
    expect(outcome(stayer)).toBe('admitted');
    h.controller.close();
  });

  it('refuses an already-aborted signal without taking a slot', async () => {
    const h = harness({ limit: 1 });
    const t = h.track('critical', 'x', AbortSignal.abort());
    await flushPromises();
    expect(outcome(t)).toBe('aborted');
    expect(h.controller.snapshot().inFlight).toBe(0);
    h.controller.close();
  });

  it('a permit held forever does not stall the others beyond the capacity it takes', async () => {
    const h = harness({
      limit: 4,
      concurrency: { initialLimit: 4, minLimit: 4, maxLimit: 4, criticalReservedShare: 0 },
      classShares: { high: 1, normal: 1, low: 1 },
    });
    h.track('normal', 'stuck'); // never released
    await flushPromises();
    let served = 0;
    for (let round = 0; round < 50; round++) {
      const batch = [h.track('normal'), h.track('normal'), h.track('normal'), h.track('normal')];
      await flushPromises();
      // three slots are free: three run now, the fourth waits only for one of them, not for 'stuck'
      expect(batch.map(outcome)).toEqual(['admitted', 'admitted', 'admitted', 'waiting']);
      await h.scheduler.advance(2);
      release(h, batch[0], 2);
      await flushPromises();
      expect(outcome(batch[3])).toBe('admitted');
      expect(h.permit(batch[3]).queuedMs).toBe(2);
      for (const t of batch.slice(1)) release(h, t, 2);
      served += 4;
    }
    expect(served).toBe(200);
    expect(h.controller.snapshot().inFlight).toBe(1);
    h.controller.close();
  });

  it('setShedClasses refuses the shed classes as degraded, queued ones included', async () => {
    const h = harness({ limit: 1, degradedRetryAfterMs: 2000 });
    h.track('high', 'holder');
    const queuedLow = h.track('low', 'queued-low');
    await flushPromises();
    h.controller.setShedClasses(['low']);
    const newLow = h.track('low', 'new-low');
    const high = h.track('high', 'high');
    await flushPromises();
    expect([outcome(queuedLow), outcome(newLow), outcome(high)]).toEqual(['degraded', 'degraded', 'waiting']);
    expect(newLow.result).toEqual({ admitted: false, refusal: { reason: 'degraded', retryAfterMs: 2000 } });
    h.controller.setShedClasses([]);
    expect(outcome(h.track('low'))).toBe('waiting');
    h.controller.close();
  });

  it('close refuses every queued request and all later ones, and leaves no timer', async () => {
    const h = harness({ limit: 1 });
    const holder = h.track('high', 'holder');
    const queued = [h.track('low'), h.track('critical'), h.track('high')];
    await flushPromises();
    expect(h.scheduler.pending).toBe(1);
    h.controller.close();
    const late = h.track('critical', 'late');
    await flushPromises();
    expect([...queued, late].map(outcome)).toEqual(['closed', 'closed', 'closed', 'closed']);
    expect(h.scheduler.pending).toBe(0);
    release(h, holder); // harmless after close
    release(h, holder); // and twice
    expect(h.controller.snapshot().inFlight).toBe(0);
  });
});

describe('adaptive limit through permits', () => {
  const concurrency = { initialLimit: 20, minLimit: 10, maxLimit: 30, criticalReservedShare: 0.2 };
  // windowSize 1: a window closes at the first release 250 ms after it opened, so each batch below is one window.

  /** One window's worth of traffic: `count` critical requests (at most the limit) admitted, held `latencyMs`, released; 250 ms in all. */
  async function window(
    h: ReturnType<typeof harness>,
    count: number,
    latencyMs: number,
    dropped = false,
  ): Promise<void> {
    const batch = Array.from({ length: Math.min(count, h.controller.snapshot().limit) }, () => h.track('critical'));
    await flushPromises();
    await h.scheduler.advance(latencyMs);
    for (const t of batch) if (t.result?.admitted) h.permit(t).release({ latencyMs, dropped });
    await h.scheduler.advance(250 - latencyMs);
  }

  /**
   * The gate's first probe: the first release pins the limit to 10; the next release (admitted
   * after the pin, 50 ms) makes the probe window, and the one after closes it: baseline 50 ms, limit
   * back to 20. The other releases (9 in flight at most, under half the limit) leave it there.
   */
  async function firstProbe(h: ReturnType<typeof harness>): Promise<void> {
    await window(h, 9, 50);
    expect(h.controller.snapshot().limit).toBe(10);
    await window(h, 9, 50);
    expect(h.controller.snapshot().limit).toBe(20);
    await window(h, 9, 50);
    expect(h.controller.snapshot().limit).toBe(20);
  }

  it('updates the limit once per window of released permits: drops cut it once per window, steady latency under use raises it, within [minLimit, maxLimit]', async () => {
    const h = harness({ concurrency, sampling: { windowSize: 1, probeIntervalMs: 600_000 } });
    await firstProbe(h);
    await window(h, 20, 50, true); // 20 drops in one window…
    await window(h, 1, 50);
    expect(h.controller.snapshot().limit).toBe(18); // …one cut
    for (let i = 0; i < 10; i++) await window(h, 20, 50, true);
    expect(h.controller.snapshot().limit).toBe(10);
    for (let i = 0; i < 300; i++) await window(h, h.controller.snapshot().limit, 50);
    expect(h.controller.snapshot().limit).toBe(30);
    h.controller.close();
  });

  it('permits released within one window do not compound: the limit does not run away in a burst', async () => {
    const h = harness({
      concurrency: { ...concurrency, maxLimit: 512 },
      sampling: { windowSize: 1, probeIntervalMs: 600_000 },
    });
    await firstProbe(h);
    for (let i = 0; i < 20; i++) {
      const batch = Array.from({ length: 20 }, () => h.track('critical'));
      await flushPromises();
      for (const t of batch) if (t.result?.admitted) h.permit(t).release({ latencyMs: 50 });
    }
    await h.scheduler.advance(250);
    await window(h, 1, 50);
    expect(h.controller.snapshot().limit).toBe(20); // 400 releases, one window: 20.8
    h.controller.close();
  });

  it('the first release pins the limit to minLimit for one window to measure the no-load latency', async () => {
    const h = harness({ concurrency, sampling: { windowSize: 1 } });
    await window(h, 20, 100); // 20 admitted under the initial limit; the first release pins it
    expect(h.controller.snapshot().limit).toBe(10);
    expect(h.controller.snapshot().ceilingByClass.critical).toBe(10);
    await window(h, 20, 20); // at most 10 admitted, 20 ms each: the baseline
    await window(h, 1, 20);
    expect(h.controller.snapshot().limit).toBe(20);
    h.controller.close();
  });
});

describe('options', () => {
  const good = {
    concurrency: { initialLimit: 64, minLimit: 8, maxLimit: 512, criticalReservedShare: 0.2 },
    queue: { maxLengthPerClass: 100, targetDelayMs: 5, intervalMs: 100, maxWaitMs: 1000 },
  };
  it.each<[string, object]>([
    ['initialLimit', { concurrency: { ...good.concurrency, initialLimit: 600 } }],
    ['concurrency.criticalReservedShare', { concurrency: { ...good.concurrency, criticalReservedShare: 1 } }],
    ['queue.targetDelayMs', { queue: { ...good.queue, targetDelayMs: 0 } }],
    ['queue.maxLengthPerClass', { queue: { ...good.queue, maxLengthPerClass: 1.5 } }],
    ['queue.maxWaitMs', { queue: { ...good.queue, maxWaitMs: -1 } }],
    ['classShares.normal', { classShares: { high: 0.5, normal: 0.9, low: 0.1 } }],
  ])('rejects a bad %s at construction', (option, override) => {
    let caught: unknown;
    try {
      createAdmissionController({ ...good, ...override });
    } catch (error) {
      caught = error;
    }
    expect(isInvalidOptionsError(caught) && caught.option).toBe(option);
  });

  it('accepts the gate section of the worked example config as is', async () => {
    const { loadConfig } = await import('../../../contracts/config/load-config');
    const config = await Promise.resolve(loadConfig('saleday.config.json'));
    const controller = createAdmissionController(config.gate);
    expect(controller.snapshot().limit).toBe(64);
    controller.close();
  });
});
