/**
 * How big the cache must be: one node of a type when it carries the demand within the target
 * utilization, else that type in cluster mode with enough shards. Operations and memory split
 * across shards (keys spread over hash slots); connections do not (every client connects to every
 * shard), so a type whose connection limit is too small is not made to fit by sharding.
 */
import type { Pricing, SaledayConfig } from '../../contracts/config/schema';
import { CACHE_NODE_TYPES, type CacheNodeType } from './cache-node-types';
import { expectedVisitors } from './expected-visitors';
import { DEFAULT_ASSUMPTIONS } from './planner-assumptions';
import { PlannerInputError } from './planner-input-error';

export interface CacheDemand {
  readonly opsPerSecond: number;
  readonly connections: number;
  readonly memoryGiB: number;
}

export interface CacheChoice {
  readonly node: CacheNodeType;
  /** Primaries (node groups); 1 means cluster mode is not needed. */
  readonly shards: number;
}

export function shardsNeeded(demand: CacheDemand, node: CacheNodeType, utilization: number): number {
  return Math.max(
    1,
    Math.ceil(demand.opsPerSecond / (node.opsPerSecond * utilization)),
    Math.ceil(demand.memoryGiB / (node.memoryGiB * utilization)),
  );
}

/** Shards that hold the data alone (resharding in keeps every key, so this is the floor). */
export function shardsForMemory(
  demand: Pick<CacheDemand, 'memoryGiB'>,
  node: CacheNodeType,
  utilization: number,
): number {
  return Math.max(1, Math.ceil(demand.memoryGiB / (node.memoryGiB * utilization)));
}

function connectionsFit(demand: CacheDemand, node: CacheNodeType, utilization: number): boolean {
  return node.maxConnections * utilization >= demand.connections;
}

/** The cheapest priced choice: a single node if one fits, else the cheapest type × shards. */
export function chooseCacheNode(
  demand: CacheDemand,
  utilization: number,
  pricing: Pricing,
  warnings: string[],
): CacheChoice {
  const priced = CACHE_NODE_TYPES.filter((t) => pricing.cacheNodeHour[t.nodeType] !== undefined);
  if (priced.length === 0) {
    throw new PlannerInputError([
      `pricing.cacheNodeHour: got ${JSON.stringify(Object.keys(pricing.cacheNodeHour))}; expected a price for at least one of ${CACHE_NODE_TYPES.map((t) => t.nodeType).join(', ')}`,
    ]);
  }
  const price = (choice: CacheChoice) => pricing.cacheNodeHour[choice.node.nodeType]! * choice.shards;
  const cheapest = (choices: CacheChoice[]) =>
    choices.reduce((best, c) =>
      price(c) < price(best) || (price(c) === price(best) && c.shards < best.shards) ? c : best,
    );
  const single = priced
    .filter((t) => connectionsFit(demand, t, utilization) && shardsNeeded(demand, t, utilization) === 1)
    .map((node) => ({ node, shards: 1 }));
  // Table order (smallest first) breaks ties, as reduce keeps the first of equals.
  if (single.length > 0) return cheapest(single);
  const sharded = priced
    .filter((t) => connectionsFit(demand, t, utilization))
    .map((node) => ({ node, shards: shardsNeeded(demand, node, utilization) }));
  if (sharded.length > 0) return cheapest(sharded);
  const largest = priced.reduce((best, t) =>
    t.maxConnections > best.maxConnections ||
    (t.maxConnections === best.maxConnections && t.opsPerSecond > best.opsPerSecond)
      ? t
      : best,
  );
  warnings.push(
    `cache demand of ${Math.round(demand.connections)} connections exceeds ${Math.round(utilization * 100)}% of what any priced node type accepts (${largest.maxConnections} on ${largest.nodeType}); sharding does not help (every client connects to every shard): fewer connections per task or fewer tasks`,
  );
  return { node: largest, shards: shardsNeeded(demand, largest, utilization) };
}

/**
 * The cache demand the config's plan implies (the planner's formulas with its default per-request
 * figures), or undefined when `saleday plan --write` has not written a plan yet.
 */
export function cacheDemandFromConfig(
  config: Pick<SaledayConfig, 'plan' | 'fleet' | 'audience'>,
): CacheDemand | undefined {
  if (!config.plan) return undefined;
  const a = DEFAULT_ASSUMPTIONS;
  const visitors = expectedVisitors(config.audience ?? { socialFollowers: 0, registeredUsers: 0, adImpressions: 0 }, a);
  return {
    opsPerSecond: config.plan.fleetRequestsPerSecond * config.plan.headroom * a.cacheOpsPerRequest,
    connections: config.fleet.maxTasks * a.cacheConnectionsPerTask,
    memoryGiB: (visitors * a.cacheBytesPerVisitor) / 2 ** 30,
  };
}

export interface CacheShardPlan {
  /** Shards during a sale window (warm-up to cool-down). */
  readonly planned: number;
  /** Shards outside the windows: enough to hold the data. */
  readonly baseline: number;
}

/** Shards of the configured node type for the config's plan; one (no cluster mode) without a plan or for an unknown type. */
export function cacheShardPlan(config: Pick<SaledayConfig, 'plan' | 'fleet' | 'audience' | 'cache'>): CacheShardPlan {
  const demand = cacheDemandFromConfig(config);
  const node = CACHE_NODE_TYPES.find((t) => t.nodeType === config.cache.nodeType);
  if (!demand || !node) return { planned: 1, baseline: 1 };
  const utilization = DEFAULT_ASSUMPTIONS.cacheTargetUtilization;
  return { planned: shardsNeeded(demand, node, utilization), baseline: shardsForMemory(demand, node, utilization) };
}
