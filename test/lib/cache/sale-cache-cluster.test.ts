/**
 * The cache follows the plan: one shard while one node of the configured type carries it, cluster
 * mode with the plan's shards (pre-scaled on the sale schedule) when it does not; maintenance and
 * snapshots never fall in a sale window.
 */
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { SaleCache } from '../../../lib/cache/sale-cache';
import type { SaledayConfig } from '../../../contracts/config/schema';
import { exampleConfig, TEST_ACCOUNT, testApp } from '../stacks/test-app';
import { raiseToBigSale } from './big-sale-config';

function cacheTemplate(config: SaledayConfig, now: Date): { cache: SaleCache; stack: Stack; template: Template } {
  const stack = new Stack(testApp(), 'Cache', { env: { account: TEST_ACCOUNT, region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [{ name: 'd', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  const cache = new SaleCache(stack, 'Cache', {
    config,
    vpc,
    subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    now,
  });
  return { cache, stack, template: Template.fromStack(stack) };
}

const BEFORE_THE_SALE = new Date('2026-11-20T12:00:00Z');
const DURING_CYBER_MONDAY = new Date('2026-11-30T12:00:00Z');
const AFTER_CYBER_MONDAY = new Date('2026-12-02T00:00:00Z');

const bigSale = exampleConfig(raiseToBigSale);

describe('a sale one node carries (the example config)', () => {
  const { cache, template } = cacheTemplate(exampleConfig(), BEFORE_THE_SALE);

  it('keeps one shard, cluster mode off, and its primary endpoint', () => {
    template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      NumNodeGroups: 1,
      CacheParameterGroupName: Match.absent(),
    });
    template.resourceCountIs('AWS::ApplicationAutoScaling::ScalableTarget', 0);
    expect(cache.url).not.toContain('cluster=1');
    expect(cache.nodeIds).toEqual(['saleday-winter-flash-001', 'saleday-winter-flash-002']);
  });

  it('sets maintenance and snapshot windows outside every sale window with its warm-up and cool-down', () => {
    // cyber-monday is raised 06:15-23:00 UTC on Monday 30 November, midnight-drop 22:30-01:30 UTC around Thursday 3 December.
    template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      PreferredMaintenanceWindow: 'tue:03:00-tue:04:00',
      SnapshotWindow: '04:00-05:00',
    });
  });
});

describe('a sale no single node of the configured type carries', () => {
  it('runs in cluster mode with the baseline shards outside the windows, and pre-scales to the plan on the schedule', () => {
    const { cache, stack, template } = cacheTemplate(bigSale, BEFORE_THE_SALE);
    template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      NumNodeGroups: 1,
      ReplicasPerNodeGroup: 1,
      CacheParameterGroupName: 'default.valkey8.cluster.on',
      EngineVersion: '8.0',
      MultiAZEnabled: true,
      AutomaticFailoverEnabled: true,
    });
    expect(cache.plannedShards).toBe(8);
    expect(stack.resolve(cache.url)).toEqual({
      'Fn::Join': [
        '',
        [
          'rediss://',
          { 'Fn::GetAtt': [stack.getLogicalId(cache.replicationGroup), 'ConfigurationEndPoint.Address'] },
          ':6380/?cluster=1',
        ],
      ],
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      ServiceNamespace: 'elasticache',
      ScalableDimension: 'elasticache:replication-group:NodeGroups',
      ResourceId: { 'Fn::Join': ['', ['replication-group/', { Ref: stack.getLogicalId(cache.replicationGroup) }]] },
      MinCapacity: 1,
      MaxCapacity: 8,
      RoleARN: Match.objectLike({
        'Fn::Join': [
          '',
          Match.arrayWith([Match.stringLikeRegexp('AWSServiceRoleForApplicationAutoScaling_ElastiCacheRG')]),
        ],
      }),
      ScheduledActions: [
        {
          ScheduledActionName: 'cyber-monday-warm-up',
          Schedule: 'cron(15 7 30 11 ? 2026)',
          Timezone: 'Europe/Paris',
          ScalableTargetAction: { MinCapacity: 8, MaxCapacity: 8 },
        },
        {
          ScheduledActionName: 'cyber-monday-cool-down',
          Schedule: 'cron(0 0 1 12 ? 2026)',
          Timezone: 'Europe/Paris',
          ScalableTargetAction: { MinCapacity: 1, MaxCapacity: 1 },
        },
        {
          ScheduledActionName: 'midnight-drop-warm-up',
          Schedule: 'cron(30 23 3 12 ? 2026)',
          Timezone: 'Europe/Paris',
          ScalableTargetAction: { MinCapacity: 8, MaxCapacity: 8 },
        },
        {
          ScheduledActionName: 'midnight-drop-cool-down',
          Schedule: 'cron(30 2 4 12 ? 2026)',
          Timezone: 'Europe/Paris',
          ScalableTargetAction: { MinCapacity: 1, MaxCapacity: 1 },
        },
      ],
    });
  });

  it('keeps the planned shards in the template when deployed during a window', () => {
    const { cache, template } = cacheTemplate(bigSale, DURING_CYBER_MONDAY);
    template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', { NumNodeGroups: 8 });
    expect(cache.nodeIds).toHaveLength(16);
    expect(cache.nodeIds.slice(0, 3)).toEqual([
      'saleday-winter-flash-0001-001',
      'saleday-winter-flash-0001-002',
      'saleday-winter-flash-0002-001',
    ]);
  });

  it('leaves windows already over out of the shard schedule, as the fleet does', () => {
    const { template } = cacheTemplate(bigSale, AFTER_CYBER_MONDAY);
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      ScalableDimension: 'elasticache:replication-group:NodeGroups',
      ScheduledActions: [
        {
          ScheduledActionName: 'midnight-drop-warm-up',
          Schedule: 'cron(30 23 3 12 ? 2026)',
          Timezone: 'Europe/Paris',
          ScalableTargetAction: { MinCapacity: 8, MaxCapacity: 8 },
        },
        {
          ScheduledActionName: 'midnight-drop-cool-down',
          Schedule: 'cron(30 2 4 12 ? 2026)',
          Timezone: 'Europe/Paris',
          ScalableTargetAction: { MinCapacity: 1, MaxCapacity: 1 },
        },
      ],
    });
  });

  it('uses the Redis OSS cluster-mode parameter group for the redis engine', () => {
    const redis = exampleConfig((raw) => {
      Object.assign(raw, { plan: bigSale.plan, fleet: { ...raw.fleet, plannedTasks: 250, maxTasks: 300 } });
      raw.cache = { ...raw.cache, engine: 'redis' };
    });
    cacheTemplate(redis, BEFORE_THE_SALE).template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      CacheParameterGroupName: 'default.redis7.cluster.on',
      EngineVersion: '7.1',
    });
  });
});

it('refuses, naming the window, a sale that leaves no hour of the day for the snapshot', () => {
  const allDay = exampleConfig((raw) => {
    raw.windows = [
      {
        name: 'marathon',
        start: '2026-11-30T00:00',
        end: '2026-11-30T22:00',
        timeZone: 'UTC',
        warmUpMinutes: 60,
        coolDownMinutes: 60,
      },
    ];
  });
  expect(() => cacheTemplate(allDay, BEFORE_THE_SALE)).toThrow(
    /windows: got sale windows marathon that.*no hour of the day.*daily snapshot/,
  );
});
