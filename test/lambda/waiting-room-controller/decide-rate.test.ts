import {
  decideRate,
  littlesLawRate,
  type RateMeasurement,
  type RatePolicy,
  type RateState,
} from '../../../lambda/waiting-room-controller/decide-rate';
import { ratePolicyFromConfig } from '../../../lambda/waiting-room-controller/rate-policy';
import { WaitingRoomSchema } from '../../../contracts/config/waiting-room-schema';
import { FakeClock } from '../../support/fake-clock';

const policy: RatePolicy = ratePolicyFromConfig(
  WaitingRoomSchema.parse({ enabled: true, minRatePerSecond: 2, maxRatePerSecond: 202, sessionMinutes: 5 }),
  800,
);
const T = 1_800_000_000_000;
const calm: RateMeasurement = {
  admittedRequestsPerSecond: 300,
  activeShoppers: 6000,
  shedShare: 0,
  p99Ms: 200,
  inFlight: 30,
  concurrencyLimit: 100,
};
const state = (ratePerSecond: number, lastIncreaseAtMs = T - 60_000, lastDecreaseAtMs = T - 60_000): RateState => ({
  ratePerSecond,
  lastIncreaseAtMs,
  lastDecreaseAtMs,
  estimateRatePerSecond: ratePerSecond,
  measuringSinceMs: 0,
  firstMeasuredAtMs: 0,
});

describe('the policy from the config', () => {
  it('takes the bounds, the session and the SLA from the config and steps a fiftieth of the range', () => {
    expect(policy).toEqual(
      expect.objectContaining({
        slaP99Ms: 800,
        minRatePerSecond: 2,
        maxRatePerSecond: 202,
        sessionSeconds: 300,
        increaseStepPerSecond: 4,
      }),
    );
  });
});

describe('decideRate', () => {
  const rows: Array<[string, RateMeasurement | undefined, RateState, RateDecisionShape, Partial<RatePolicy>?]> = [
    [
      'holds without a measurement',
      undefined,
      state(20),
      { change: 'hold', rate: 20, reason: /no usable measurement/ },
    ],
    [
      'holds on a nonsense measurement',
      { ...calm, p99Ms: Number.NaN },
      state(20),
      { change: 'hold', rate: 20, reason: /no usable measurement/ },
    ],
    [
      'holds when no concurrency limit is reported',
      { ...calm, concurrencyLimit: 0 },
      state(20),
      { change: 'hold', rate: 20, reason: /no usable measurement/ },
    ],
    [
      'trims by four times the share when the gates shed a little',
      { ...calm, shedShare: 0.02 },
      state(20),
      { change: 'decrease', rate: 18.4, reason: /gates shedding 2% of requests: rate 20 → 18.4\/s/ },
    ],
    [
      'drops by the factor when the gates shed a lot',
      { ...calm, shedShare: 0.1 },
      state(20),
      { change: 'decrease', rate: 14, reason: /gates shedding 10% of requests: rate 20 → 14\/s/ },
    ],
    [
      'drops when p99 nears the SLA',
      { ...calm, p99Ms: 650 },
      state(20),
      { change: 'decrease', rate: 14, reason: /p99 650 ms near the 800 ms SLA/ },
    ],
    ['ignores a trickle of shedding', { ...calm, shedShare: 0.004 }, state(20), { change: 'increase', rate: 35 }],
    [
      // 300 active of 40/s over 300 s: almost nobody shows up (share floored at 5%); the fleet, fully used, serves 225 → 225 / (5% × 300 s) = 15/s.
      "drops straight to Little's law when that is below the factor",
      { ...calm, shedShare: 0.05, activeShoppers: 300, inFlight: 100, concurrencyLimit: 100 },
      state(40),
      { change: 'decrease', rate: 15, reason: /rate 40 → 15\/s/ },
    ],
    ['never drops below the minimum', { ...calm, shedShare: 0.5 }, state(2.5), { change: 'decrease', rate: 2 }],
    [
      'holds at the minimum while still overloaded',
      { ...calm, shedShare: 0.5 },
      state(2),
      { change: 'hold', rate: 2, reason: /already at the minimum rate/ },
    ],
    [
      'waits for the last decrease to show before the next',
      { ...calm, shedShare: 0.5 },
      state(20, T - 60_000, T - 9_999),
      { change: 'hold', rate: 20, reason: /waiting for the last decrease to show/ },
    ],
    [
      // 58% used: Little's law says 20 × 75% / 58% ≈ 25.9/s, under two steps away.
      'raises by one step with headroom near the target',
      { ...calm, inFlight: 58 },
      state(20),
      { change: 'increase', rate: 24, reason: /concurrency 58% used: rate 20 → 24\/s/ },
    ],
    [
      // 30% used: Little's law says 20 × 75% / 30% = 50/s, far more than a step away.
      "goes half the way to Little's law when that is far",
      calm,
      state(20),
      { change: 'increase', rate: 35, reason: /concurrency 30% used: rate 20 → 35\/s/ },
    ],
    [
      'holds at the target utilization',
      { ...calm, inFlight: 75 },
      state(20),
      { change: 'hold', rate: 20, reason: /75% used, at or above the 75% target/ },
    ],
    [
      'holds within the raise margin, however long since the last change',
      { ...calm, inFlight: 71 },
      state(20),
      { change: 'hold', rate: 20, reason: /71% used, within the raise margin of the target/ },
      { raiseMargin: 0.05 },
    ],
    [
      'raises below the raise margin',
      { ...calm, inFlight: 69 },
      state(20),
      { change: 'increase', rate: (20 * 0.75) / 0.69, reason: /concurrency 69% used: rate 20 → 21.7\/s/ },
      { raiseMargin: 0.05 },
    ],
    ['waits between increases', calm, state(20, T - 9_000), { change: 'hold', rate: 20, reason: /too recent/ }],
    [
      'waits after a decrease before raising',
      calm,
      state(20, T - 60_000, T - 5_000),
      { change: 'hold', rate: 20, reason: /too recent/ },
    ],
    ['never raises above the maximum', calm, state(200), { change: 'increase', rate: 202 }],
    ['holds at the maximum', calm, state(202), { change: 'hold', rate: 202, reason: /already at the maximum rate/ }],
    [
      // 6000 active = 20/s × 300 s, 74% used: Little's law allows 20 × 75/74 ≈ 20.27/s, less than a step of 4.
      "raises only up to Little's law when that is closer than a step",
      { ...calm, inFlight: 74 },
      state(20),
      { change: 'increase', rate: (20 * 0.75) / 0.74 },
    ],
  ];
  // A rest parameter: with a fifth named one, jest would read rows without it as taking `done`.
  it.each(rows)('%s', (...[, measured, current, expected, overrides]) => {
    const decision = decideRate({ measured, current, policy: { ...policy, ...overrides }, nowMs: T });
    expect(decision.change).toBe(expected.change);
    expect(decision.next.ratePerSecond).toBeCloseTo(expected.rate, 6);
    if (expected.reason) expect(decision.reason).toMatch(expected.reason);
  });
});

