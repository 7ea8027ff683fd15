import { percentile, simulate, SimulatedApp } from './simulated-app';

/** The example config's limits, sized for a real task. */
const EXAMPLE_LIMITS = { initialLimit: 64, minLimit: 8, maxLimit: 512 };
/** The rehearsal's shopper mix by class: checkout (critical) 8%, the rest browsing. */
const SHOPPER_MIX = { critical: 0.08, high: 0.45, normal: 0.35, low: 0.12 };

/**
 * Why checkout p99 spiked at level 0 on the rehearsal's ramp: the gate admits a checkout at once
 * (reserve, its own queue first), but the app behind it is one FIFO queue, and the adaptive limit
 * had let in up to 64 requests of the lower classes ahead of it; smoothed, the limit then came
 * down by a tenth per window, so the queue in the app lasted seconds.
 *
 * The first seconds of a sale, before any alarm can move the level: 20 s of calm at a fifth of the
 * app's capacity (the baseline probe has run, the limit sits at its initial 64, unused), then the
 * load jumps to 5× the capacity. Whatever checkout waits for now is the gate's doing.
 */
async function rampAtLevelZero() {
  const app = new SimulatedApp(1, 5); // one busy core, 5 ms a request: 200 req/s
  const rampAt = 20_000;
  return simulate({
    concurrency: EXAMPLE_LIMITS,
    app,
    perMs: 0,
    perMsAt: (elapsed) => (elapsed < rampAt ? 0.04 : 1),
    durationMs: rampAt + 6_000,
    mix: SHOPPER_MIX,
  }).then((result) => ({ ...result, rampAt }));
}

describe('checkout in the first seconds of a ramp, at level 0 (fake clock)', () => {
  it("waits behind no more than the initial limit's worth of lower classes, and only in the first window", async () => {
    const { served, rampAt, limits } = await rampAtLevelZero();
    const checkouts = (fromMs: number, toMs: number) =>
      served
        .filter((s) => s.priority === 'critical' && s.offeredAt >= rampAt + fromMs && s.offeredAt < rampAt + toMs)
        .map((s) => s.latencyMs);
    const firstSecond = checkouts(0, 1000);
    expect(firstSecond.length).toBeGreaterThan(50);
    // The app runs its queue FIFO, 5 ms a request: a checkout admitted at once still waits for every
    // request the limit let in before it. In the first window that is the initial limit (64 × 5 ms)…
    expect(Math.max(...firstSecond)).toBeLessThanOrEqual(EXAMPLE_LIMITS.initialLimit * 5 + 10);
    // …then the limit comes down at once (not a tenth per window): by the second second checkout
    // waits behind a few requests only (a smoothed decrease left it near 200 ms there).
    expect(percentile(checkouts(1000, 2000), 99)).toBeLessThanOrEqual(100);
    expect(percentile(checkouts(1000, 6000), 99)).toBeLessThanOrEqual(100);
    expect(Math.max(...limits.slice(rampAt + 1000))).toBeLessThanOrEqual(24);
    // Every checkout was served: the reserve and the critical queue kept them in.
    expect(served.filter((s) => s.priority === 'critical' && s.offeredAt >= rampAt).length).toBeGreaterThanOrEqual(
      checkouts(0, 6000).length,
    );
  });
});
