import { percentile, simulate, SimulatedApp } from './simulated-app';

/** The example config's limits: sized for a real task, far above the simulated app's 4 workers. */
const EXAMPLE_LIMITS = { initialLimit: 64, minLimit: 8, maxLimit: 512 };
/** A sale's mix, as in the gate benchmark: mostly browsing, checkout (critical) 5%. */
const SALE_MIX = { critical: 0.05, high: 0.1, normal: 0.25, low: 0.6 };

describe('the adaptive limit in front of a simulated app (fake clock)', () => {
  it('at 5× the capacity of a 4-worker app, settles near its useful concurrency instead of climbing to maxLimit, and checkout keeps being served', async () => {
    // 4 workers × 5 ms = 800 req/s; 4000 req/s offered for 60 s.
    const { limits, byClass } = await simulate({
      concurrency: EXAMPLE_LIMITS,
      app: new SimulatedApp(4, 5),
      perMs: 4,
      durationMs: 60_000,
      mix: SALE_MIX,
    });
    const settled = limits.slice(10_000);
    // Where it settles: latency ≈ rttTolerance (1.5) × the latency at minLimit (8 in flight = 10 ms),
    // i.e. 12 in flight, plus the growth allowance (√16 = 4): about 16 = 4 × the app's concurrency.
    expect(percentile(settled, 50)).toBeGreaterThanOrEqual(EXAMPLE_LIMITS.minLimit);
    expect(percentile(settled, 50)).toBeLessThanOrEqual(16);
    expect(Math.max(...settled)).toBeLessThanOrEqual(20);
    // No drift back up over the minute of sustained overload: the last 10 s look like the 10 s after settling.
    expect(percentile(limits.slice(50_000), 90)).toBeLessThanOrEqual(percentile(limits.slice(10_000, 20_000), 90) + 1);
    // What that buys: checkout (critical) and product pages (high) served, the lower classes shed.
    expect(byClass.critical.served / byClass.critical.offered).toBeGreaterThanOrEqual(0.99);
    expect(byClass.high.served / byClass.high.offered).toBeGreaterThanOrEqual(0.99);
    expect(byClass.low.served / byClass.low.offered).toBeLessThan(0.05);
    expect(percentile(byClass.critical.latencies, 99)).toBeLessThan(100);
  });

  it('follows the app down when it loses capacity, and back up when it recovers', async () => {
    const app = new SimulatedApp(16, 5); // 3200 req/s
    const { limits } = await simulate({
      concurrency: EXAMPLE_LIMITS,
      app,
      perMs: 4,
      durationMs: 90_000,
      mix: SALE_MIX,
      onTick: (elapsed) => {
        if (elapsed === 30_000) app.reconfigure(4, 5); // loses 3/4 of its workers
        if (elapsed === 60_000) app.reconfigure(16, 5);
      },
    });
    const healthy = percentile(limits.slice(20_000, 30_000), 50);
    const degraded = percentile(limits.slice(50_000, 60_000), 50);
    const recovered = percentile(limits.slice(80_000, 90_000), 50);
    expect(degraded).toBeLessThan(healthy);
    expect(degraded).toBeLessThanOrEqual(16);
    expect(recovered).toBeGreaterThan(degraded);
  });

  it('under light load with a fast app the limit grows to what the traffic needs', async () => {
    // An app with room to spare (5 ms whatever the concurrency); 8000 req/s need about 40 in flight.
    const { limits, byClass } = await simulate({
      concurrency: { initialLimit: 16, minLimit: 4, maxLimit: 512 },
      app: new SimulatedApp(1_000_000, 5),
      perMs: 8,
      durationMs: 30_000,
    });
    expect(limits.at(-1)).toBeGreaterThanOrEqual(40);
    expect(Math.max(...limits)).toBeLessThan(512);
    // once grown, nothing is refused: the last 5 s are all served
    expect(byClass.critical.latencies.slice(-5_000 * 8).every((latency) => latency <= 6)).toBe(true);
  });
});
