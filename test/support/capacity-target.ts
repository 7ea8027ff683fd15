/** A fake load-test target for the capacity search and its confirmation: fine up to `capacity` rps, latency exploding above. */
import type { StepMetrics } from '../../cli/loadtest/capacity-search';

/** Each step's rate goes into `log`, so a test can read the rates the search tried. */
export function targetWithCapacity(capacity: number, log: number[] = []) {
  return async (rate: number): Promise<StepMetrics> => {
    log.push(rate);
    const over = rate > capacity;
    return {
      rate,
      achievedRps: Math.min(rate, capacity),
      p50: 5,
      p90: over ? 300 : 8,
      p99: over ? 900 : 12,
      max: over ? 1200 : 20,
      errorRate: 0,
    };
  };
}
