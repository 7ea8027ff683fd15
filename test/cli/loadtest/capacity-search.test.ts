import { isCapacitySearchOptionsError, meetsSla, searchCapacity } from '../../../cli/loadtest/capacity-search';
import { targetWithCapacity } from '../../support/capacity-target';

const sla = { p99LatencyMs: 100, errorRate: 0.01 };

describe('searchCapacity', () => {
  it('steps up geometrically, then bisects to within the resolution', async () => {
    const rates: number[] = [];
    const result = await searchCapacity({
      startRate: 50,
      maxRate: 10_000,
      sla,
      runStep: targetWithCapacity(437, rates),
    });
    expect(rates.slice(0, 5)).toEqual([50, 100, 200, 400, 800]);
    expect(result.capacityRps).toBeLessThanOrEqual(437);
    expect(result.capacityRps).toBeGreaterThanOrEqual(437 / 1.1);
    expect(result.stoppedBy).toBe('converged');
    expect(result.steps.map((s) => s.pass)).toEqual(result.steps.map((s) => s.rate <= 437));
  });

  it('counts errors against the SLA even when latency is fine (429/503 from the gate)', async () => {
    const result = await searchCapacity({
      startRate: 100,
      maxRate: 1000,
      sla,
      runStep: async (rate) => ({
        rate,
        achievedRps: rate,
        p50: 1,
        p90: 1,
        p99: 2,
        max: 3,
        errorRate: rate > 300 ? 0.2 : 0,
      }),
    });
    expect(result.capacityRps).toBeGreaterThanOrEqual(273);
    expect(result.capacityRps).toBeLessThanOrEqual(300);
  });

  it('stops at maxRate when everything passes', async () => {
    const result = await searchCapacity({ startRate: 100, maxRate: 300, sla, runStep: targetWithCapacity(1e9) });
    expect(result.steps.map((s) => s.rate)).toEqual([100, 200, 300]);
    expect(result.capacityRps).toBe(300);
    expect(result.stoppedBy).toBe('max-rate');
  });

  it('bisects below the start rate when the first step fails, and reports 0 when nothing passes', async () => {
    const low = await searchCapacity({ startRate: 100, maxRate: 1000, sla, runStep: targetWithCapacity(30) });
    expect(low.capacityRps).toBeGreaterThanOrEqual(27);
    expect(low.capacityRps).toBeLessThanOrEqual(30);
    const none = await searchCapacity({
      startRate: 100,
      maxRate: 1000,
      sla,
      maxSteps: 30,
      runStep: targetWithCapacity(0),
    });
    expect(none.capacityRps).toBe(0);
  });

  it('honours the step budget and the time cap', async () => {
    const capped = await searchCapacity({
      startRate: 10,
      maxRate: 1e6,
      sla,
      maxSteps: 3,
      runStep: targetWithCapacity(1e9),
    });
    expect(capped.steps).toHaveLength(3);
    expect(capped.stoppedBy).toBe('max-steps');
    let calls = 0;
    const timed = await searchCapacity({
      startRate: 10,
      maxRate: 1e6,
      sla,
      runStep: targetWithCapacity(1e9),
      outOfTime: () => ++calls > 2,
    });
    expect(timed.steps).toHaveLength(2);
    expect(timed.stoppedBy).toBe('out-of-time');
    expect(timed.capacityRps).toBe(20);
  });

  it.each([
    [{ startRate: 0 }, /startRate: got 0/],
    [{ maxRate: 5 }, /maxRate: got 5; expected at least startRate/],
    [{ growthFactor: 1 }, /growthFactor: got 1/],
    [{ resolution: 0 }, /resolution: got 0/],
    [{ maxSteps: 0 }, /maxSteps: got 0/],
  ])('rejects %o by name', async (bad, message) => {
    const promise = searchCapacity({ startRate: 10, maxRate: 100, sla, runStep: targetWithCapacity(50), ...bad });
    await expect(promise).rejects.toThrow(message);
    await promise.catch((error: unknown) => expect(isCapacitySearchOptionsError(error)).toBe(true));
  });
});

describe('meetsSla', () => {
  it.each([
    [{ p99: 100, errorRate: 0.01 }, true],
    [{ p99: 100.5, errorRate: 0 }, false],
    [{ p99: 1, errorRate: 0.011 }, false],
  ])('%o → %s', (step, pass) => {
    expect(meetsSla(step, sla)).toBe(pass);
  });
});
