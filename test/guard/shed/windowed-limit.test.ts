import { Gradient2Limit, WindowedLimit, type WindowedLimitOptions } from '../../../guard/shed';
import { isInvalidOptionsError } from '../../../guard/errors';
import { FakeClock } from '../../support/fake-clock';

const limits = { initialLimit: 20, minLimit: 5, maxLimit: 40 };

function setup(options: Partial<WindowedLimitOptions> = {}) {
  const clock = new FakeClock();
  const gradient = new Gradient2Limit(limits);
  const windowed = new WindowedLimit(gradient, { clock, random: () => 0.5, ...options });
  /** `count` requests completing now, admitted latencyMs ago at `inFlight` in flight. */
  const complete = (count: number, latencyMs: number, inFlight: number, dropped = false) => {
    for (let i = 0; i < count; i++)
      windowed.onSample({ startedAt: clock.now() - latencyMs, latencyMs, inFlight, dropped });
    return windowed.limit;
  };
  /**
   * The start of a gate's life: the first completion pins the limit for the first probe, whose
   * window (requests admitted after the pin, 10 ms each) gives a 10 ms baseline; then the limit is
   * back at 20 and the next probe an interval away. Ends at the start of a fresh, empty window.
   */
  const warm = () => {
    complete(1, 10, 1);
    expect(gradient.probing).toBe(true);
    clock.advance(10);
    complete(10, 10, 5);
    clock.advance(250);
    windowed.onSample({ startedAt: clock.now(), latencyMs: 0, inFlight: 0 }); // closes the probe window (a release without work: not counted)
    expect(gradient.probing).toBe(false);
    expect(gradient.baselineRttMs).toBe(10);
    expect(windowed.limit).toBe(20);
  };
  return { clock, gradient, windowed, complete, warm };
}

