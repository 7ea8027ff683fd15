/**
 * The adaptive concurrency limit, Gradient2 as in Netflix's concurrency-limits, updated once per
 * sample WINDOW (see windowed-limit.ts, which aggregates requests and calls `onSample`), never per
 * request: per request, the growth allowance compounds with the request rate and the limit runs
 * away (it climbed from 10 to 200 in 5 s in front of an app that does 4 requests at a time).
 *
 * One update, given the window's latency `rtt`, its highest in-flight count and whether anything
 * was dropped:
 *   - a drop (timeout, upstream 503) is the clearest overload signal: limit × backoffRatio (AIMD);
 *   - while the application uses less than half the limit, the limit stays (that says nothing
 *     about capacity);
 *   - otherwise   gradient  = clamp(rttTolerance × baselineRtt / rtt, 0.5, 1)
 *                 allowance = min(queueSize, √limit)
 *                 limit     ← (1 − smoothing) × limit + smoothing × (limit × gradient + allowance)
 *     so while latency stays within tolerance the limit grows by at most smoothing × queueSize per
 *     window (a constant, as Netflix's default queue size of 4: growth does not accelerate with
 *     the limit), and when queueing shows up the limit shrinks in proportion, at most by half per
 *     window and WITHOUT smoothing (down at once, up smoothly: the first seconds of a ramp are
 *     the gate's, and every request above the app's capacity is queue a checkout waits behind). The allowance is √limit below queueSize² so that a small limit is
 *     not overcommitted by a fixed queue (and a latency collapse can still bring the limit down to
 *     a few requests). In front of an app whose latency grows with its queue (latency ∝ in-flight
 *     past its capacity) this settles where latency ≈ rttTolerance × baseline, plus the allowance.
 *
 * The baseline is the difference from Netflix. Gradient2 compares with a long-term average of
 * latency; under a sustained overload that average drifts up to the overloaded latency, the
 * gradient returns to 1 and the limit grows again — and a gate started under overload never sees
 * a normal latency at all. Here the baseline is the latency WITHOUT load, measured as Envoy's
 * adaptive concurrency does: a *probe* pins the limit to minLimit for one window, that window's
 * latency becomes the baseline, and the limit returns to where it was. WindowedLimit schedules the
 * probes (from the first completed request, then every probeIntervalMs). Between probes the baseline
 * follows the app down when a window is faster (the app got faster), and any window run at no more
 * than minLimit in flight re-measures it outright (light load is a free probe).
 *
 * `longRttMs`, an exponential average of the window latencies, is kept for retry hints only.
 *
 * Pure apart from its own state: no clock, no timers.
 */
import { InvalidOptionsError } from '../errors';

export interface Gradient2Options {
  initialLimit: number;
  minLimit: number;
  maxLimit: number;
  /** Share of each new estimate blended into the limit per window (0 < x ≤ 1). @default 0.2 */
  smoothing?: number;
  /** How much slower than the no-load baseline a window may be before the limit shrinks (≥ 1). @default 1.5 */
  rttTolerance?: number;
  /** Most requests the limit may grow by per window while latency holds, before smoothing (> 0); √limit when smaller. @default 4 */
  queueSize?: number;
  /** Windows the long-term latency average (retry hints) spans; its EMA factor is 2 / (window + 1). @default 20 */
  longWindow?: number;
  /** Multiplier applied once per window with a dropped request (0 < x < 1). @default 0.9 */
  backoffRatio?: number;
}

/** One window of completed requests, as WindowedLimit aggregates it. */
export interface WindowSample {
  /** The window's latency in ms (the average of its requests); absent when all were dropped. */
  rttMs?: number;
  /** The most requests in flight when one of the window's requests started. */
  maxInFlight: number;
  /** Whether a request of the window was dropped for overload. */
  dropped: boolean;
}

export class Gradient2Limit {
  private estimate: number;
  private baselineRtt = 0;
  private longRtt = 0;
  /** The limit to return to after a probe; undefined while not probing. */
  private beforeProbe: number | undefined;
  readonly minLimit: number;
  readonly maxLimit: number;
  private readonly smoothing: number;
  private readonly rttTolerance: number;
  private readonly queueSize: number;
  private readonly longFactor: number;
  private readonly backoffRatio: number;

