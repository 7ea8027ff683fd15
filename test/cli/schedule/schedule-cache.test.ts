/**
 * `saleday schedule` shows the cache's shard steps beside the fleet's when the plan needs cluster
 * mode, and exactly the scheduled actions the cache construct puts in the template.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { CACHE_SHARDS_DIMENSION } from '../../../lib/cache/cache-shard-scaling';
import { SaleCache } from '../../../lib/cache/sale-cache';
import type { SaledayConfig } from '../../../contracts/config/schema';
import { scalingTimeline } from '../../../lib/schedule/scaling-timeline';
import { raiseToBigSale } from '../../lib/cache/big-sale-config';
import {
  EXAMPLE_CONFIG_PATH,
  exampleConfig,
  exampleConfigInput,
  TEST_ACCOUNT,
  testApp,
} from '../../lib/stacks/test-app';
import { scheduleInProcess } from './schedule-in-process';

/** The example config with the big sale's plan, written where `--config` reads it. */
function bigSaleConfigFile(): string {
  const raw = exampleConfigInput();
  raiseToBigSale(raw);
  const path = join(mkdtempSync(join(tmpdir(), 'saleday-schedule-')), 'saleday.config.json');
  writeFileSync(path, JSON.stringify(raw, null, 2));
  return path;
}

const tableRows = (out: string, resource: string) =>
  out
    .split('\n')
    .map((l) => l.replace(/\s+/g, ' ').trim())
    .filter((l) => l.split(' ').includes(resource));

describe('saleday schedule: the cache', () => {
  const bigSale = bigSaleConfigFile();

  it('lists the shard steps beside the fleet steps, in local time and UTC, with the shard count', async () => {
    const out = await scheduleInProcess(bigSale, ['--at', '2026-11-20T12:00:00Z']);
    expect(tableRows(out, 'cache')).toEqual([
      '2026-11-30 07:15 Europe/Paris 2026-11-30 06:15 UTC cache cyber-monday warm-up 8 shards',
      '2026-12-01 00:00 Europe/Paris 2026-11-30 23:00 UTC cache cyber-monday cool-down 1 shard',
      '2026-12-03 23:30 Europe/Paris 2026-12-03 22:30 UTC cache midnight-drop warm-up 8 shards',
      '2026-12-04 02:30 Europe/Paris 2026-12-04 01:30 UTC cache midnight-drop cool-down 1 shard',
    ]);
    // Each cache step sits right after the fleet step of the same instant.
    const lines = out.split('\n').map((l) => l.replace(/\s+/g, ' ').trim());
    const warmUp = lines.findIndex((l) => l.includes('fleet cyber-monday warm-up 250–300 tasks'));
    expect(lines[warmUp + 1]).toBe(
      '2026-11-30 07:15 Europe/Paris 2026-11-30 06:15 UTC cache cyber-monday warm-up 8 shards',
    );
    expect(out).toContain(
      'Cache: cluster mode, 1 shard outside the windows, 8 shards from each warm-up to its cool-down; a deploy now creates 1 shard.',
    );
  });

  it('prints the shard steps in --json, leaving out windows already over', async () => {
    const timeline = JSON.parse(await scheduleInProcess(bigSale, ['--json', '--at', '2026-12-02T00:00:00+01:00']));
    expect(timeline.over).toEqual(['cyber-monday']);
    expect(timeline.cache).toEqual({
      shardsAtDeploy: 1,
      clusterMode: true,
      scaled: true,
      summary: 'cluster mode, 1 shard outside the windows, 8 shards from each warm-up to its cool-down',
    });
    expect(timeline.steps.filter((s: { resource: string }) => s.resource === 'cache')).toEqual([
      {
        resource: 'cache',
        window: 'midnight-drop',
        step: 'warm-up',
        utc: '2026-12-03T22:30:00.000Z',
        local: '2026-12-03T23:30',
        timeZone: 'Europe/Paris',
        shards: 8,
      },
      {
        resource: 'cache',
        window: 'midnight-drop',
        step: 'cool-down',
        utc: '2026-12-04T01:30:00.000Z',
        local: '2026-12-04T02:30',
        timeZone: 'Europe/Paris',
        shards: 1,
      },
    ]);
  });

  it('says the planned shards are in force when a deploy lands inside a raised window', async () => {
    const timeline = JSON.parse(await scheduleInProcess(bigSale, ['--json', '--at', '2026-11-30T12:00:00Z']));
    expect(timeline.cache.shardsAtDeploy).toBe(8);
  });

  it('says "one shard, not scaled" and lists no cache step when one node carries the plan', async () => {
    const out = await scheduleInProcess(EXAMPLE_CONFIG_PATH, ['--at', '2026-11-20T12:00:00Z']);
    expect(tableRows(out, 'cache')).toEqual([]);
    expect(out).toContain('Cache: one shard, not scaled (one cache.r7g.large node carries the plan).');
    const timeline = JSON.parse(
      await scheduleInProcess(EXAMPLE_CONFIG_PATH, ['--json', '--at', '2026-11-20T12:00:00Z']),
    );
    expect(timeline.cache).toEqual({
      shardsAtDeploy: 1,
      clusterMode: false,
      scaled: false,
      summary: 'one shard, not scaled',
    });
    expect(timeline.steps.some((s: { resource: string }) => s.resource === 'cache')).toBe(false);
  });
});