describe('WindowedLimit', () => {
  it('updates the limit once per window, not once per request', () => {
    const { clock, gradient, complete, warm } = setup();
    warm();
    // a thousand requests at the limit within one window: one growth step (20 → 20.8), not a
    // thousand (per request, the limit would be at maxLimit)
    complete(1000, 10, 20);
    expect(gradient.limit).toBe(20);
    clock.advance(250);
    complete(1, 10, 20); // the first completion after the window is due closes it (and opens the next)
    expect(gradient.limit).toBe(20); // 20.8
    clock.advance(250);
    complete(10, 10, 20); // the 10th closes the window: 21.6
    expect(gradient.limit).toBe(21);
  });

  it('feeds the average latency of the window', () => {
    const { clock, gradient, complete, warm } = setup();
    warm();
    complete(5, 5, 2);
    complete(5, 6, 2);
    clock.advance(250);
    complete(1, 99, 4);
    expect(gradient.baselineRttMs).toBe(5.5); // faster than 10 ms: the app got faster, and the average says by how much
  });

  it('judges use by the highest in-flight count of the window: one request at the limit is enough to grow', () => {
    const { clock, gradient, complete, warm } = setup();
    warm();
    for (let window = 0; window < 3; window++) {
      complete(9, 10, 6);
      complete(1, 10, 20);
      clock.advance(250);
    }
    complete(1, 10, 6);
    expect(gradient.limit).toBe(22); // three growth steps (22.4); on the average in flight (≈ 7 < 20 / 2) it would not have moved
  });

  it('waits for windowSize requests, and discards a window that reaches maxWindowMs without them', () => {
    const { clock, gradient, complete, warm } = setup({ windowSize: 10, minWindowMs: 250, maxWindowMs: 1000 });
    warm();
    complete(5, 100, 20);
    clock.advance(500);
    complete(1, 100, 20);
    expect(gradient.limit).toBe(20); // 6 requests, 500 ms: still open
    clock.advance(500);
    complete(1, 50, 20);
    expect(gradient.limit).toBe(20); // 6 requests at 1000 ms: discarded (100 ms would have cut the limit); this one opens the next window
    complete(9, 50, 20);
    clock.advance(250);
    complete(1, 50, 20);
    expect(gradient.limit).toBe(14); // the next window stands alone: 50 ms against 10 ms → down at once to 20 × 0.5 + 4
  });

  it('ignores releases without work (below minLatencyMs) but never a drop', () => {
    const { clock, gradient, complete, warm } = setup({ minLatencyMs: 0.1 });
    warm();
    complete(100, 0, 20);
    clock.advance(300);
    complete(1, 0, 20);
    expect(gradient.limit).toBe(20);
    expect(gradient.baselineRttMs).toBe(10);
    complete(9, 0, 20, true);
    clock.advance(300);
    complete(1, 0, 20, true);
    complete(1, 0, 20, true);
    expect(gradient.limit).toBe(18);
  });

  it('many drops in one window cut the limit once; dropped latencies stay out of the average', () => {
    const { clock, gradient, complete, warm } = setup();
    warm();
    complete(20, 3000, 20, true);
    complete(5, 10, 20);
    clock.advance(250);
    complete(1, 10, 20);
    expect(gradient.limit).toBe(18); // one × 0.9, not 20 of them
    expect(gradient.longRttMs).toBe(10);
  });

  it('the first completed request starts a probe: only requests admitted after the pin count, then the limit returns', () => {
    const { clock, gradient, windowed, complete } = setup({
      probeIntervalMs: 10_000,
      probeJitter: 0.1,
      random: () => 0.5,
    });
    // A gate started in an overload: its initial limit already fills the app's queue.
    complete(1, 200, 20);
    expect(windowed.limit).toBe(5); // pinned to minLimit
    const pinnedAt = clock.now();
    // Requests admitted before the pin finish during the probe: they ran under the old limit, ignored.
    clock.advance(300);
    complete(50, 400, 20);
    expect(gradient.probing).toBe(true);
    // Requests admitted after the pin, at 5 in flight: the no-load latency.
    complete(10, 20, 5);
    expect(clock.now() - 20).toBeGreaterThan(pinnedAt);
    clock.advance(1);
    complete(1, 20, 5);
    expect(gradient.probing).toBe(false);
    expect(gradient.baselineRttMs).toBe(20);
    expect(windowed.limit).toBe(20); // back where it was
    // Loaded windows now compare with 20 ms: 200 ms is an overload, the limit shrinks.
    for (let i = 0; i < 5; i++) {
      clock.advance(250);
      complete(10, 200, 20);
    }
    expect(windowed.limit).toBeLessThan(20);
    expect(gradient.probing).toBe(false);
    // The next probe: 10 s × (1 + 0.1 × 0.5) after the last one, with the first completion after that.
    clock.advance(10_500 - 5 * 250 - 1);
    complete(1, 200, 20);
    expect(gradient.probing).toBe(false);
    clock.advance(1);
    complete(1, 200, 20);
    expect(gradient.probing).toBe(true);
  });

  it('a probe window without enough requests gives up: the limit returns, the baseline stays, next probe an interval later', () => {
    const { clock, gradient, windowed, complete, warm } = setup({ probeIntervalMs: 10_000, random: () => 0 });
    warm();
    clock.advance(10_000);
    complete(1, 30, 20);
    expect(gradient.probing).toBe(true);
    clock.advance(100);
    complete(3, 12, 5);
    clock.advance(1000);
    complete(1, 12, 5);
    expect(gradient.probing).toBe(false);
    expect(windowed.limit).toBe(20);
    expect(gradient.baselineRttMs).toBe(10);
    clock.advance(250);
    complete(10, 10, 20);
    expect(gradient.probing).toBe(false);
  });

  it('light load measures the baseline as a probe would: no pinning while it lasts', () => {
    const { clock, gradient, complete, warm } = setup({ probeIntervalMs: 10_000, random: () => 0 });
    warm();
    for (let i = 0; i < 200; i++) {
      complete(10, 7, 4);
      clock.advance(250);
      expect(gradient.probing).toBe(false);
    }
    complete(1, 7, 4);
    expect(gradient.probing).toBe(false);
    expect(gradient.baselineRttMs).toBe(7);
  });

  it('a clock that goes backwards restarts the window instead of freezing it', () => {
    const { clock, gradient, complete, warm } = setup();
    warm();
    clock.advance(-60_000);
    complete(10, 5, 1);
    clock.advance(250);
    complete(1, 5, 1);
    expect(gradient.baselineRttMs).toBe(5);
  });

  it.each<[string, Partial<WindowedLimitOptions>]>([
    ['minWindowMs', { minWindowMs: -1 }],
    ['maxWindowMs', { minWindowMs: 500, maxWindowMs: 400 }],
    ['windowSize', { windowSize: 0 }],
    ['windowSize', { windowSize: 2.5 }],
    ['minLatencyMs', { minLatencyMs: Number.NaN }],
    ['probeIntervalMs', { probeIntervalMs: 500 }],
    ['probeJitter', { probeJitter: 2 }],
  ])('rejects a bad %s', (option, override) => {
    let caught: unknown;
    try {
      setup(override);
    } catch (error) {
      caught = error;
    }
    expect(isInvalidOptionsError(caught) && caught.option).toBe(option);
  });
});
