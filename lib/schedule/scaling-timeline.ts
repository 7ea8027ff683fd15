/**
 * The scaling timeline the sale stack creates: every scheduled action, in the order it fires, with
 * the capacity it sets. `saleday schedule` prints it; it is built from the same functions the
 * constructs use (lib/fleet/window-schedule.ts), so what it shows is what a deploy creates.
 *
 * Hook: each scaled resource contributes a `TimelineSource`. The fleet's is below, the cache's shards
 * are in cache-timeline.ts; a resource that gains scheduled actions adds its source to TIMELINE_SOURCES.
 */
import type { SaleWindow, SaledayConfig } from '../../contracts/config/schema';
import { cacheShardSchedule, describeCacheShards } from '../cache/cache-shard-schedule';
import {
  fleetSchedule,
  instantToZoned,
  isRaisedAt,
  partitionWindowsAt,
  windowInstants,
  type LocalMinute,
} from '../../contracts/config/window-schedule';
import { cacheTimeline } from './cache-timeline';

export interface TimelineStep {
  /** What is scaled: `fleet`, `cache`, or `sale` for the window's own start and end. */
  readonly resource: string;
  readonly window: string;
  /** `warm-up`, `cool-down`, `starts`, `ends`. */
  readonly step: string;
  /** Epoch milliseconds. */
  readonly at: number;
  readonly timeZone: string;
  readonly local: LocalMinute;
  /** What the step sets, in words (`12–40 tasks`); empty for the sale's own start and end. */
  readonly capacity: string;
  /** The same as numbers, for --json. */
  readonly values: Readonly<Record<string, number>>;
}

export type TimelineSource = (config: SaledayConfig, now: Date) => readonly TimelineStep[];

export const fleetTimeline: TimelineSource = (config, now) =>
  fleetSchedule(config, now).steps.map((s) => ({
    resource: 'fleet',
    window: s.window,
    step: s.kind,
    at: s.at,
    timeZone: s.timeZone,
    local: s.local,
    capacity: `${s.minCapacity}–${s.maxCapacity} tasks`,
    values: { minCapacity: s.minCapacity, maxCapacity: s.maxCapacity },
  }));

/** The sale's own start and end, so each warm-up and cool-down reads against them. */
export const saleMarkers: TimelineSource = (config, now) =>
  partitionWindowsAt(config.windows, now).upcoming.flatMap((w) => {
    const { start, end } = windowInstants(w);
    const marker = (step: string, at: number): TimelineStep => ({
      resource: 'sale',
      window: w.name,
      step,
      at,
      timeZone: w.timeZone,
      local: instantToZoned(at, w.timeZone),
      capacity: '',
      values: {},
    });
    return [marker('starts', start), marker('ends', end)];
  });

/** Every source of scheduled actions, in the order steps at the same instant are listed. */
export const TIMELINE_SOURCES: TimelineSource[] = [saleMarkers, fleetTimeline, cacheTimeline];

export interface ScalingTimeline {
  /** When the timeline was computed (a deploy at this time creates these actions). */
  readonly at: number;
  /** The fleet's minimum in the template at that time (the floor a deploy then registers). */
  readonly fleetFloor: number;
  /** The cache's shards at that time and how they scale (`one shard, not scaled` outside cluster mode). */
  readonly cache: {
    readonly shardsAtDeploy: number;
    readonly clusterMode: boolean;
    readonly scaled: boolean;
    readonly summary: string;
  };
  readonly steps: readonly TimelineStep[];
  /** Windows over at that time: left out of the stack. */
  readonly over: readonly SaleWindow[];
}

export function scalingTimeline(
  config: SaledayConfig,
  now: Date,
  sources: readonly TimelineSource[] = TIMELINE_SOURCES,
): ScalingTimeline {
  const steps = sources.flatMap((source) => source(config, now));
  // Same instant: the sale's marker first, then resources in source order.
  const order = (s: TimelineStep) => (s.resource === 'sale' ? 0 : 1);
  const fleetFloor = isRaisedAt(config.windows, now) ? config.fleet.plannedTasks : config.fleet.baselineTasks;
  const cacheShards = cacheShardSchedule(config, now);
  const cache = {
    shardsAtDeploy: cacheShards.shardsAtDeploy,
    clusterMode: cacheShards.clusterMode,
    scaled: cacheShards.scaled,
    summary: describeCacheShards(cacheShards),
  };
  return {
    at: now.getTime(),
    fleetFloor,
    cache,
    steps: [...steps].sort((a, b) => a.at - b.at || order(a) - order(b)),
    over: partitionWindowsAt(config.windows, now).over,
  };
}
