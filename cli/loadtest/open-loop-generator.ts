/**
 * An open-loop HTTP load generator: request i of a step is due at start + i / rate, and is sent
 * then whatever earlier requests are doing. Latency is measured from that intended send time, not
 * from when the request actually left, so a stalled server (or a generator that fell behind) shows
 * up in the latency of every request that should have been sent meanwhile — no coordinated
 * omission. Requests still outstanding beyond `maxOutstanding` are not queued without bound: they
 * are counted as errors (dropped), because a target that lets that many pile up is past capacity.
 */
import { performance } from 'node:perf_hooks';
import * as hdr from 'hdr-histogram-js';
import { Pool, type Dispatcher } from 'undici';

export interface LoadRequest {
  readonly path: string;
  readonly method?: Dispatcher.HttpMethod;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

export interface OpenLoopGeneratorOptions {
  /** Origin of the target, e.g. http://127.0.0.1:8080 (a path is ignored; requests carry their own). */
  readonly url: string;
  /** TCP connections to the target. @default 256 */
  readonly connections?: number;
  /** A request without response headers or body progress for this long fails. @default 10000 */
  readonly timeoutMs?: number;
}

export interface StepOptions {
  /** Requests per second to schedule. */
  readonly rate: number;
  readonly durationMs: number;
  /** The i-th request of the step. */
  readonly request: (index: number) => LoadRequest;
  /** Requests sent but not finished above which new ones are dropped (counted as errors). */
  readonly maxOutstanding: number;
  /** Which statuses count as errors. @default 5xx and 429 */
  readonly isErrorStatus?: (status: number) => boolean;
  /** Called as requests are sent, for progress bars. */
  readonly onProgress?: (sent: number, scheduled: number) => void;
  /** Called once per finished request (tests inspect individual latencies). */
  readonly onResponse?: (record: ResponseRecord) => void;
}

export interface ResponseRecord {
  readonly index: number;
  /** Milliseconds after the step started at which the request was due. */
  readonly intendedAtMs: number;
  readonly latencyMs: number;
  /** HTTP status, or undefined when the request failed (connection error, timeout, dropped). */
  readonly status?: number;
  readonly error: boolean;
  readonly dropped: boolean;
}

export interface StepMeasurement {
  readonly rate: number;
  readonly scheduled: number;
  readonly completed: number;
  readonly errors: number;
  readonly dropped: number;
  /** Non-error responses per second over the step (schedule plus drain). */
  readonly achievedRps: number;
  readonly errorRate: number;
  /** Errors by cause: an HTTP status (`503`, `429`…), `failed` (connection error, timeout) or `dropped`. */
  readonly errorsByCause: Readonly<Record<string, number>>;
  /** Latency percentiles in ms from the intended send time, over every request that finished. */
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly elapsedMs: number;
}

export class LoadGeneratorOptionsError extends Error {
  readonly code = 'SALEDAY_LOADTEST_INVALID_OPTIONS';
  constructor(option: string, value: unknown, expected: string) {
    super(`${option}: got ${JSON.stringify(value)}; expected ${expected}`);
    this.name = 'LoadGeneratorOptionsError';
  }
}

export function isLoadGeneratorOptionsError(error: unknown): error is LoadGeneratorOptionsError {
  return error instanceof LoadGeneratorOptionsError;
}

export const defaultIsErrorStatus = (status: number): boolean => status >= 500 || status === 429;

/** Histograms record microseconds: 1 µs resolution, 3 significant digits. */
const MICROS_PER_MS = 1000;

export class OpenLoopGenerator {
  private readonly pool: Pool;
  private readonly timeoutMs: number;

  constructor(options: OpenLoopGeneratorOptions) {
    let origin: string;
    try {
      origin = new URL(options.url).origin;
    } catch {
      throw new LoadGeneratorOptionsError('url', options.url, 'an absolute http(s) URL');
    }
    const connections = options.connections ?? 256;
    if (!Number.isInteger(connections) || connections < 1)
      throw new LoadGeneratorOptionsError('connections', connections, 'a whole number of connections, 1 or more');
    this.timeoutMs = options.timeoutMs ?? 10_000;
    if (!(this.timeoutMs > 0)) throw new LoadGeneratorOptionsError('timeoutMs', this.timeoutMs, 'milliseconds above 0');
    this.pool = new Pool(origin, {
      connections,
      pipelining: 1,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
      keepAliveTimeout: 30_000,
    });
  }

  /** Runs one step at a fixed rate and resolves when every request has finished (or timed out). */
  async runStep(options: StepOptions): Promise<StepMeasurement> {
    validateStep(options);
    const isError = options.isErrorStatus ?? defaultIsErrorStatus;
    const intervalMs = 1000 / options.rate;
    const scheduled = Math.max(1, Math.floor((options.rate * options.durationMs) / 1000));
    const start = performance.now();
    const tally = new StepTally(start, options.onResponse);
    let sent = 0;
    let outstanding = 0;

    let resolveDone: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (resolveDone = resolve));
    const maybeDone = () => {
      if (sent === scheduled && outstanding === 0) resolveDone();
    };