  constructor(options: Gradient2Options) {
    requireInteger('minLimit', options.minLimit, 1);
    requireInteger('maxLimit', options.maxLimit, options.minLimit);
    requireInteger('initialLimit', options.initialLimit, options.minLimit);
    if (options.initialLimit > options.maxLimit) {
      throw new InvalidOptionsError(
        'initialLimit',
        options.initialLimit,
        `an integer between minLimit (${options.minLimit}) and maxLimit (${options.maxLimit})`,
      );
    }
    this.minLimit = options.minLimit;
    this.maxLimit = options.maxLimit;
    this.estimate = options.initialLimit;
    this.smoothing = options.smoothing ?? 0.2;
    if (!(this.smoothing > 0 && this.smoothing <= 1))
      throw new InvalidOptionsError('smoothing', options.smoothing, 'a number in (0, 1]');
    this.rttTolerance = options.rttTolerance ?? 1.5;
    if (!(this.rttTolerance >= 1 && Number.isFinite(this.rttTolerance)))
      throw new InvalidOptionsError('rttTolerance', options.rttTolerance, 'a finite number ≥ 1');
    this.queueSize = options.queueSize ?? 4;
    if (!(this.queueSize > 0 && Number.isFinite(this.queueSize)))
      throw new InvalidOptionsError('queueSize', options.queueSize, 'a positive finite number');
    const longWindow = options.longWindow ?? 20;
    requireInteger('longWindow', longWindow, 1);
    this.longFactor = 2 / (longWindow + 1);
    this.backoffRatio = options.backoffRatio ?? 0.9;
    if (!(this.backoffRatio > 0 && this.backoffRatio < 1))
      throw new InvalidOptionsError('backoffRatio', options.backoffRatio, 'a number in (0, 1)');
  }

  /** The current limit: a whole number of requests in [minLimit, maxLimit]. */
  get limit(): number {
    return Math.floor(this.estimate);
  }

  /** The no-load latency in ms the windows are compared with (0 before the first window). */
  get baselineRttMs(): number {
    return this.baselineRtt;
  }

  /** The long-term average of window latencies in ms, for retry hints (0 before the first window). */
  get longRttMs(): number {
    return this.longRtt;
  }

  /** Whether the limit is pinned to minLimit to measure the baseline. */
  get probing(): boolean {
    return this.beforeProbe !== undefined;
  }

  /** Pins the limit to minLimit until `endProbe`, remembering where to return. Returns the new limit. */
  startProbe(): number {
    if (this.beforeProbe === undefined) this.beforeProbe = this.estimate;
    this.estimate = this.minLimit;
    return this.limit;
  }

  /**
   * Ends a probe: the window (run at minLimit) gives the baseline, and the limit returns to where
   * it was (cut by backoffRatio if the window dropped requests). Without a window (too few
   * requests to measure) the baseline stays. Returns the new limit.
   */
  endProbe(window?: WindowSample): number {
    if (this.beforeProbe === undefined) return this.limit;
    this.estimate = this.beforeProbe;
    this.beforeProbe = undefined;
    if (!window) return this.limit;
    if (window.rttMs !== undefined) {
      const rtt = positive(window.rttMs);
      this.baselineRtt = rtt;
      this.addLongSample(rtt);
    }
    if (window.dropped) this.estimate = this.clamp(this.estimate * this.backoffRatio);
    return this.limit;
  }

  /** One window of requests run under the current limit. Returns the new limit. */
  onSample(window: WindowSample): number {
    if (this.beforeProbe !== undefined) return this.endProbe(window);
    if (window.dropped) {
      if (window.rttMs !== undefined) this.addLongSample(positive(window.rttMs));
      this.estimate = this.clamp(this.estimate * this.backoffRatio);
      return this.limit;
    }
    if (window.rttMs === undefined) return this.limit;
    const rtt = positive(window.rttMs);
    this.addLongSample(rtt);
    // The first window, a window at no more than minLimit in flight (as good as a probe), or a
    // faster app: all measure the baseline directly.
    if (this.baselineRtt === 0 || window.maxInFlight <= this.minLimit || rtt < this.baselineRtt) {
      this.baselineRtt = rtt;
    }
    // Don't move the limit while the application is not using it: that says nothing about capacity.
    if (window.maxInFlight < this.estimate / 2) return this.limit;
    const gradient = Math.max(0.5, Math.min(1, (this.rttTolerance * this.baselineRtt) / rtt));
    const target = this.estimate * gradient + Math.min(this.queueSize, Math.sqrt(this.estimate));
    // Down at once, up smoothly: every request the limit lets in past the app's capacity queues in
    // the app, where a checkout the gate admitted at once waits behind it. Smoothed, a limit far
    // above the app (the initial one, at a ramp) came down by a tenth per window: seconds of queue.
    this.estimate = this.clamp(
      target < this.estimate ? target : this.estimate * (1 - this.smoothing) + target * this.smoothing,
    );
    return this.limit;
  }

  private addLongSample(rtt: number): void {
    this.longRtt = this.longRtt === 0 ? rtt : this.longRtt * (1 - this.longFactor) + rtt * this.longFactor;
  }

  private clamp(value: number): number {
    return Math.max(this.minLimit, Math.min(this.maxLimit, value));
  }
}

/** A zero latency (sub-millisecond clock) would make the gradient infinite. */
function positive(latencyMs: number): number {
  return Math.max(latencyMs, 0.001);
}

function requireInteger(option: string, value: number, minimum: number): void {
  if (!Number.isInteger(value) || value < minimum)
    throw new InvalidOptionsError(option, value, `an integer ≥ ${minimum}`);
}
