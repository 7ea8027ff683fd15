import fc from 'fast-check';
import { computeCapacityPlan, type CapacityPlanInputs } from '../../../lib/planner/capacity-plan';
import { isPlannerInputError } from '../../../lib/planner/planner-input-error';
import type { Pricing } from '../../../contracts/config/schema';

const pricing: Pricing = {
  asOf: '2026-11-01',
  currency: 'USD',
  fargateVcpuHour: 0.04,
  fargateGbHour: 0.004,
  albHour: 0.025,
  albLcuHour: 0.008,
  natGatewayHour: 0.048,
  cacheNodeHour: {
    'cache.t4g.medium': 0.072,
    'cache.m7g.large': 0.176,
    'cache.r7g.large': 0.242,
    'cache.r7g.xlarge': 0.484,
  },
  cloudfrontPer10kRequests: 0.012,
  wafPerMillionRequests: 0.6,
  wafWebAclMonth: 5,
  wafRuleMonth: 1,
};

function inputs(overrides: Partial<CapacityPlanInputs> = {}): CapacityPlanInputs {
  return {
    audience: { socialFollowers: 250_000, registeredUsers: 80_000, adImpressions: 1_500_000 },
    taskCapacityRps: 400,
    fleet: { cpu: 1024, memoryMiB: 2048, baselineTasks: 2 },
    cache: { replicas: 1 },
    pricing,
    hasCachedRoutes: true,
    saleHours: 10,
    ...overrides,
  };
}

