import { Gradient2Limit, type Gradient2Options, type WindowSample } from '../../../guard/shed';
import { isInvalidOptionsError } from '../../../guard/errors';

const base = { initialLimit: 20, minLimit: 5, maxLimit: 40 };
const used = (rttMs: number, maxInFlight = 40): WindowSample => ({ rttMs, maxInFlight, dropped: false });

/** A limit whose baseline is 10 ms (one window at no more than minLimit in flight: a free probe). */
function withBaseline(options: Partial<Gradient2Options> = {}): Gradient2Limit {
  const limit = new Gradient2Limit({ ...base, ...options });
  limit.onSample({ rttMs: 10, maxInFlight: 1, dropped: false });
  return limit;
}

describe('Gradient2Limit, one update per window', () => {
  it('grows by smoothing × queueSize per window while latency holds and the limit is used', () => {
    const limit = withBaseline();
    limit.onSample(used(10, 20));
    // gradient 1 (capped), allowance min(4, √20) = 4: 20 × 0.8 + (20 + 4) × 0.2 = 20.8
    expect(limit.limit).toBe(20);
    limit.onSample(used(10, 20));
    expect(limit.limit).toBe(21); // 21.6
  });

  it('grows by a constant per window however large the limit (no √limit compounding)', () => {
    const limit = new Gradient2Limit({ initialLimit: 400, minLimit: 8, maxLimit: 512 });
    limit.onSample({ rttMs: 10, maxInFlight: 1, dropped: false });
    for (let i = 0; i < 10; i++) limit.onSample(used(10, 400));
    expect(limit.limit).toBe(408); // 10 windows × 0.2 × 4
  });

  it('never grows past maxLimit', () => {
    const limit = withBaseline();
    for (let i = 0; i < 500; i++) limit.onSample(used(10, limit.limit));
    expect(limit.limit).toBe(40);
  });

  it('does not move while the application uses less than half the limit', () => {
    const limit = withBaseline();
    for (let i = 0; i < 50; i++) limit.onSample(used(10, 9));
    for (let i = 0; i < 50; i++) limit.onSample(used(100, 9));
    expect(limit.limit).toBe(20);
  });

  it.each([
    // window latency with a 10 ms baseline → expected limit after one window
    [15, 'within tolerance (1.5 × baseline): grows', (after: number) => after >= 20],
    [20, 'above tolerance: shrinks', (after: number) => after < 20],
    [
      1000,
      'an outlier window: shrinks by at most half, at once (down is not smoothed)',
      (after: number) => after === Math.floor(20 * 0.5 + 4),
    ],
  ])('a window of %d ms: %s', (latencyMs, _what, check) => {
    const limit = withBaseline();
    expect(limit.limit).toBe(20);
    limit.onSample(used(latencyMs, 20));
    expect(check(limit.limit)).toBe(true);
  });

  it('a latency collapse (1000× the baseline) drives the limit down to minLimit and no further', () => {
    const limit = withBaseline();
    for (let i = 0; i < 60; i++) limit.onSample(used(10_000, 40));
    expect(limit.limit).toBe(5);
  });

  it('a sustained overload does not drift back up: the baseline stays the no-load latency, not the overloaded average', () => {
    const limit = withBaseline({ maxLimit: 512, initialLimit: 64, minLimit: 5 });
    // An app of 4 workers × 5 ms (10 ms at 8 in flight): latency = in-flight / 4 × 5 ms.
    for (let i = 0; i < 2000; i++) limit.onSample(used((limit.limit / 4) * 5, limit.limit));
    // settles where latency ≈ 1.5 × 10 ms (12 in flight) plus the allowance (√16 = 4)
    expect(limit.limit).toBeGreaterThanOrEqual(12);
    expect(limit.limit).toBeLessThanOrEqual(16);
    expect(limit.baselineRttMs).toBe(10);
    expect(limit.longRttMs).toBeGreaterThan(15);
  });

  it('recovers after the overload: once latency is back to normal the limit grows again', () => {
    const limit = withBaseline();
    for (let i = 0; i < 100; i++) limit.onSample(used(400, 40));
    const low = limit.limit;
    expect(low).toBeLessThan(10);
    for (let i = 0; i < 50; i++) limit.onSample(used(10, limit.limit));
    expect(limit.limit).toBeGreaterThan(low + 5);
  });

  it('a faster window lowers the baseline; a window at no more than minLimit in flight re-measures it either way', () => {
    const limit = withBaseline();
    limit.onSample(used(8, 20));
    expect(limit.baselineRttMs).toBe(8);
    limit.onSample(used(30, 20)); // slower, but under load: queueing, not a new baseline
    expect(limit.baselineRttMs).toBe(8);
    limit.onSample(used(30, 5)); // slower at minLimit in flight: the app itself is slower now
    expect(limit.baselineRttMs).toBe(30);
  });

  it('the first window gives the baseline whatever the load', () => {
    const limit = new Gradient2Limit(base);
    expect(limit.baselineRttMs).toBe(0);
    limit.onSample(used(50, 20));
    expect(limit.baselineRttMs).toBe(50);
  });

  it('cuts multiplicatively once per drop window, bounded by minLimit; dropped windows never set the baseline', () => {
    const limit = new Gradient2Limit(base);
    expect(limit.onSample({ rttMs: 10, maxInFlight: 20, dropped: true })).toBe(18);
    expect(limit.onSample({ maxInFlight: 20, dropped: true })).toBe(16); // 16.2
    for (let i = 0; i < 50; i++) limit.onSample({ maxInFlight: 20, dropped: true });
    expect(limit.limit).toBe(5);
    expect(limit.baselineRttMs).toBe(0);
  });

  describe('probes', () => {
    it('pins the limit to minLimit, then takes the probe window as the baseline and returns to the previous limit', () => {
      const limit = withBaseline({ initialLimit: 30 });
      limit.onSample(used(300, 30)); // an overloaded window shrinks the limit a little
      const before = limit.limit;
      expect(limit.startProbe()).toBe(5);
      expect(limit.probing).toBe(true);
      expect(limit.onSample(used(12, 5))).toBe(before);
      expect(limit.probing).toBe(false);
      expect(limit.baselineRttMs).toBe(12);
    });

    it('a probe window with a drop returns to the previous limit cut by backoffRatio', () => {
      const limit = withBaseline();
      limit.startProbe();
      expect(limit.endProbe({ rttMs: 12, maxInFlight: 5, dropped: true })).toBe(18);
      expect(limit.baselineRttMs).toBe(12);
    });

    it('a probe given up without a window keeps the baseline and returns to the previous limit', () => {
      const limit = withBaseline();
      limit.startProbe();
      limit.startProbe(); // twice is harmless: it still returns to 20, not to minLimit
      expect(limit.endProbe()).toBe(20);
      expect(limit.baselineRttMs).toBe(10);
      expect(limit.endProbe()).toBe(20); // and ending when not probing changes nothing
    });
  });

  it('treats a zero latency as tiny rather than dividing by zero', () => {
    const limit = new Gradient2Limit(base);
    limit.onSample(used(0, 20));
    limit.onSample(used(10, 20));
    expect(Number.isFinite(limit.limit)).toBe(true);
    expect(limit.baselineRttMs).toBe(0.001);
    expect(limit.limit).toBe(14); // 20.8 after the first window; the second is far above a 1 µs baseline: down at once to 20.8 × 0.5 + 4
  });

  it.each<[string, Partial<Gradient2Options>]>([
    ['minLimit', { minLimit: 0 }],
    ['maxLimit', { maxLimit: 4 }],
    ['initialLimit', { initialLimit: 41 }],
    ['initialLimit', { initialLimit: 4 }],
    ['smoothing', { smoothing: 0 }],
    ['rttTolerance', { rttTolerance: 0.5 }],
    ['queueSize', { queueSize: 0 }],
    ['longWindow', { longWindow: 0 }],
    ['backoffRatio', { backoffRatio: 1 }],
  ])('rejects a bad %s', (option, override) => {
    let caught: unknown;
    try {
      new Gradient2Limit({ ...base, ...override });
    } catch (error) {
      caught = error;
    }
    expect(isInvalidOptionsError(caught) && caught.option).toBe(option);
  });
});
