/**
 * Feeds the Gradient2 limit once per sample window rather than once per request, as Netflix's
 * concurrency-limits wraps Gradient2 in a WindowedLimit, and schedules its baseline probes.
 *
 * A window collects completed requests for at least `minWindowMs` AND at least `windowSize`
 * requests; the next request to complete closes it and hands the limit one sample: the AVERAGE
 * latency of its requests, the highest in-flight count any of them started at, and whether any was
 * dropped. A window that reaches `maxWindowMs` without `windowSize` requests is discarded (too
 * little traffic to say anything). Closing on a completion rather than on a timer keeps this free
 * of timers: without traffic there is nothing to learn anyway.
 *
 * Why the average and not a percentile: by Little's law the mean latency is what the number in
 * flight divided by the throughput gives, so it is the statistic that moves with queueing in the
 * app; a window of ≥ windowSize requests already damps one outlier, and the gradient's floor of
 * 0.5 bounds what a bad window can do. It also costs O(1) per request (no sample storage).
 * Dropped requests do not enter the average (a timeout's latency is the deadline, not the app's);
 * they make the window a drop window (one multiplicative decrease, however many drops).
 *
 * Samples faster than `minLatencyMs` are ignored (as Netflix's 100 µs threshold): a permit
 * released without doing work (client gone, short-circuited) says nothing about the app.
 *
 * Probes (see gradient2-limit.ts): the first request to complete at or after the next probe time
 * pins the limit to minLimit (the window in progress is dropped) and the window that follows
 * measures the no-load baseline. Only requests ADMITTED after the pin count in a probe window: the
 * ones still in flight from before ran under the old limit and would measure its queue. The first
 * probe starts with the very first completed request — a gate may start in the middle of an
 * overload, when no normal latency can be seen any more once its initial limit has filled the
 * app's queue; that early, little is in flight yet, so the pin takes effect at once. Then a probe comes
 * every probeIntervalMs plus up to probeJitter of it at random (gates started together do not all
 * pin their limits at the same moment); a window run at no more than minLimit in flight counts as
 * a probe and postpones the next one. A probe costs one window at minLimit per interval (about 1%
 * of the time by default), plus the time the requests in flight take to drain below minLimit:
 * meanwhile queued requests wait, and CoDel sheds them if that lasts longer than its interval.
 *
 * Driven by the samples and the injected Clock only (no timers): pure and testable on a FakeClock.
 */
import type { Clock } from '../clock';
import { InvalidOptionsError } from '../errors';
import type { Gradient2Limit } from './gradient2-limit';

export interface WindowedLimitOptions {
  clock: Clock;
  /** Shortest window, ms. @default 250 */
  minWindowMs?: number;
  /** Longest window, ms: a window without windowSize requests by then is discarded. @default 1000 */
  maxWindowMs?: number;
  /** Fewest requests a window needs to update the limit. @default 10 */
  windowSize?: number;
  /** Samples faster than this (ms) are ignored: a release without work. @default 0.1 */
  minLatencyMs?: number;
  /** Time between baseline probes, ms (the first one starts with the first completed request); ≥ maxWindowMs. @default 30000 */
  probeIntervalMs?: number;
  /** Random extra delay before each probe, as a share of probeIntervalMs, in [0, 1]. @default 0.1 */
  probeJitter?: number;
  /** Source of the jitter, in [0, 1). @default Math.random */
  random?: () => number;
}

export interface CompletedRequest {
  /** When the request was admitted (clock ms). */
  startedAt: number;
  latencyMs: number;
  /** Requests in flight when it was admitted, itself included. */
  inFlight: number;
  /** Failed in a way that signals overload (timeout, 503). */
  dropped?: boolean;
}

export class WindowedLimit {
  private readonly clock: Clock;
  private readonly minWindowMs: number;
  private readonly maxWindowMs: number;
  private readonly windowSize: number;
  private readonly minLatencyMs: number;
  private readonly probeIntervalMs: number;
  private readonly probeJitter: number;
  private readonly random: () => number;
  private windowStart: number;
  private latencySum = 0;
  private latencyCount = 0;
  private requests = 0;
  private maxInFlight = 0;
  private dropped = false;
  private nextProbeAt: number;
  /** When the current probe pinned the limit; requests admitted earlier don't count in its window. */
  private probeStartedAt: number | undefined;

