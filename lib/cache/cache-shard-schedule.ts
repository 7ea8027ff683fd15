/**
 * When the cache's shards are raised and lowered, as the sale stack creates it at `now`: the plan's
 * shards at each upcoming window's warm-up, the baseline after its cool-down (the fleet's times),
 * windows already over left out. The construct (cache-shard-scaling.ts) and `saleday schedule` both
 * read it, so what the timeline prints is what a deploy creates.
 */
import type { SaleWindow, SaledayConfig } from '../../contracts/config/schema';
import {
  partitionWindowsAt,
  windowInstants,
  windowScalingTimes,
  type LocalMinute,
} from '../../contracts/config/window-schedule';
import { cacheShardPlan } from '../planner/cache-sizing';
import { shardsAt } from './cache-shard-scaling';

/** One scheduled action on the cache's node groups: at a local minute of the window's zone, set the shard count. */
export interface CacheShardStep {
  readonly window: string;
  readonly kind: 'warm-up' | 'cool-down';
  /** Epoch milliseconds. */
  readonly at: number;
  readonly timeZone: string;
  readonly local: LocalMinute;
  /** Minimum and maximum are both set to this: the shard count is exactly what the schedule says. */
  readonly shards: number;
}

export interface CacheShardSchedule {
  /** Above one shard at the plan's peak the cache runs in cluster mode. */
  readonly clusterMode: boolean;
  readonly plannedShards: number;
  readonly baselineShards: number;
  /** The shard count in the template (what a deploy at `now` creates). */
  readonly shardsAtDeploy: number;
  /** Whether scheduled actions exist at all: cluster mode with more shards at the peak than at the baseline. */
  readonly scaled: boolean;
  /** The actions the sale stack creates, in the order they fire (empty when not scaled). */
  readonly steps: readonly CacheShardStep[];
  /** Windows over at `now`: no action is created for them. */
  readonly over: readonly SaleWindow[];
}

export function cacheShardSchedule(
  config: Pick<SaledayConfig, 'plan' | 'fleet' | 'audience' | 'cache' | 'windows'>,
  now: Date,
): CacheShardSchedule {
  const plan = cacheShardPlan(config);
  const clusterMode = plan.planned > 1;
  const scaled = clusterMode && plan.planned > plan.baseline;
  const { upcoming, over } = partitionWindowsAt(config.windows, now);
  const shardsAtDeploy = clusterMode
    ? shardsAt({ windows: config.windows, plannedShards: plan.planned, baselineShards: plan.baseline }, now)
    : 1;
  const steps = scaled
    ? upcoming.flatMap((window): CacheShardStep[] => {
        const times = windowScalingTimes(window);
        const instants = windowInstants(window);
        const base = { window: window.name, timeZone: window.timeZone };
        return [
          { ...base, kind: 'warm-up', at: instants.raiseAt, local: times.raiseAt, shards: plan.planned },
          { ...base, kind: 'cool-down', at: instants.restoreAt, local: times.restoreAt, shards: plan.baseline },
        ];
      })
    : [];
  return {
    clusterMode,
    plannedShards: plan.planned,
    baselineShards: plan.baseline,
    shardsAtDeploy,
    scaled,
    steps: [...steps].sort((a, b) => a.at - b.at),
    over,
  };
}

/** The cache's scaling in one line: `one shard, not scaled`, or the shard counts it moves between. */
export function describeCacheShards(schedule: CacheShardSchedule): string {
  if (!schedule.clusterMode) return 'one shard, not scaled';
  const shards = (n: number) => `${n} shard${n === 1 ? '' : 's'}`;
  if (!schedule.scaled) return `cluster mode, ${shards(schedule.plannedShards)}, not scaled`;
  return `cluster mode, ${shards(schedule.baselineShards)} outside the windows, ${shards(schedule.plannedShards)} from each warm-up to its cool-down`;
}
