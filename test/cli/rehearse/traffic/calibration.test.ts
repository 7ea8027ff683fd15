import { join } from 'node:path';
import {
  BASELINE_CAPACITY_SHARE,
  calibrate,
  calibratedProfile,
  calibrationBound,
  describeCalibration,
  perKeyRateLimits,
} from '../../../../cli/rehearse/traffic/calibration';
import { startEmbeddedFleet, type EmbeddedFleet } from '../../../../cli/rehearse/fleet/embedded-fleet';
import { RequestFactory } from '../../../../cli/rehearse/traffic/request-factory';
import { fetchProductIds } from '../../../../cli/rehearse/fleet/storefront-operator';
import { defaultProfile } from '../../../../cli/rehearse/traffic/traffic-profile';
import { MemoryFlags } from '../../../../guard/flags/memory-flags';
import { loadConfig } from '../../../../contracts/config/load-config';
import { seededRandom } from '../../../../contracts/seeded-random';

const config = loadConfig(join(__dirname, '../../../../saleday.config.json'));
// The example config proves user keys with hmac: the factory signs them and the gate verifies them with this.
const IDENTITY_SECRET = 'a-calibration-identity-secret';

describe('the profile scaled to the measured capacity', () => {
  it('puts the baseline at a quarter of the capacity, the ramp at 10× it, the bots within [100/s per key, 3× capacity]', () => {
    const slowBox = calibratedProfile(defaultProfile(), 40);
    expect(slowBox.baseRps).toBe(40 * BASELINE_CAPACITY_SHARE);
    expect(slowBox.profile.baseline.requestsPerSecond).toBe(10);
    expect(slowBox.peakRps).toBe(100);
    expect(slowBox.botFloodRps).toEqual([200]); // 2 keys × 100/s when no route limit is known
    const laptop = calibratedProfile(defaultProfile(), 1000);
    expect(laptop.baseRps).toBe(250);
    expect(laptop.peakRps).toBe(2500);
    expect(laptop.botFloodRps).toEqual([2000]); // the profile's own rate is the ceiling
    // Nothing else of the profile moves.
    expect(laptop.profile.phases.map((p) => [p.kind, p.from, p.to])).toEqual(
      defaultProfile().phases.map((p) => [p.kind, p.from, p.to]),
    );
  });

  it('keeps a bot flood at 10× the per-key rate limit of every route it hits, whatever the capacity', () => {
    const limits = perKeyRateLimits(config, new RequestFactory(config, ['sku-001'], seededRandom(1), IDENTITY_SECRET));
    expect(limits).toMatchObject({
      checkout: 0.5,
      'add-to-cart': 2,
      'list-products': 10,
      'view-product': 10,
      page: 20,
    });
    expect(limits.recommendations).toBeUndefined(); // a concurrency limit: no rate
    // The default flood: 30% product lists per key against 10/s → 333.3/s per key, 2 keys.
    expect(calibratedProfile(defaultProfile(), 40, limits).botFloodRps).toEqual([666.7]);
    expect(calibratedProfile(defaultProfile(), 1000, limits).botFloodRps).toEqual([2000]);
  });

  it('refuses a capacity of nothing', () => {
    expect(() => calibratedProfile(defaultProfile(), 0)).toThrow(
      'capacityRps: got 0; expected requests per second above 0',
    );
  });

  it('bounds a healthy step by a quarter of the SLA', () => {
    expect(calibrationBound(800)).toEqual({ p99Ms: 200, errorRate: 0.01 });
  });
});

describe('calibration against a real gate and storefront', () => {
  let fleet: EmbeddedFleet;
  beforeAll(async () => {
    process.env.SALEDAY_IDENTITY_SECRET = IDENTITY_SECRET;
    fleet = await startEmbeddedFleet({
      config,
      flags: new MemoryFlags(),
      stockPerProduct: 5,
      recommendationsWork: 100,
      onGateMetrics: () => undefined,
    });
  });
  afterAll(async () => {
    await fleet.close();
    delete process.env.SALEDAY_IDENTITY_SECRET;
  });

  it('doubles the rate each step through the gate, and states what it measured and how long it took', async () => {
    const random = seededRandom(3);
    const factory = new RequestFactory(config, await fetchProductIds(fleet.storefrontUrl), random, IDENTITY_SECRET);
    const measured = await calibrate({
      gateUrls: [fleet.gateUrl],
      config,
      factory,
      profile: defaultProfile(),
      random,
      slaP99Ms: 800,
      stepMs: 300,
      startRatePerGate: 10,
      maxSteps: 3,
    });
    expect(measured.steps.map((s) => s.rate).slice(0, 2)).toEqual([10, 20]);
    expect(measured.steps.length).toBeLessThanOrEqual(3);
    expect(measured.capacityRps).toBeGreaterThan(0); // 10 req/s of reads is within any machine's reach
    expect(measured.durationMs).toBeGreaterThan(0);
    const line = describeCalibration(measured, calibratedProfile(defaultProfile(), measured.capacityRps));
    expect(line).toMatch(
      /^calibration: (at least )?\d+ req\/s over 1 pair\(s\) \(p99 ≤ 200 ms, errors ≤ 1%\) in [\d.]+ s; base rate [\d.]+ req\/s, surge peak [\d.]+ req\/s, bot flood [\d.]+ req\/s$/,
    );
  }, 60_000);

  it("sends the mix's checkouts when asked, warms the fleet up before the first judged step, and takes a p99 bound", async () => {
    const random = seededRandom(5);
    const factory = new RequestFactory(config, await fetchProductIds(fleet.storefrontUrl), random, IDENTITY_SECRET);
    const checkoutsOnly = { ...defaultProfile(), baseline: { ...defaultProfile().baseline, mix: { checkout: 1 } } };
    const checkoutsSoFar = async () => {
      const stats = (await (await fetch(`${fleet.operatorUrl}/_stats`)).json()) as {
        thisProcess: { checkouts: Record<string, number> };
      };
      return Object.values(stats.thisProcess.checkouts).reduce((sum, n) => sum + n, 0);
    };
    const before = await checkoutsSoFar();
    const measured = await calibrate({
      gateUrls: [fleet.gateUrl],
      config,
      factory,
      profile: checkoutsOnly,
      random,
      slaP99Ms: 800,
      stepMs: 300,
      startRatePerGate: 10,
      maxSteps: 1,
      withWrites: true,
      warmUpMs: 400,
      p99BoundMs: 150,
    });
    expect(measured.bound).toEqual({ p99Ms: 150, errorRate: 0.01 });
    // The warm-up is not a step; the judged step schedules 3 checkouts (10/s for 300 ms), the warm-up 4 more.
    expect(measured.steps.map((s) => s.rate)).toEqual([10]);
    expect((await checkoutsSoFar()) - before).toBeGreaterThan(3);
  }, 60_000);
});
