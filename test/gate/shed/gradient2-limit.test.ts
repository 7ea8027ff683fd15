import { Gradient2Limit, type Gradient2Options } from '../../../gate/shed';
import { isInvalidOptionsError } from '../../../gate/errors';

const base = { initialLimit: 20, minLimit: 5, maxLimit: 40 };

describe('Gradient2Limit', () => {
  it('grows by about √limit × smoothing per sample while latency holds and the limit is used', () => {
    const limit = new Gradient2Limit(base);
    limit.onSample(10, 20);
    // gradient 1 (capped), target = 20 + √20, smoothed: 20 × 0.8 + (20 + 4.47) × 0.2 = 20.89
    expect(limit.limit).toBe(20);
    limit.onSample(10, 20);
    expect(limit.limit).toBe(21);
  });

  it('never grows past maxLimit', () => {
    const limit = new Gradient2Limit(base);
    for (let i = 0; i < 500; i++) limit.onSample(10, limit.limit);
    expect(limit.limit).toBe(40);
  });

  it('does not grow while the application uses less than half the limit', () => {
    const limit = new Gradient2Limit(base);
    for (let i = 0; i < 50; i++) limit.onSample(10, 9);
    expect(limit.limit).toBe(20);
  });

  it.each([
    // latency after a warm-up at 10 ms → expected limit after one sample
    [15, 'within tolerance (1.5 × long RTT): grows', (after: number) => after >= 20],
    [20, 'above tolerance: shrinks', (after: number) => after < 20],
    [1000, 'an outlier: shrinks by at most half, smoothed', (after: number) => after >= Math.floor(20 * 0.8 + (20 * 0.5 + Math.sqrt(20)) * 0.2)],
  ])('a sample of %d ms: %s', (latencyMs, _what, check) => {
    const limit = new Gradient2Limit({ ...base, warmupWindow: 10 });
    for (let i = 0; i < 10; i++) limit.onSample(10, 1); // app-limited warm-up: long RTT learns 10 ms, limit stays
    expect(limit.limit).toBe(20);
    limit.onSample(latencyMs, 20);
    expect(check(limit.limit)).toBe(true);
  });

  it('a latency collapse (1000× normal) drives the limit down to minLimit and no further', () => {
    const limit = new Gradient2Limit({ ...base, longWindow: 600 });
    for (let i = 0; i < 10; i++) limit.onSample(10, 1);
    for (let i = 0; i < 60; i++) limit.onSample(10_000, 40);
    expect(limit.limit).toBe(5);
  });

  it('a sustained 50× latency settles the limit well below where it started (the long RTT slowly accepts a new normal)', () => {
    const limit = new Gradient2Limit({ ...base, longWindow: 600 });
    for (let i = 0; i < 10; i++) limit.onSample(10, 1);
    for (let i = 0; i < 200; i++) limit.onSample(500, 40);
    expect(limit.limit).toBeGreaterThanOrEqual(5);
    expect(limit.limit).toBeLessThanOrEqual(12);
  });

  it('recovers after the overload: the inflated long RTT decays when latency is normal again', () => {
    const limit = new Gradient2Limit(base);
    for (let i = 0; i < 10; i++) limit.onSample(10, 1);
    for (let i = 0; i < 100; i++) limit.onSample(400, 40);
    const low = limit.limit;
    for (let i = 0; i < 300; i++) limit.onSample(10, limit.limit);
    expect(limit.limit).toBeGreaterThan(low);
    expect(limit.longRttMs).toBeLessThan(100);
  });

  it('cuts multiplicatively on a drop, bounded by minLimit', () => {
    const limit = new Gradient2Limit(base);
    expect(limit.onDrop()).toBe(18);
    expect(limit.onDrop()).toBe(16); // 16.2
    for (let i = 0; i < 50; i++) limit.onDrop();
    expect(limit.limit).toBe(5);
  });

  it('treats a zero latency as tiny rather than dividing by zero', () => {
    const limit = new Gradient2Limit(base);
    limit.onSample(0, 20);
    expect(Number.isFinite(limit.limit)).toBe(true);
  });

  it.each<[string, Partial<Gradient2Options>]>([
    ['minLimit', { minLimit: 0 }],
    ['maxLimit', { maxLimit: 4 }],
    ['initialLimit', { initialLimit: 41 }],
    ['initialLimit', { initialLimit: 4 }],
    ['smoothing', { smoothing: 0 }],
    ['rttTolerance', { rttTolerance: 0.5 }],
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