    const fire = (index: number, intendedAt: number) => {
      sent += 1;
      if (outstanding >= options.maxOutstanding) {
        tally.record(index, intendedAt, undefined, true, true);
        return;
      }
      outstanding += 1;
      const spec = options.request(index);
      this.pool
        .request({ path: spec.path, method: spec.method ?? 'GET', headers: spec.headers, body: spec.body })
        .then(async (response) => {
          await response.body.dump();
          tally.record(index, intendedAt, response.statusCode, isError(response.statusCode), false);
        })
        .catch(() => tally.record(index, intendedAt, undefined, true, false))
        .finally(() => {
          outstanding -= 1;
          maybeDone();
        });
    };

    let next = 0;
    let timer: NodeJS.Timeout | undefined;
    const tick = () => {
      const now = performance.now();
      while (next < scheduled && start + next * intervalMs <= now) {
        fire(next, start + next * intervalMs);
        next += 1;
      }
      options.onProgress?.(sent, scheduled);
      if (next < scheduled) {
        timer = setTimeout(tick, Math.max(0, start + next * intervalMs - performance.now()));
        timer.unref();
      } else {
        maybeDone();
      }
    };
    // Keep the process alive while the step runs even though each timer is unref'ed.
    const keepAlive = setInterval(() => undefined, 1000);
    try {
      tick();
      await done;
    } finally {
      clearInterval(keepAlive);
      if (timer) clearTimeout(timer);
    }
    return tally.measurement(options.rate, scheduled, options.durationMs);
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}

function validateStep(options: StepOptions): void {
  if (!(options.rate > 0) || !Number.isFinite(options.rate))
    throw new LoadGeneratorOptionsError('rate', options.rate, 'requests per second above 0');
  if (!(options.durationMs > 0))
    throw new LoadGeneratorOptionsError('durationMs', options.durationMs, 'milliseconds above 0');
  if (!Number.isInteger(options.maxOutstanding) || options.maxOutstanding < 1) {
    throw new LoadGeneratorOptionsError(
      'maxOutstanding',
      options.maxOutstanding,
      'a whole number of requests, 1 or more',
    );
  }
}

/** What one step's requests came to: counts, errors by cause and the latency histogram. */
class StepTally {
  private readonly histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
    autoResize: true,
  });
  private readonly counts = { finished: 0, completed: 0, errors: 0, dropped: 0, ok: 0 };
  private readonly errorsByCause: Record<string, number> = {};
  private lastFinishedAt = 0;

  constructor(
    private readonly start: number,
    private readonly onResponse: StepOptions['onResponse'],
  ) {}

  record(index: number, intendedAt: number, status: number | undefined, failed: boolean, dropped: boolean): void {
    const now = performance.now();
    const latencyMs = Math.max(0, now - intendedAt);
    this.counts.finished += 1;
    if (failed) {
      this.counts.errors += 1;
      const cause = dropped ? 'dropped' : status === undefined ? 'failed' : String(status);
      this.errorsByCause[cause] = (this.errorsByCause[cause] ?? 0) + 1;
    } else {
      this.counts.ok += 1;
    }
    if (!dropped) {
      this.counts.completed += 1;
      this.histogram.recordValue(Math.max(1, Math.round(latencyMs * MICROS_PER_MS)));
      this.lastFinishedAt = now;
    } else {
      this.counts.dropped += 1;
    }
    this.onResponse?.({ index, intendedAtMs: intendedAt - this.start, latencyMs, status, error: failed, dropped });
  }

  /** The step's figures; the histogram is freed, so call it once. */
  measurement(rate: number, scheduled: number, durationMs: number): StepMeasurement {
    const elapsedMs = Math.max(durationMs, (this.lastFinishedAt || performance.now()) - this.start);
    const toMs = (micros: number) => micros / MICROS_PER_MS;
    const measurement: StepMeasurement = {
      rate,
      scheduled,
      completed: this.counts.completed,
      errors: this.counts.errors,
      dropped: this.counts.dropped,
      achievedRps: this.counts.ok / (elapsedMs / 1000),
      errorRate: this.counts.errors / scheduled,
      errorsByCause: this.errorsByCause,
      p50: toMs(this.histogram.getValueAtPercentile(50)),
      p90: toMs(this.histogram.getValueAtPercentile(90)),
      p99: toMs(this.histogram.getValueAtPercentile(99)),
      max: toMs(this.histogram.maxValue),
      elapsedMs,
    };
    this.histogram.destroy();
    return measurement;
  }
}
