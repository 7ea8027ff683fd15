/**
 * One load test: the open-loop generator driven by the capacity search, a progress bar per step,
 * and the result that `saleday plan` reads. The target is given as a URL; starting a local one is
 * the command's business.
 */
import { SingleBar } from 'cli-progress';
import { searchCapacity, type Sla } from './capacity-search';
import type { LoadtestResult } from './loadtest-result';
import { OpenLoopGenerator, type LoadRequest } from './open-loop-generator';

export interface RunLoadtestOptions {
  readonly url: string;
  readonly sla: Sla;
  readonly request: (index: number) => LoadRequest;
  readonly startRate: number;
  readonly maxRate: number;
  readonly stepSeconds: number;
  /** Cap on the whole search, seconds (a step that would end past it is not started). */
  readonly durationSeconds: number;
  /**
   * Unmeasured traffic at startRate before the first step, so connection set-up and JIT warm-up
   * do not fail the first step. @default min(2, stepSeconds)
   */
  readonly warmUpSeconds?: number;
  /** @default 512 */
  readonly connections?: number;
  /** Outstanding-request bound per step; default: see `defaultMaxOutstanding`. */
  readonly maxOutstanding?: number;
  /** Where progress bars and step lines go; undefined for silence. */
  readonly progress?: NodeJS.WritableStream;
  readonly now?: () => Date;
}

/**
 * Little's law: outstanding = rate × latency. With more than rate × 2 × the SLA's p99 outstanding,
 * the mean latency already exceeds twice the p99 target and the step fails anyway; dropping the
 * excess keeps sockets and memory bounded on a dead target.
 */
export function defaultMaxOutstanding(rate: number, sla: Sla): number {
  return Math.max(100, Math.ceil((rate * 2 * sla.p99LatencyMs) / 1000));
}

/** `503×12, dropped×3` — what the errors of a step were. */
export function describeErrors(errorsByCause: Readonly<Record<string, number>>): string {
  return Object.entries(errorsByCause)
    .sort(([, a], [, b]) => b - a)
    .map(([cause, count]) => `${cause}×${count}`)
    .join(', ');
}

export async function runLoadtest(options: RunLoadtestOptions): Promise<LoadtestResult> {
  const generator = new OpenLoopGenerator({
    url: options.url,
    connections: options.connections ?? 512,
    timeoutMs: Math.max(2 * options.sla.p99LatencyMs, 5_000),
  });
  const startedAt = Date.now();
  const stepMs = options.stepSeconds * 1000;
  const out = options.progress;
  try {
    const warmUpMs = (options.warmUpSeconds ?? Math.min(2, options.stepSeconds)) * 1000;
    if (warmUpMs > 0) {
      out?.write(`  warming up at ${options.startRate} rps for ${warmUpMs / 1000} s (not measured)\n`);
      await generator.runStep({
        rate: options.startRate,
        durationMs: warmUpMs,
        request: options.request,
        maxOutstanding: options.maxOutstanding ?? defaultMaxOutstanding(options.startRate, options.sla),
      });
    }
    const causes = new Map<number, string>();
    const result = await searchCapacity({
      startRate: options.startRate,
      maxRate: options.maxRate,
      sla: options.sla,
      // A step that would end past the cap is not started (drain time counted as one step).
      outOfTime: () => Date.now() - startedAt + stepMs > options.durationSeconds * 1000,
      runStep: async (rate) => {
        const bar = out
          ? new SingleBar({
              stream: out,
              format: `  ${String(rate).padStart(6)} rps |{bar}| {value}/{total} sent`,
              hideCursor: true,
              clearOnComplete: true,
              barsize: 30,
            })
          : undefined;
        bar?.start(Math.max(1, Math.floor((rate * stepMs) / 1000)), 0);
        try {
          const m = await generator.runStep({
            rate,
            durationMs: stepMs,
            request: options.request,
            maxOutstanding: options.maxOutstanding ?? defaultMaxOutstanding(rate, options.sla),
            onProgress: (sent) => bar?.update(sent),
          });
          causes.set(rate, describeErrors(m.errorsByCause));
          // Unrounded: the SLA verdict must not be flattered by rounding (1.004% errors is a fail).
          return {
            rate,
            achievedRps: round(m.achievedRps),
            p50: m.p50,
            p90: m.p90,
            p99: m.p99,
            max: m.max,
            errorRate: m.errorRate,
          };
        } finally {
          bar?.stop();
        }
      },
      onStep: (step) =>
        out?.write(
          `  ${String(step.rate).padStart(6)} rps → ${step.achievedRps} ok/s, p50 ${round(step.p50)} ms, p90 ${round(step.p90)} ms, p99 ${round(step.p99)} ms, max ${round(step.max)} ms, errors ${(step.errorRate * 100).toFixed(2)}%${causes.get(step.rate) ? ` (${causes.get(step.rate)})` : ''} ${step.pass ? '✓' : '✗'}\n`,
        ),
    });
    return {
      url: options.url,
      measuredAt: (options.now ?? (() => new Date()))().toISOString(),
      sla: { p99LatencyMs: options.sla.p99LatencyMs, errorRate: options.sla.errorRate },
      steps: [...result.steps],
      capacityRps: result.capacityRps,
    };
  } finally {
    await generator.close();
  }
}

/** One decimal, for display. */
export function round(value: number): number {
  return Math.round(value * 10) / 10;
}
