/**
 * Property tests on the pure algorithms: whatever the request times (including a clock that jumps
 * backwards) and costs, no limiter admits more than its limit over any window.
 */
import fc from 'fast-check';
import {
  stepAcquire,
  stepGcra,
  stepRelease,
  stepTokenBucket,
  type GcraState,
  type Lease,
  type TokenBucketState,
} from '../../../guard/rate-limit';

const T0 = 1_700_000_000_000;

/** A request: how far the clock moves first (sometimes backwards), and its cost. */
const requests = (maxCost: number) =>
  fc.array(
    fc.record({
      moveMs: fc.oneof(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: -3000, max: 0 }), fc.constant(0)),
      cost: fc.integer({ min: 1, max: maxCost }),
    }),
    {
      minLength: 1,
      maxLength: 80,
    },
  );

/**
 * Admitted units in any window must not exceed `limit + window × rate`. Windows are measured on the
 * latest time the limiter has stored (a clock going back does not rewind the budget; a refusal
 * stores nothing).
 */
function assertWithinLimit(admitted: { atMs: number; cost: number }[], limit: number, perMs: number): void {
  for (let i = 0; i < admitted.length; i++) {
    let units = 0;
    for (let j = i; j < admitted.length; j++) {
      units += admitted[j]!.cost;
      const windowMs = admitted[j]!.atMs - admitted[i]!.atMs;
      expect(units).toBeLessThanOrEqual(limit + windowMs * perMs + 1e-6);
    }
  }
}

describe('no limiter admits more than its limit over any window', () => {
  test('token bucket', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.double({ min: 0.01, max: 50, noNaN: true }),
        requests(25),
        (capacity, refillPerSecond, reqs) => {
          let now = T0;
          let seen = Number.NEGATIVE_INFINITY;
          let state: TokenBucketState | undefined;
          const admitted: { atMs: number; cost: number }[] = [];
          for (const { moveMs, cost } of reqs) {
            now += moveMs;
            const step = stepTokenBucket({ capacity, refillPerSecond }, state, now, cost);
            if (step.allowed) {
              state = step.state;
              seen = Math.max(seen, now);
              admitted.push({ atMs: seen, cost });
              expect(step.remaining).toBeGreaterThanOrEqual(0);
            } else {
              expect(step.retryAfterMs === -1 || step.retryAfterMs > 0).toBe(true);
              if (cost > capacity) expect(step.retryAfterMs).toBe(-1);
            }
          }
          assertWithinLimit(admitted, capacity, refillPerSecond / 1000);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('gcra', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.double({ min: 0.01, max: 50, noNaN: true }),
        requests(25),
        (burst, ratePerSecond, reqs) => {
          let now = T0;
          let seen = Number.NEGATIVE_INFINITY;
          let state: GcraState | undefined;
          const admitted: { atMs: number; cost: number }[] = [];
          for (const { moveMs, cost } of reqs) {
            now += moveMs;
            const step = stepGcra({ ratePerSecond, burst }, state, now, cost);
            if (step.allowed) {
              state = step.state;
              seen = Math.max(seen, now);
              admitted.push({ atMs: seen, cost });
            } else if (cost > burst) {
              expect(step.retryAfterMs).toBe(-1);
            }
          }
          assertWithinLimit(admitted, burst, ratePerSecond / 1000);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('a refused request would pass once its retryAfterMs has elapsed (when nothing else happens)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.double({ min: 0.01, max: 50, noNaN: true }),
        requests(20),
        (capacity, refillPerSecond, reqs) => {
          let now = T0;
          let state: TokenBucketState | undefined;
          for (const { moveMs, cost } of reqs) {
            now += moveMs;
            const step = stepTokenBucket({ capacity, refillPerSecond }, state, now, cost);
            if (step.allowed) state = step.state;
            else if (step.retryAfterMs > 0) {
              expect(stepTokenBucket({ capacity, refillPerSecond }, state, now + step.retryAfterMs, cost).allowed).toBe(
                true,
              );
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  test('concurrency: held units never exceed maxInFlight, whatever acquires, releases and clock moves', () => {
    const operation = fc.oneof(
      fc.record({ kind: fc.constant('acquire' as const), cost: fc.integer({ min: 1, max: 6 }) }),
      fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('move' as const), ms: fc.integer({ min: -2000, max: 3000 }) }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 5000 }),
        fc.array(operation, { maxLength: 100 }),
        (maxInFlight, leaseMs, operations) => {
          let now = T0;
          /** Expiry is judged on the latest time seen: a clock going back does not resurrect an expired lease. */
          let latest = T0;
          let leases: Lease[] = [];
          let nextId = 0;
          /** What a correct limiter must consider held: granted, not released, not expired. */
          const granted = new Map<string, { cost: number; expiresAtMs: number }>();
          for (const op of operations) {
            if (op.kind === 'move') now += op.ms;
            else if (op.kind === 'release') {
              const ids = [...granted.keys()];
              if (ids.length === 0) continue;
              const id = ids[op.pick % ids.length]!;
              granted.delete(id);
              leases = stepRelease(leases, id);
            } else {
              const id = String(nextId++);
              latest = Math.max(latest, now);
              const step = stepAcquire({ maxInFlight, leaseMs }, leases, now, op.cost, id);
              leases = step.leases;
              if (step.allowed) granted.set(id, { cost: op.cost, expiresAtMs: now + leaseMs });
              let held = 0;
              for (const lease of granted.values()) if (lease.expiresAtMs > latest) held += lease.cost;
              expect(held).toBeLessThanOrEqual(maxInFlight);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
