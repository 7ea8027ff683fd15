/**
 * `saleday schedule`: the scaling timeline a deploy now would create (lib/schedule/scaling-timeline.ts),
 * each step in its window's local time and in UTC with the capacity it sets (the fleet's tasks, the
 * cache's shards): what to read before `cdk deploy`. Windows already over are listed as left out.
 */
import { InvalidArgumentError, type Command } from 'commander';
import type { SaledayConfig } from '../../contracts/config/schema';
import { formatLocalMinute, formatUtcMinute, windowInstants } from '../../contracts/config/window-schedule';
import { scalingTimeline, type ScalingTimeline } from '../../lib/schedule/scaling-timeline';
import { configFor } from '../cli-config';
import { formatTable } from '../output/table';

interface ScheduleCommandOptions {
  at?: Date;
  json?: boolean;
}

export function registerScheduleCommand(program: Command): void {
  program
    .command('schedule')
    .description(
      'Print the scaling timeline the stack will create: each step in local time and UTC, with the capacity it sets.',
    )
    .option(
      '--at <time>',
      'the timeline of a deploy at this time, ISO 8601 with an offset (default: now)',
      parseInstant,
    )
    .option('--json', 'print the timeline as JSON')
    .action((options: ScheduleCommandOptions, command: Command) => {
      const config = configFor(command);
      const timeline = scalingTimeline(config, options.at ?? new Date());
      process.stdout.write(
        `${options.json ? JSON.stringify(timelineJson(timeline), null, 2) : renderTimeline(timeline, config)}\n`,
      );
    });
}

function parseInstant(value: string): Date {
  const instant = /(Z|[+-]\d{2}:?\d{2})$/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(instant))
    throw new InvalidArgumentError(
      `--at: got ${JSON.stringify(value)}; expected an ISO 8601 time with an offset, such as 2026-11-30T06:00:00Z`,
    );
  return new Date(instant);
}

export function renderTimeline(timeline: ScalingTimeline, config: SaledayConfig): string {
  const rows = timeline.steps.map((s) => [
    `${formatLocalMinute(s.local)} ${s.timeZone}`,
    formatUtcMinute(s.at),
    s.resource,
    `${s.window} ${s.step}`,
    s.capacity,
  ]);
  const lines = [
    `A deploy at ${formatUtcMinute(timeline.at)} sets the fleet to ${timeline.fleetFloor}–${config.fleet.maxTasks} tasks (target tracking between them), then:`,
    rows.length > 0
      ? formatTable(['Local time', 'UTC', 'Scales', 'Step', 'Capacity'], rows)
      : 'No scheduled action: every window is over. Add the next sale window to the config.',
    cacheLine(timeline, config),
    ...timeline.over.map(
      (w) =>
        `! window ${w.name} is over (its cool-down ended ${formatUtcMinute(windowInstants(w).restoreAt)}): left out of the stack`,
    ),
  ];
  return lines.join('\n');
}

function cacheLine(timeline: ScalingTimeline, config: SaledayConfig): string {
  const { cache } = timeline;
  if (!cache.clusterMode) return `Cache: ${cache.summary} (one ${config.cache.nodeType} node carries the plan).`;
  return `Cache: ${cache.summary}; a deploy now creates ${cache.shardsAtDeploy} shard${cache.shardsAtDeploy === 1 ? '' : 's'}.`;
}

export function timelineJson(timeline: ScalingTimeline): object {
  return {
    at: new Date(timeline.at).toISOString(),
    fleetFloor: timeline.fleetFloor,
    cache: timeline.cache,
    steps: timeline.steps.map((s) => ({
      resource: s.resource,
      window: s.window,
      step: s.step,
      utc: new Date(s.at).toISOString(),
      local: formatLocalMinute(s.local).replace(' ', 'T'),
      timeZone: s.timeZone,
      ...s.values,
    })),
    over: timeline.over.map((w) => w.name),
  };
}
