/**
 * The cache's part of the scaling timeline: its shard steps (lib/cache/cache-shard-schedule.ts, the
 * same steps the cache construct creates), each with the shard count it sets.
 */
import { cacheShardSchedule } from '../cache/cache-shard-schedule';
import type { TimelineSource, TimelineStep } from './scaling-timeline';

export const cacheTimeline: TimelineSource = (config, now) =>
  cacheShardSchedule(config, now).steps.map((s): TimelineStep => ({
    resource: 'cache',
    window: s.window,
    step: s.kind,
    at: s.at,
    timeZone: s.timeZone,
    local: s.local,
    capacity: `${s.shards} shard${s.shards === 1 ? '' : 's'}`,
    values: { shards: s.shards },
  }));
