/** SaleFleet refuses a repository root that cannot build the gate image, before it creates anything. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { SaleFleet } from '../../../lib/fleet/sale-fleet';
import { exampleConfig, TEST_ACCOUNT, testApp } from '../stacks/test-app';

it('refuses a repository root without gate/Dockerfile', () => {
  const stack = new Stack(testApp(), 'Fleet', { env: { account: TEST_ACCOUNT, region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [{ name: 'p', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  const listener = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc }).addListener('Http', {
    port: 80,
    open: false,
  });
  const empty = mkdtempSync(join(tmpdir(), 'saleday-no-repo-'));
  const build = () =>
    new SaleFleet(stack, 'Fleet', {
      config: exampleConfig(),
      vpc,
      subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      listener,
      redisUrl: 'rediss://cache:6380',
      redisAuthToken: new secretsmanager.Secret(stack, 'Token'),
      repositoryRoot: empty,
    });
  expect(build).toThrow(
    `SaleFleet repositoryRoot: got ${empty}, which holds no gate/Dockerfile; expected the repository root (the images' build context)`,
  );
});
