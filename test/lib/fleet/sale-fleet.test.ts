import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { SaleFleet } from '../../../lib/fleet/sale-fleet';
import { exampleConfig, TEST_ACCOUNT, testApp } from '../stacks/test-app';

describe("a fleet with the shop's own image and signed user keys", () => {
  let stack: Stack;
  let fleet: SaleFleet;
  let containers: Record<string, Record<string, unknown>>;

  beforeAll(() => {
    const config = exampleConfig((raw) => {
      raw.fleet.appImage = 'public.ecr.aws/acme/shop:1.4.2';
      raw.identity = { header: 'x-user-key', proof: 'hmac', secretEnv: 'SHOP_KEY_SECRET' };
    });
    stack = new Stack(testApp(), 'Fleet', { env: { account: TEST_ACCOUNT, region: 'eu-west-1' } });
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'p', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    });
    const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc });
    const listener = alb.addListener('Http', { port: 80, open: false });
    const redisAuthToken = new secretsmanager.Secret(stack, 'Token');
    fleet = new SaleFleet(stack, 'Fleet', {
      config,
      vpc,
      subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      listener,
      redisUrl: 'rediss://cache:6380',
      redisAuthToken,
    });
    const [task] = Object.values(Template.fromStack(stack).findResources('AWS::ECS::TaskDefinition'));
    containers = Object.fromEntries(
      (task!.Properties.ContainerDefinitions as Record<string, unknown>[]).map((c) => [c.Name as string, c]),
    );
  });

  it('pulls the app from the configured registry instead of building the storefront', () => {
    expect(containers.app!.Image).toBe('public.ecr.aws/acme/shop:1.4.2');
    expect(JSON.stringify(containers.gate!.Image)).toContain('container-assets');
  });

  it('gives both containers the signing secret under the configured variable name', () => {
    const secretRef = { Ref: stack.getLogicalId(fleet.identitySecret!.node.defaultChild as secretsmanager.CfnSecret) };
    for (const name of ['gate', 'app']) {
      expect(containers[name]!.Secrets).toContainEqual({ Name: 'SHOP_KEY_SECRET', ValueFrom: secretRef });
    }
  });

  it('tells the app which variable holds the secret that signs its session cookies', () => {
    const appEnvironment = containers.app!.Environment as { Name: string; Value: unknown }[];
    expect(appEnvironment).toContainEqual({ Name: 'SALEDAY_SESSION_SECRET_ENV', Value: 'SHOP_KEY_SECRET' });
  });
});
