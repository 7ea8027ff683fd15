import { cacheDemandFromConfig, cacheShardPlan, shardsNeeded } from '../../../lib/planner/cache-sizing';
import { CACHE_NODE_TYPES } from '../../../lib/planner/cache-node-types';
import { exampleConfig } from '../stacks/test-app';

const r7gLarge = CACHE_NODE_TYPES.find((t) => t.nodeType === 'cache.r7g.large')!;

it('needs as many shards as the larger of operations and memory asks, at least one', () => {
  expect(shardsNeeded({ opsPerSecond: 0, connections: 0, memoryGiB: 0 }, r7gLarge, 0.5)).toBe(1);
  expect(shardsNeeded({ opsPerSecond: 40_001, connections: 10, memoryGiB: 1 }, r7gLarge, 0.5)).toBe(2);
  expect(shardsNeeded({ opsPerSecond: 1, connections: 10, memoryGiB: 20 }, r7gLarge, 0.5)).toBe(4);
});

it('keeps one shard without a plan in the config', () => {
  const config = exampleConfig();
  expect(config.plan).toBeUndefined();
  expect(cacheDemandFromConfig(config)).toBeUndefined();
  expect(cacheShardPlan(config)).toEqual({ planned: 1, baseline: 1 });
});

it("derives the demand from the config's plan and sizes the configured node type", () => {
  const config = exampleConfig((raw) => {
    raw.plan = {
      computedAt: '2026-11-01T00:00:00.000Z',
      peakRequestsPerSecond: 5_000,
      fleetRequestsPerSecond: 4_000,
      taskCapacityRps: 400,
      headroom: 5,
      tasks: 50,
      cacheNodeType: 'cache.r7g.large',
      costPerHourUsd: 10,
    };
    raw.fleet.plannedTasks = 50;
    raw.fleet.maxTasks = 75;
  });
  // 4,000 × 5 × 3 = 60,000 ops/s over r7g.large's 40,000 at 50%; memory for 20,500 visitors fits one.
  expect(cacheDemandFromConfig(config)).toEqual({
    opsPerSecond: 60_000,
    connections: 600,
    memoryGiB: expect.closeTo((20_500 * 4096) / 2 ** 30),
  });
  expect(cacheShardPlan(config)).toEqual({ planned: 2, baseline: 1 });
});
