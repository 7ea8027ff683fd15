/** SaleDistribution refuses bad optional props before it creates anything. */
import { Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { SaleDistribution, type SaleDistributionProps } from '../../../lib/edge/sale-distribution';
import { exampleConfig, TEST_ACCOUNT, testApp } from '../stacks/test-app';

function build(extra: Partial<SaleDistributionProps>): Stack {
  const stack = new Stack(testApp(), 'Distribution', { env: { account: TEST_ACCOUNT, region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [{ name: 'p', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  const loadBalancer = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc });
  new SaleDistribution(stack, 'Edge', {
    config: exampleConfig(),
    loadBalancer,
    webAclArn: 'arn:aws:wafv2:us-east-1:111111111111:global/webacl/x/1',
    ...extra,
  });
  return stack;
}

it('refuses an origin read timeout CloudFront does not accept', () => {
  expect(() => build({ originReadTimeout: Duration.seconds(181) })).toThrow(
    'SaleDistribution originReadTimeout: got 3 minutes 1 second; expected whole seconds from 1 to 180',
  );
  expect(() => build({ originReadTimeout: Duration.millis(500) })).toThrow(/originReadTimeout: got 500 millis/);
});

it('refuses an access-log retention that is not a whole number of days', () => {
  expect(() => build({ accessLogRetention: Duration.hours(12) })).toThrow(
    'SaleDistribution accessLogRetention: got 12 hours; expected a whole number of days, at least 1',
  );
});

it('creates nothing when a prop is refused', () => {
  const stack = new Stack(testApp(), 'Empty', { env: { account: TEST_ACCOUNT, region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [{ name: 'p', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  const loadBalancer = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc });
  expect(
    () =>
      new SaleDistribution(stack, 'Edge', {
        config: exampleConfig(),
        loadBalancer,
        webAclArn: 'arn',
        originReadTimeout: Duration.seconds(0),
      }),
  ).toThrow(/originReadTimeout/);
  expect(stack.node.tryFindChild('Edge')?.node.children ?? []).toEqual([]);
});
