/**
 * The ElastiCache node types the planner chooses from, smallest first. Throughput figures are
 * deliberately conservative sustained rates for the gate's workload (short Lua scripts for rate
 * limiting plus GET/PUBLISH for flags) on Valkey/Redis OSS with enhanced I/O; they are planning
 * numbers, not benchmarks. Every node type accepts 65,000 client connections (ElastiCache maxclients).
 * Burstable t4g types are rated at what they sustain once their CPU credits are spent (a sale
 * lasts hours), hence their low figures. A type is only chosen when `pricing.cacheNodeHour` has a
 * price for it.
 */
export interface CacheNodeType {
  readonly nodeType: string;
  readonly vcpus: number;
  readonly memoryGiB: number;
  /** Sustained operations per second one primary serves at comfortable CPU. */
  readonly opsPerSecond: number;
  readonly maxConnections: number;
}

export const CACHE_NODE_TYPES: readonly CacheNodeType[] = [
  { nodeType: 'cache.t4g.small', vcpus: 2, memoryGiB: 1.37, opsPerSecond: 5_000, maxConnections: 65_000 },
  { nodeType: 'cache.t4g.medium', vcpus: 2, memoryGiB: 3.09, opsPerSecond: 10_000, maxConnections: 65_000 },
  { nodeType: 'cache.m7g.large', vcpus: 2, memoryGiB: 6.38, opsPerSecond: 80_000, maxConnections: 65_000 },
  { nodeType: 'cache.r7g.large', vcpus: 2, memoryGiB: 13.07, opsPerSecond: 80_000, maxConnections: 65_000 },
  { nodeType: 'cache.m7g.xlarge', vcpus: 4, memoryGiB: 12.93, opsPerSecond: 150_000, maxConnections: 65_000 },
  { nodeType: 'cache.r7g.xlarge', vcpus: 4, memoryGiB: 26.32, opsPerSecond: 150_000, maxConnections: 65_000 },
  { nodeType: 'cache.m7g.2xlarge', vcpus: 8, memoryGiB: 26.04, opsPerSecond: 250_000, maxConnections: 65_000 },
  { nodeType: 'cache.r7g.2xlarge', vcpus: 8, memoryGiB: 52.82, opsPerSecond: 250_000, maxConnections: 65_000 },
];