interface CreatedAction {
  ScheduledActionName: string;
  Schedule: string;
  Timezone: string;
  ScalableTargetAction: { MinCapacity: number; MaxCapacity: number };
}

/** The cache's scheduled actions in a synthesized template, and its shard count there. */
function cacheTemplateActions(
  config: SaledayConfig,
  now: Date,
): { actions: { name: string; schedule: string; zone: string; min: number; max: number }[]; shards: number } {
  const stack = new Stack(testApp(), 'Cache', { env: { account: TEST_ACCOUNT, region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [{ name: 'd', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  new SaleCache(stack, 'Cache', { config, vpc, subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, now });
  const template = Template.fromStack(stack);
  const targets = Object.values(
    template.findResources('AWS::ApplicationAutoScaling::ScalableTarget', {
      Properties: { ScalableDimension: CACHE_SHARDS_DIMENSION },
    }),
  );
  expect(targets).toHaveLength(1);
  const actions = (targets[0]!.Properties.ScheduledActions as CreatedAction[]).map((a) => ({
    name: a.ScheduledActionName,
    schedule: a.Schedule,
    zone: a.Timezone,
    min: a.ScalableTargetAction.MinCapacity,
    max: a.ScalableTargetAction.MaxCapacity,
  }));
  const group = Object.values(template.findResources('AWS::ElastiCache::ReplicationGroup'))[0]!.Properties as {
    NumNodeGroups: number;
  };
  return { actions, shards: group.NumNodeGroups };
}

describe('the cache steps printed are what the stack creates: the same actions, crons, zones and shard counts', () => {
  const config = exampleConfig(raiseToBigSale);

  it.each([
    ['before the sale', new Date('2026-11-20T12:00:00Z'), 4],
    ['during cyber-monday', new Date('2026-11-30T12:00:00Z'), 4],
    ['after cyber-monday (its window left out)', new Date('2026-12-02T00:00:00Z'), 2],
  ])(
    '%s',
    (_when, now, actionCount) => {
      const created = cacheTemplateActions(config, now);
      const timeline = scalingTimeline(config, now);
      const printed = timeline.steps
        .filter((s) => s.resource === 'cache')
        .map((s) => ({
          name: `${s.window}-${s.step}`,
          schedule: `cron(${s.local.minute} ${s.local.hour} ${s.local.day} ${s.local.month} ? ${s.local.year})`,
          zone: s.timeZone,
          min: s.values.shards,
          max: s.values.shards,
        }));
      expect(printed).toHaveLength(actionCount);
      expect(printed).toEqual(created.actions);
      expect(timeline.cache.shardsAtDeploy).toBe(created.shards);
    },
    120_000,
  );
});
