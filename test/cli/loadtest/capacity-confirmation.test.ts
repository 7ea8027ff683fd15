/** Holding a found capacity longer: kept when it holds, stepped down while it does not. */
import { confirmCapacity, retryingFailedSteps } from '../../../cli/loadtest/capacity-confirmation';
import type { StepMetrics } from '../../../cli/loadtest/capacity-search';
import { targetWithCapacity } from '../../support/capacity-target';

const sla = { p99LatencyMs: 100, errorRate: 0.01 };

describe('confirmCapacity', () => {
  it('keeps a capacity that holds, after one step at it', async () => {
    const rates: number[] = [];
    const confirmed = await confirmCapacity({ capacityRps: 200, sla, runStep: targetWithCapacity(250, rates) });
    expect(confirmed.capacityRps).toBe(200);
    expect(rates).toEqual([200]);
    expect(confirmed.steps).toEqual([expect.objectContaining({ rate: 200, pass: true })]);
  });

  it('steps down by the share until a rate holds', async () => {
    const rates: number[] = [];
    const confirmed = await confirmCapacity({ capacityRps: 240, sla, runStep: targetWithCapacity(200, rates) });
    expect(rates).toEqual([240, 216, 194]);
    expect(confirmed.capacityRps).toBe(194);
    expect(confirmed.steps.map((s) => s.pass)).toEqual([false, false, true]);
  });

  it('holds the peaks of a swinging load: each try runs its rate plus the peak share', async () => {
    const rates: number[] = [];
    // Found 255; peaks 15% above the mean: the first try holds 221 × 1.15 = 254, which the target cannot.
    const confirmed = await confirmCapacity({
      capacityRps: 255,
      sla,
      runStep: targetWithCapacity(240, rates),
      peakShare: 0.15,
    });
    expect(rates).toEqual([254, 228]);
    expect(confirmed.capacityRps).toBe(198);
    expect(confirmed.steps.map((s) => [s.rate, s.pass])).toEqual([
      [254, false],
      [228, true],
    ]);
  });

  it('counts errors as failing, like the search', async () => {
    const failing = async (rate: number): Promise<StepMetrics> => ({
      rate,
      achievedRps: rate,
      p50: 5,
      p90: 8,
      p99: 20,
      max: 30,
      errorRate: 0.05,
    });
    const confirmed = await confirmCapacity({ capacityRps: 100, sla, runStep: failing, maxTries: 2 });
    expect(confirmed).toEqual({ capacityRps: 0, steps: [expect.anything(), expect.anything()] });
  });

  it('refuses a step down or a number of tries that makes no sense', async () => {
    const runStep = targetWithCapacity(100, []);
    await expect(confirmCapacity({ capacityRps: 100, sla, runStep, stepDown: 1 })).rejects.toThrow(
      'stepDown: got 1; expected a share above 0 and below 1',
    );
    await expect(confirmCapacity({ capacityRps: 100, sla, runStep, peakShare: -0.1 })).rejects.toThrow(
      'peakShare: got -0.1; expected a share of 0 or more',
    );
    await expect(confirmCapacity({ capacityRps: 100, sla, runStep, maxTries: 0 })).rejects.toThrow(
      'maxTries: got 0; expected a whole number of 1 or more',
    );
  });
});

describe('retryingFailedSteps', () => {
  it('runs a failing step once more and keeps the second answer; a passing step runs once', async () => {
    const answers = [400, 20, 20, 400, 400];
    const rates: number[] = [];
    const step = retryingFailedSteps(async (rate) => {
      rates.push(rate);
      return { rate, achievedRps: rate, p50: 5, p90: 8, p99: answers.shift()!, max: 30, errorRate: 0 };
    }, sla);
    expect((await step(100)).p99).toBe(20); // a hiccup, then a pass
    expect((await step(200)).p99).toBe(20); // a pass at once
    expect((await step(300)).p99).toBe(400); // failed twice
    expect(rates).toEqual([100, 100, 200, 300, 300]);
  });
});