interface RateDecisionShape {
  change: 'decrease' | 'increase' | 'hold';
  rate: number;
  reason?: RegExp;
}

describe("Little's law estimate", () => {
  it('is the current rate scaled by target over actual utilization when every admitted ticket shows up', () => {
    // 20/s × 300 s = 6000 active: every ticket shows up; at 30% use the target 75% allows 2.5× the rate.
    expect(littlesLawRate(calm, 20, policy)).toBeCloseTo(50, 6);
  });

  it('counts abandonment: when half the admitted never shop, it admits twice as many per servable shopper', () => {
    // 3000 active, 30% used: 7500 servable; only half of the tickets show up, so 7500 / (½ × 300 s) = 50/s
    // (a session-only estimate, 7500 / 300 s = 25/s, would under-admit).
    expect(littlesLawRate({ ...calm, activeShoppers: 3000 }, 20, policy)).toBeCloseTo(50, 6);
  });

  it('reads a count over a window as visits overlapping it: session plus window, not the session alone', () => {
    // 20/s, all showing up, 300 s visits counted over a 60 s window: 20 × 360 = 7200 distinct, 6000 present.
    const counted = { ...calm, activeShoppers: 7200 };
    expect(littlesLawRate({ ...counted, activeWindowSeconds: 60 }, 20, policy)).toBeCloseTo(50, 6);
    // Read as if all 7200 were present at once, the fleet would seem to serve a fifth more.
    expect(littlesLawRate(counted, 20, policy)).toBeCloseTo(60, 6);
  });

  it('is unknown with too few active shoppers, no use, or no rate', () => {
    expect(littlesLawRate({ ...calm, activeShoppers: 4 }, 20, policy)).toBeUndefined();
    expect(littlesLawRate({ ...calm, inFlight: 0 }, 20, policy)).toBeUndefined();
    expect(littlesLawRate(calm, 0, policy)).toBeUndefined();
  });
});

describe('decideRate over time on a fake clock', () => {
  it('drops at once on shedding, again only after the spacing, then climbs back one step at a time', () => {
    const clock = new FakeClock(T);
    let current = state(100);
    const step = (measured: RateMeasurement) => {
      const decision = decideRate({ measured, current, policy, nowMs: clock.now() });
      current = decision.next;
      return decision.change;
    };
    const shedding = { ...calm, shedShare: 0.1, activeShoppers: 0 };
    expect(step(shedding)).toBe('decrease');
    expect(current.ratePerSecond).toBeCloseTo(70, 6);
    clock.advance(5_000);
    expect(step(shedding)).toBe('hold');
    clock.advance(5_000);
    expect(step(shedding)).toBe('decrease');
    expect(current.ratePerSecond).toBeCloseTo(49, 6);
    const changes: string[] = [];
    for (let i = 0; i < 6; i++) {
      clock.advance(5_000);
      changes.push(step({ ...calm, activeShoppers: 0 }));
    }
    expect(changes).toEqual(['hold', 'increase', 'hold', 'increase', 'hold', 'increase']);
    expect(current.ratePerSecond).toBeCloseTo(61, 6);
  });
});
