/**
 * The adaptive concurrency limit, Gradient2 as in Netflix's concurrency-limits: compare a long-term
 * exponential average of latency (what "normal" looks like) with the latest sample. While latency
 * holds, the limit grows by a small queue allowance (√limit); when latency rises above
 * `rttTolerance` × normal, the gradient long/short drops below 1 and the limit shrinks with it
 * (at most halving per sample, smoothed). A dropped request (timeout, upstream 503) is the clearest
 * overload signal and cuts the limit multiplicatively, as AIMD does.
 *
 * Pure apart from its own state: no clock, no timers; feed it samples and read `limit`.
 */
import { InvalidOptionsError } from '../errors';

export interface Gradient2Options {
  initialLimit: number;
  minLimit: number;
  maxLimit: number;
  /** Share of each new estimate blended into the limit (0 < x ≤ 1). @default 0.2 */
  smoothing?: number;
  /** How much slower than the long-term average the latest sample may be before the limit shrinks (≥ 1). @default 1.5 */
  rttTolerance?: number;
  /** Samples the long-term average spans (its EMA factor is 2 / (window + 1)). @default 600 */
  longWindow?: number;
  /** Samples averaged plainly before the EMA takes over, so the first sample does not define "normal". @default 10 */
  warmupWindow?: number;
  /** Multiplier applied on a dropped request (0 < x < 1). @default 0.9 */
  backoffRatio?: number;
}

export class Gradient2Limit {
  private estimate: number;
  private longRtt = 0;
  private samples = 0;
  private readonly minLimit: number;
  private readonly maxLimit: number;
  private readonly smoothing: number;
  private readonly rttTolerance: number;
  private readonly longFactor: number;
  private readonly warmupWindow: number;
  private readonly backoffRatio: number;

  constructor(options: Gradient2Options) {
    requireInteger('minLimit', options.minLimit, 1);
    requireInteger('maxLimit', options.maxLimit, options.minLimit);
    requireInteger('initialLimit', options.initialLimit, options.minLimit);
    if (options.initialLimit > options.maxLimit) {
      throw new InvalidOptionsError('initialLimit', options.initialLimit, `an integer between minLimit (${options.minLimit}) and maxLimit (${options.maxLimit})`);
    }
    this.minLimit = options.minLimit;
    this.maxLimit = options.maxLimit;
    this.estimate = options.initialLimit;
    this.smoothing = options.smoothing ?? 0.2;
    if (!(this.smoothing > 0 && this.smoothing <= 1)) throw new InvalidOptionsError('smoothing', options.smoothing, 'a number in (0, 1]');
    this.rttTolerance = options.rttTolerance ?? 1.5;
    if (!(this.rttTolerance >= 1 && Number.isFinite(this.rttTolerance))) throw new InvalidOptionsError('rttTolerance', options.rttTolerance, 'a finite number ≥ 1');
    const longWindow = options.longWindow ?? 600;
    requireInteger('longWindow', longWindow, 1);
    this.longFactor = 2 / (longWindow + 1);
    this.warmupWindow = options.warmupWindow ?? 10;
    requireInteger('warmupWindow', this.warmupWindow, 0);
    this.backoffRatio = options.backoffRatio ?? 0.9;
    if (!(this.backoffRatio > 0 && this.backoffRatio < 1)) throw new InvalidOptionsError('backoffRatio', options.backoffRatio, 'a number in (0, 1)');
  }

  /** The current limit: a whole number of requests in [minLimit, maxLimit]. */
  get limit(): number {
    return Math.floor(this.estimate);
  }

  /** The long-term latency average in ms (0 before the first sample). */
  get longRttMs(): number {
    return this.longRtt;
  }

  /**
   * One completed request: its latency and how many requests were in flight when it started.
   * Returns the new limit.
   */
  onSample(latencyMs: number, inFlight: number): number {
    // A zero latency (sub-millisecond clock) would make the gradient infinite.
    const shortRtt = Math.max(latencyMs, 0.001);
    const queueAllowance = Math.sqrt(this.estimate);
    this.addLongSample(shortRtt);
    // After a long overload the average stays inflated; decay it faster once latency is back to
    // normal so the limit can recover without waiting for the EMA (as Gradient2 does).
    if (this.longRtt / shortRtt > 2) this.longRtt *= 0.95;
    // Don't grow the limit while the application is not using it: that says nothing about capacity.
    if (inFlight < this.estimate / 2) return this.limit;
    // Never shrink by more than half on one sample, so an outlier cannot collapse the limit.
    const gradient = Math.max(0.5, Math.min(1, (this.rttTolerance * this.longRtt) / shortRtt));
    const target = this.estimate * gradient + queueAllowance;
    this.estimate = this.clamp(this.estimate * (1 - this.smoothing) + target * this.smoothing);
    return this.limit;
  }

  /** A request dropped for overload (timeout, upstream 503): multiplicative decrease. Returns the new limit. */
  onDrop(): number {
    this.estimate = this.clamp(this.estimate * this.backoffRatio);
    return this.limit;
  }

  private addLongSample(rtt: number): void {
    if (this.samples < this.warmupWindow) {
      this.samples += 1;
      this.longRtt += (rtt - this.longRtt) / this.samples; // plain running mean while warming up
    } else {
      this.samples += 1;
      this.longRtt = this.longRtt * (1 - this.longFactor) + rtt * this.longFactor;
    }
  }

  private clamp(value: number): number {
    return Math.max(this.minLimit, Math.min(this.maxLimit, value));
  }
}

function requireInteger(option: string, value: number, minimum: number): void {
  if (!Number.isInteger(value) || value < minimum) throw new InvalidOptionsError(option, value, `an integer ≥ ${minimum}`);
}
