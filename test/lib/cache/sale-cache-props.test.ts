/** SaleCache and CacheShardScaling refuse bad props before they create anything. */
import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { CacheShardScaling } from '../../../lib/cache/cache-shard-scaling';
import { SaleCache } from '../../../lib/cache/sale-cache';
import { exampleConfig, TEST_ACCOUNT, testApp } from '../stacks/test-app';

function stack(): Stack {
  return new Stack(testApp(), 'Cache', { env: { account: TEST_ACCOUNT, region: 'eu-west-1' } });
}

it('SaleCache refuses an invalid Date as now', () => {
  const s = stack();
  const vpc = new ec2.Vpc(s, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [{ name: 'd', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  expect(
    () =>
      new SaleCache(s, 'Cache', {
        config: exampleConfig(),
        vpc,
        subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
        now: new Date(Number.NaN),
      }),
  ).toThrow('SaleCache now: got an invalid Date; expected the synthesis time');
});

it.each([
  [
    { baselineShards: 0, plannedShards: 2 },
    'CacheShardScaling baselineShards: got 0; expected a whole number of shards, at least 1',
  ],
  [
    { baselineShards: 1.5, plannedShards: 2 },
    'CacheShardScaling baselineShards: got 1.5; expected a whole number of shards, at least 1',
  ],
  [
    { baselineShards: 3, plannedShards: 2 },
    'CacheShardScaling plannedShards: got 2; expected a whole number of shards, at least baselineShards (3)',
  ],
])('CacheShardScaling refuses %j', (shards, message) => {
  expect(() => new CacheShardScaling(stack(), 'Shards', { replicationGroupId: 'rg', steps: [], ...shards })).toThrow(
    message,
  );
});
