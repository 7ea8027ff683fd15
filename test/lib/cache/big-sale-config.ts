/**
 * A sale no single cache node of the example's type carries: 20,000 fleet requests/s at headroom 5
 * is 300,000 cache ops/s, and a cache.r7g.large carries 40,000 at 50%, so the plan needs 8 shards.
 */
import type { SaledayConfigInput } from '../../../contracts/config/schema';

export function raiseToBigSale(raw: SaledayConfigInput): void {
  raw.plan = {
    computedAt: '2026-11-01T00:00:00.000Z',
    peakRequestsPerSecond: 50_000,
    fleetRequestsPerSecond: 20_000,
    taskCapacityRps: 400,
    headroom: 5,
    tasks: 250,
    cacheNodeType: 'cache.r7g.large',
    costPerHourUsd: 100,
  };
  raw.fleet.plannedTasks = 250;
  raw.fleet.maxTasks = 300;
}
