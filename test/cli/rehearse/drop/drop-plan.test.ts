import {
  MEASUREMENT_MS,
  ARRIVAL_PEAK_MULTIPLE,
  arrivalsBySecond,
  DEFAULT_DROP_TIME_SCALE,
  planDrop,
} from '../../../../cli/rehearse/drop/drop-plan';
import { spearman } from '../../../../cli/rehearse/drop/rank-correlation';
import { lineReachedAtMs, type PublishedState } from '../../../../cli/rehearse/drop/drop-records';
import { roomMeasurement } from '../../../../cli/rehearse/drop/room-measurement';
import type { FleetSecond } from '../../../../cli/rehearse/metrics/fleet-metrics';
import { emptyClassSecond } from '../../../../cli/rehearse/metrics/fleet-metrics';
import { seededRandom } from '../../../../contracts/seeded-random';

describe('drop plan', () => {
  it('scales the drop to the measured capacity: a pre-queue, then arrivals reaching 100× the shoppers the fleet serves within the scaled 10 s', () => {
    const plan = planDrop({ capacityRps: 200, timeScale: 10, random: seededRandom(1) });
    expect(plan.shoppersPerSecond).toBe(200 / plan.requestsPerVisit);
    expect(plan.peakArrivalsPerSecond).toBe(ARRIVAL_PEAK_MULTIPLE * plan.shoppersPerSecond);
    expect(plan.rampMs).toBe(1000);
    const preQueue = plan.arrivalsMs.filter((t) => t < plan.preQueueMs);
    expect(preQueue.length).toBeGreaterThanOrEqual(300);
    // The busiest 1/timeScale of a second after the opening sees arrivals near the peak rate.
    const afterOpening = plan.arrivalsMs.filter((t) => t >= plan.preQueueMs && t < plan.preQueueMs + plan.rampMs);
    expect(afterOpening.length / (plan.rampMs / 1000)).toBeGreaterThan(plan.peakArrivalsPerSecond * 0.4);
    expect([...plan.arrivalsMs].sort((a, b) => a - b)).toEqual(plan.arrivalsMs);
    // Opening at what the fleet serves if every admitted ticket shows up.
    expect(plan.room.initialRatePerSecond).toBeCloseTo(plan.shoppersPerSecond, 1);
    // A change is judged after a page refresh, a visit and a measurement window.
    expect(plan.visitMs).toBe(plan.requestsPerVisit * plan.thinkMs);
    expect(plan.room.spacingMs).toBe(2000 + plan.visitMs + MEASUREMENT_MS);
    // The first measurement waits out the pre-queue's pages coming back together: one refresh.
    expect(plan.room.openingTransientMs).toBe(2000);
  });

  it("counts the fleet's answer time in a visit and in the spacing between rate changes", () => {
    const plan = planDrop({ capacityRps: 200, requestMs: 100, random: seededRandom(1) });
    expect(plan.visitMs).toBe(plan.requestsPerVisit * (plan.thinkMs + 100));
    expect(plan.room.spacingMs).toBe(2000 + plan.visitMs + MEASUREMENT_MS);
    expect(() => planDrop({ capacityRps: 200, requestMs: -1, random: seededRandom(1) })).toThrow(
      /requestMs: got -1; expected 0 or more milliseconds/,
    );
  });

  it('compresses the 10 s ramp by the default time scale', () => {
    expect(planDrop({ capacityRps: 80, random: seededRandom(3) }).rampMs).toBe(10_000 / DEFAULT_DROP_TIME_SCALE);
  });

  it('is the same plan for the same seed', () => {
    expect(planDrop({ capacityRps: 80, random: seededRandom(3) }).arrivalsMs).toEqual(
      planDrop({ capacityRps: 80, random: seededRandom(3) }).arrivalsMs,
    );
  });

  it('refuses a capacity or time scale it cannot plan with, naming the value', () => {
    expect(() => planDrop({ capacityRps: 0, random: Math.random })).toThrow('capacityRps: got 0');
    expect(() => planDrop({ capacityRps: 10, timeScale: 0.5, random: Math.random })).toThrow('timeScale: got 0.5');
  });

  it('counts arrivals per second', () => {
    expect(arrivalsBySecond([100, 900, 1500, 5000], 3)).toEqual([2, 1, 0]);
  });
});

describe('when the line reached a place', () => {
  const history: PublishedState[] = [
    { atMs: 0, open: true, t0Ms: 20_000, ticket0: 0, ratePerSecond: 0 },
    { atMs: 20_000, open: true, t0Ms: 20_000, ticket0: 0, ratePerSecond: 10 },
    { atMs: 25_000, open: true, t0Ms: 25_000, ticket0: 50, ratePerSecond: 20 },
  ];

  it('follows the published schedule across a rate change', () => {
    expect(lineReachedAtMs(history, 9)).toBe(21_000);
    expect(lineReachedAtMs(history, 59)).toBe(25_500);
    expect(lineReachedAtMs(history.slice(0, 2), 59)).toBe(26_000);
  });

  it('is undefined while the line has not reached it', () => {
    expect(lineReachedAtMs(history.slice(0, 1), 3)).toBeUndefined();
  });
});

describe('rank correlation', () => {
  it('is 1 for the same order, −1 for the reverse, and averages ties', () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 40])).toBeCloseTo(1);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1);
    expect(spearman([1, 2, 2, 3], [1, 2, 3, 4])).toBeCloseTo(0.9487, 3);
    expect(() => spearman([1], [1, 2])).toThrow('got 1 and 2 values');
  });
});

describe('room measurement', () => {
  const second = (served: number, shed: number, p99: number, limit = 512): FleetSecond => ({
    second: 0,
    classes: { high: { ...emptyClassSecond(), requests: served + shed, served, shed, latencyP99: p99 } },
    dependencies: {},
    flagsLevelByGate: {},
    redisFallbackGates: 0,
    inFlight: served / 10,
    concurrencyLimit: limit,
    deliberateRefusals: 0,
    gateway: { requests: 0, target5xx: 0, elb5xx: 0 },
    resources: {},
  });

  it('reports the served rate against the measured capacity, the shed share and the worst p99', () => {
    expect(roomMeasurement([second(40, 0, 30), second(60, 10, 90)], 100, 12)).toEqual({
      admittedRequestsPerSecond: 50,
      activeShoppers: 12,
      shedShare: 10 / 110,
      p99Ms: 90,
      inFlight: 50,
      concurrencyLimit: 100,
      gates: { inFlight: 5, concurrencyLimit: 512 },
    });
  });

  it('carries the gates’ own in-flight count and adaptive limits, averaged over the seconds', () => {
    const measured = roomMeasurement([second(40, 0, 30, 96), second(60, 0, 30, 32)], 100, 12);
    expect(measured?.gates).toEqual({ inFlight: 5, concurrencyLimit: 64 });
    // The decision still reads the served rate against the calibrated capacity.
    expect(measured!.inFlight / measured!.concurrencyLimit).toBe(0.5);
  });

  it('has nothing to say before the gates reported', () => {
    expect(roomMeasurement([], 100, 0)).toBeUndefined();
  });
});