describe('computeCapacityPlan', () => {
  it('follows the documented formulas on the worked example', () => {
    const plan = computeCapacityPlan(inputs());
    // 250k × 2% + 80k × 10% + 1.5M × 0.5%
    expect(plan.visitors).toBeCloseTo(5_000 + 8_000 + 7_500);
    expect(plan.peakArrivalsPerMinute).toBeCloseTo(2_050);
    expect(plan.peakConcurrentUsers).toBeCloseTo(12_300);
    expect(plan.peakRequestsPerSecond).toBeCloseTo(2_050);
    expect(plan.assumptions.edgeAbsorbedShare).toBe(0.6);
    expect(plan.fleetRequestsPerSecond).toBeCloseTo(820);
    expect(plan.edgeRequestsPerSecond).toBeCloseTo(1_230);
    // ceil(820 × 5 / 400) = ceil(10.25)
    expect(plan.tasks).toBe(11);
    expect(plan.maxTasks).toBe(17);
    expect(plan.cache).toEqual({
      nodeType: 'cache.m7g.large',
      shards: 1,
      nodes: 2,
      opsPerSecond: expect.closeTo(12_300),
      connections: 136,
      memoryGiB: expect.closeTo((20_500 * 4096) / 2 ** 30),
    });
  });

  it('prices each component per hour and the sale window', () => {
    const plan = computeCapacityPlan(inputs());
    const c = plan.costPerHourUsd;
    expect(c.fargate).toBeCloseTo(11 * (1 * 0.04 + 2 * 0.004));
    expect(c.alb).toBeCloseTo(0.025 + 0.008 * Math.max(1, (820 * 20 * 1024 * 3600) / 1e9));
    expect(c.nat).toBeCloseTo(2 * 0.048);
    expect(c.cache).toBeCloseTo(0.176 * 2);
    expect(c.cloudfront).toBeCloseTo(((2_050 * 3600) / 10_000) * 0.012);
    expect(c.waf).toBeCloseTo((((2_050 + 820) * 3600) / 1e6) * 0.6 + (2 * (5 + 6 * 1)) / 730);
    expect(c.total).toBeCloseTo(c.fargate + c.alb + c.nat + c.cache + c.cloudfront + c.waf);
    expect(plan.saleWindowCostUsd).toBeCloseTo(c.total * 10);
    expect(plan.pricingAsOf).toBe('2026-11-01');
  });

  it('sends everything to the fleet when no route is cached, unless a share is given', () => {
    expect(computeCapacityPlan(inputs({ hasCachedRoutes: false })).fleetRequestsPerSecond).toBeCloseTo(2_050);
    expect(
      computeCapacityPlan(inputs({ hasCachedRoutes: false, assumptions: { edgeAbsorbedShare: 0.5 } }))
        .fleetRequestsPerSecond,
    ).toBeCloseTo(1_025);
  });

  it('never plans below the baseline fleet', () => {
    const plan = computeCapacityPlan(
      inputs({
        audience: { socialFollowers: 10, registeredUsers: 0, adImpressions: 0 },
        fleet: { cpu: 1024, memoryMiB: 2048, baselineTasks: 3 },
      }),
    );
    expect(plan.tasks).toBe(3);
    expect(plan.maxTasks).toBe(5);
  });

  it('caps concurrent users at the visitors when sessions are long', () => {
    const plan = computeCapacityPlan(inputs({ assumptions: { peakMinuteShare: 0.5, sessionMinutes: 30 } }));
    expect(plan.peakConcurrentUsers).toBeCloseTo(plan.visitors);
  });

  it('shards the cheapest type (cluster mode) when no single node carries the demand', () => {
    // 200k visitors: 8,000 fleet rps × 5 × 3 = 120,000 ops/s; m7g.large carries 40,000 at 50%:
    // 3 shards at 0.176 beat r7g.xlarge's 2 at 0.484 and t4g.medium's 24 at 0.072.
    const big = computeCapacityPlan(
      inputs({ audience: { socialFollowers: 0, registeredUsers: 2_000_000, adImpressions: 0 } }),
    );
    expect(big.cache).toMatchObject({
      nodeType: 'cache.m7g.large',
      shards: 3,
      nodes: 6,
      opsPerSecond: expect.closeTo(120_000),
    });
    expect(big.costPerHourUsd.cache).toBeCloseTo(0.176 * 3 * 2);
    expect(big.warnings).toEqual([]);
  });

  it('warns when the connections exceed every type, as shards do not split connections', () => {
    const plan = computeCapacityPlan(inputs({ assumptions: { cacheConnectionsPerTask: 3_000 } }));
    expect(plan.warnings).toEqual([
      expect.stringContaining('connections exceeds 50% of what any priced node type accepts'),
    ]);
  });

  it('picks the cheapest single node when one fits', () => {
    const small = computeCapacityPlan(
      inputs({ audience: { socialFollowers: 1_000, registeredUsers: 0, adImpressions: 0 } }),
    );
    expect(small.cache.nodeType).toBe('cache.t4g.medium');
    expect(small.warnings).toEqual([]);
  });

  it('rejects a pricing table with no known node type', () => {
    expect(() =>
      computeCapacityPlan(inputs({ pricing: { ...pricing, cacheNodeHour: { 'cache.x9.huge': 1 } } })),
    ).toThrow(/pricing\.cacheNodeHour/);
  });

  it.each<[string, Partial<CapacityPlanInputs>, RegExp]>([
    [
      'negative followers',
      { audience: { socialFollowers: -1, registeredUsers: 0, adImpressions: 0 } },
      /audience\.socialFollowers: got -1/,
    ],
    [
      'negative registered users',
      { audience: { socialFollowers: 0, registeredUsers: -5, adImpressions: 0 } },
      /audience\.registeredUsers: got -5/,
    ],
    [
      'NaN impressions',
      { audience: { socialFollowers: 0, registeredUsers: 0, adImpressions: NaN } },
      /audience\.adImpressions/,
    ],
    ['zero capacity', { taskCapacityRps: 0 }, /taskCapacityRps: got 0; expected requests per second above 0/],
    ['negative capacity', { taskCapacityRps: -10 }, /taskCapacityRps: got -10/],
    [
      'show-up share above 1',
      { assumptions: { followerShowUpShare: 1.5 } },
      /followerShowUpShare: got 1.5; expected a share between 0 and 1/,
    ],
    ['peak share 0', { assumptions: { peakMinuteShare: 0 } }, /peakMinuteShare: got 0/],
    ['edge share of 1', { assumptions: { edgeAbsorbedShare: 1 } }, /edgeAbsorbedShare: got 1/],
    ['headroom below 3', { assumptions: { headroom: 2 } }, /headroom: got 2; expected a factor between 3 and 10/],
    ['headroom above 10', { assumptions: { headroom: 11 } }, /headroom: got 11/],
    ['zero session', { assumptions: { sessionMinutes: 0 } }, /sessionMinutes: got 0/],
    [
      'negative requests per user',
      { assumptions: { requestsPerUserPerMinute: -1 } },
      /requestsPerUserPerMinute: got -1/,
    ],
    ['max factor below 1', { assumptions: { maxTasksFactor: 0.5 } }, /maxTasksFactor: got 0.5/],
    ['cache utilization 0', { assumptions: { cacheTargetUtilization: 0 } }, /cacheTargetUtilization: got 0/],
  ])('rejects %s by name', (_label, overrides, message) => {
    let caught: unknown;
    try {
      computeCapacityPlan(inputs(overrides));
    } catch (error) {
      caught = error;
    }
    expect(isPlannerInputError(caught)).toBe(true);
    expect((caught as Error).message).toMatch(message);
  });

  it('reports every bad input at once', () => {
    expect(() => computeCapacityPlan(inputs({ taskCapacityRps: 0, assumptions: { headroom: 20 } }))).toThrow(
      /taskCapacityRps[\s\S]*headroom/,
    );
  });

  it('ignores overrides left undefined (an unset flag keeps the default)', () => {
    expect(computeCapacityPlan(inputs({ assumptions: { headroom: undefined } })).headroom).toBe(5);
  });
});