  constructor(
    private readonly gradient: Gradient2Limit,
    options: WindowedLimitOptions,
  ) {
    this.clock = options.clock;
    this.minWindowMs = requireFinite('minWindowMs', options.minWindowMs ?? 250, 0);
    this.maxWindowMs = requireFinite('maxWindowMs', options.maxWindowMs ?? 1000, this.minWindowMs);
    this.windowSize = options.windowSize ?? 10;
    if (!Number.isInteger(this.windowSize) || this.windowSize < 1)
      throw new InvalidOptionsError('windowSize', options.windowSize, 'an integer ≥ 1');
    this.minLatencyMs = requireFinite('minLatencyMs', options.minLatencyMs ?? 0.1, 0);
    this.probeIntervalMs = requireFinite('probeIntervalMs', options.probeIntervalMs ?? 30_000, this.maxWindowMs);
    this.probeJitter = options.probeJitter ?? 0.1;
    if (!(this.probeJitter >= 0 && this.probeJitter <= 1))
      throw new InvalidOptionsError('probeJitter', options.probeJitter, 'a number in [0, 1]');
    this.random = options.random ?? Math.random;
    this.windowStart = this.clock.now();
    this.nextProbeAt = this.windowStart;
  }

  get limit(): number {
    return this.gradient.limit;
  }

  /** Long-term latency average in ms, for retry hints. */
  get longRttMs(): number {
    return this.gradient.longRttMs;
  }

  /** Records one completed request; closes the window when it is due. Returns the limit. */
  onSample(request: CompletedRequest): number {
    const now = this.clock.now();
    // A clock that went backwards: restart the window rather than wait for time to catch up.
    if (now < this.windowStart) this.windowStart = now;
    if (this.probeStartedAt === undefined && now >= this.nextProbeAt) {
      this.startProbe(now);
    } else {
      // A window is due once it lasted minWindowMs with windowSize requests (or maxWindowMs): the
      // first request completing after that closes it and opens the next window.
      const elapsed = now - this.windowStart;
      if (elapsed >= this.maxWindowMs || (elapsed >= this.minWindowMs && this.requests >= this.windowSize))
        this.closeWindow(now);
    }
    const counts = this.probeStartedAt === undefined || request.startedAt >= this.probeStartedAt;
    if (counts && (request.dropped || request.latencyMs >= this.minLatencyMs)) {
      this.requests += 1;
      this.maxInFlight = Math.max(this.maxInFlight, request.inFlight);
      if (request.dropped) this.dropped = true;
      else {
        this.latencySum += request.latencyMs;
        this.latencyCount += 1;
      }
    }
    return this.gradient.limit;
  }

  /** Pins the limit for a probe window that starts now; the window in progress is dropped. */
  private startProbe(now: number): void {
    this.resetWindow(now);
    this.probeStartedAt = now;
    this.gradient.startProbe();
  }

  private resetWindow(now: number): void {
    this.windowStart = now;
    this.latencySum = 0;
    this.latencyCount = 0;
    this.requests = 0;
    this.maxInFlight = 0;
    this.dropped = false;
  }

  private closeWindow(now: number): void {
    const ready = this.requests >= this.windowSize;
    const sample = ready
      ? {
          rttMs: this.latencyCount > 0 ? this.latencySum / this.latencyCount : undefined,
          maxInFlight: this.maxInFlight,
          dropped: this.dropped,
        }
      : undefined;
    this.resetWindow(now);
    if (this.probeStartedAt !== undefined) {
      // The probe's window: with enough requests it measured the baseline; without (too little
      // traffic, or an app so slow that minLimit in flight cannot fill a window) the limit returns
      // and the baseline stays; either way the next probe is an interval away, so a probe that
      // cannot succeed costs one window per interval and no more.
      this.probeStartedAt = undefined;
      this.gradient.endProbe(sample);
      this.scheduleProbe(now);
      return;
    }
    if (!sample) return;
    this.gradient.onSample(sample);
    // A window at no more than minLimit in flight measured the baseline as a probe would have.
    if (sample.rttMs !== undefined && sample.maxInFlight <= this.gradient.minLimit) this.scheduleProbe(now);
  }

  private scheduleProbe(now: number): void {
    this.nextProbeAt = now + this.probeIntervalMs * (1 + this.probeJitter * this.random());
  }
}

function requireFinite(option: string, value: number, minimum: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < minimum)
    throw new InvalidOptionsError(option, value, `a finite number ≥ ${minimum}`);
  return value;
}
