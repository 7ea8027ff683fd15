/**
 * Finds the highest request rate that meets the SLA: step the rate up geometrically from
 * `startRate` until a step fails (or `maxRate` passes), then bisect between the last passing and
 * the first failing rate until they are within `resolution` of each other. The step runner is
 * injected, so the search is tested without a network and the CLI plugs in the open-loop generator.
 *
 * The SLA rule: a step passes when its p99 latency (from intended send time) is at most
 * sla.p99LatencyMs AND its error rate is at most sla.errorRate, where errors are 5xx, 429,
 * connection failures, timeouts and requests dropped over the outstanding bound. 429 and 503 from
 * the gate count as errors: a task that sheds or limits its load is past its capacity.
 */
import type { StepResult } from './loadtest-result';

export interface Sla {
  readonly p99LatencyMs: number;
  readonly errorRate: number;
}

export type StepMetrics = Omit<StepResult, 'pass'>;

export interface CapacitySearchOptions {
  readonly startRate: number;
  readonly maxRate: number;
  /** Factor between successive rates while stepping up. @default 2 */
  readonly growthFactor?: number;
  /** Stop bisecting when (firstFail − lastPass) / lastPass is at most this. @default 0.1 */
  readonly resolution?: number;
  /** Most steps in all (a bound on total time). @default 20 */
  readonly maxSteps?: number;
  readonly sla: Sla;
  readonly runStep: (rate: number) => Promise<StepMetrics>;
  /** Asked before each step; true stops the search (the --duration cap). */
  readonly outOfTime?: () => boolean;
  readonly onStep?: (step: StepResult) => void;
}

export interface CapacitySearchResult {
  readonly steps: readonly StepResult[];
  /** Highest rate that passed; 0 when none did. */
  readonly capacityRps: number;
  /** Why the search ended. */
  readonly stoppedBy: 'converged' | 'max-rate' | 'max-steps' | 'out-of-time';
}

export class CapacitySearchOptionsError extends Error {
  readonly code = 'SALEDAY_LOADTEST_INVALID_SEARCH';
  constructor(option: string, value: unknown, expected: string) {
    super(`${option}: got ${JSON.stringify(value)}; expected ${expected}`);
    this.name = 'CapacitySearchOptionsError';
  }
}

export function isCapacitySearchOptionsError(error: unknown): error is CapacitySearchOptionsError {
  return error instanceof CapacitySearchOptionsError;
}

export function meetsSla(step: Pick<StepResult, 'p99' | 'errorRate'>, sla: Sla): boolean {
  return step.p99 <= sla.p99LatencyMs && step.errorRate <= sla.errorRate;
}

export async function searchCapacity(options: CapacitySearchOptions): Promise<CapacitySearchResult> {
  const growth = options.growthFactor ?? 2;
  const resolution = options.resolution ?? 0.1;
  const maxSteps = options.maxSteps ?? 20;
  if (!(options.startRate > 0))
    throw new CapacitySearchOptionsError('startRate', options.startRate, 'requests per second above 0');
  if (!(options.maxRate >= options.startRate))
    throw new CapacitySearchOptionsError('maxRate', options.maxRate, `at least startRate (${options.startRate})`);
  if (!(growth > 1)) throw new CapacitySearchOptionsError('growthFactor', growth, 'a factor above 1');
  if (!(resolution > 0 && resolution < 1))
    throw new CapacitySearchOptionsError('resolution', resolution, 'a share above 0 and below 1');
  if (!Number.isInteger(maxSteps) || maxSteps < 1)
    throw new CapacitySearchOptionsError('maxSteps', maxSteps, 'a whole number of steps, 1 or more');

  const steps: StepResult[] = [];
  let lastPass = 0;
  let firstFail: number | undefined;

  const run = async (rate: number): Promise<boolean | 'stop'> => {
    if (steps.length >= maxSteps || options.outOfTime?.()) return 'stop';
    const metrics = await options.runStep(rate);
    const step: StepResult = { ...metrics, rate, pass: meetsSla(metrics, options.sla) };
    steps.push(step);
    options.onStep?.(step);
    return step.pass;
  };
  const stopReason = (): CapacitySearchResult['stoppedBy'] => (steps.length >= maxSteps ? 'max-steps' : 'out-of-time');

  // Step up.
  let rate = options.startRate;
  while (true) {
    const pass = await run(rate);
    if (pass === 'stop') return { steps, capacityRps: lastPass, stoppedBy: stopReason() };
    if (!pass) {
      firstFail = rate;
      break;
    }
    lastPass = rate;
    if (rate >= options.maxRate) return { steps, capacityRps: lastPass, stoppedBy: 'max-rate' };
    rate = Math.min(options.maxRate, Math.round(rate * growth));
  }

  // Bisect between the last pass (0 when even the start rate failed) and the first failure.
  while (!converged(lastPass, firstFail, resolution)) {
    const mid = Math.max(1, Math.round((lastPass + firstFail) / 2));
    if (mid <= lastPass || mid >= firstFail) break;
    const pass = await run(mid);
    if (pass === 'stop') return { steps, capacityRps: lastPass, stoppedBy: stopReason() };
    if (pass) lastPass = mid;
    else firstFail = mid;
  }
  return { steps, capacityRps: lastPass, stoppedBy: 'converged' };
}

function converged(lastPass: number, firstFail: number, resolution: number): boolean {
  if (lastPass === 0) return firstFail <= 1;
  return (firstFail - lastPass) / lastPass <= resolution;
}