describe('computeCapacityPlan properties', () => {
  const audience = fc.record({
    socialFollowers: fc.integer({ min: 0, max: 50_000_000 }),
    registeredUsers: fc.integer({ min: 0, max: 10_000_000 }),
    adImpressions: fc.integer({ min: 0, max: 500_000_000 }),
  });
  const extra = fc.record({
    socialFollowers: fc.integer({ min: 0, max: 5_000_000 }),
    registeredUsers: fc.integer({ min: 0, max: 1_000_000 }),
    adImpressions: fc.integer({ min: 0, max: 50_000_000 }),
  });
  const capacity = fc.double({ min: 1, max: 20_000, noNaN: true });
  const headroom = fc.double({ min: 3, max: 10, noNaN: true });

  it('more audience never means fewer tasks, a smaller max or a cheaper hour', () => {
    fc.assert(
      fc.property(audience, extra, capacity, headroom, (base, more, taskCapacityRps, h) => {
        const bigger = {
          socialFollowers: base.socialFollowers + more.socialFollowers,
          registeredUsers: base.registeredUsers + more.registeredUsers,
          adImpressions: base.adImpressions + more.adImpressions,
        };
        const a = computeCapacityPlan(inputs({ audience: base, taskCapacityRps, assumptions: { headroom: h } }));
        const b = computeCapacityPlan(inputs({ audience: bigger, taskCapacityRps, assumptions: { headroom: h } }));
        expect(b.tasks).toBeGreaterThanOrEqual(a.tasks);
        expect(b.maxTasks).toBeGreaterThanOrEqual(a.maxTasks);
        expect(b.costPerHourUsd.total).toBeGreaterThanOrEqual(a.costPerHourUsd.total - 1e-9);
      }),
    );
  });

  it('more capacity per task never means more tasks', () => {
    fc.assert(
      fc.property(audience, capacity, fc.double({ min: 0, max: 20_000, noNaN: true }), headroom, (aud, c, more, h) => {
        const a = computeCapacityPlan(inputs({ audience: aud, taskCapacityRps: c, assumptions: { headroom: h } }));
        const b = computeCapacityPlan(
          inputs({ audience: aud, taskCapacityRps: c + more, assumptions: { headroom: h } }),
        );
        expect(b.tasks).toBeLessThanOrEqual(a.tasks);
      }),
    );
  });

  it('more headroom never means fewer tasks', () => {
    fc.assert(
      fc.property(audience, capacity, headroom, headroom, (aud, c, h1, h2) => {
        const [low, high] = h1 <= h2 ? [h1, h2] : [h2, h1];
        const a = computeCapacityPlan(inputs({ audience: aud, taskCapacityRps: c, assumptions: { headroom: low } }));
        const b = computeCapacityPlan(inputs({ audience: aud, taskCapacityRps: c, assumptions: { headroom: high } }));
        expect(b.tasks).toBeGreaterThanOrEqual(a.tasks);
      }),
    );
  });
});
