/** SaleGateway takes only the config it reads, and refuses a bad retention before it creates anything. */
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { SaleGateway, type SaleGatewayConfig } from '../../../lib/fleet/sale-gateway';
import { TEST_ACCOUNT, testApp } from '../stacks/test-app';

const SLICE: SaleGatewayConfig = {
  saleName: 'slice-only',
  identity: { header: 'x-user-id', proof: 'none', secretEnv: 'SALEDAY_IDENTITY_SECRET', trustedProxyHops: 2 },
  waf: { perUserKeyLimit: 1500, windowSeconds: 300, logRetentionDays: 30 },
};

function build(accessLogRetention?: Duration): Stack {
  const stack = new Stack(testApp(), 'Gateway', { env: { account: TEST_ACCOUNT, region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [{ name: 'p', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  const gateway = new SaleGateway(stack, 'Gateway', {
    config: SLICE,
    vpc,
    subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    vpcCidr: '10.0.0.0/16',
    accessLogRetention,
  });
  // The fleet adds the real target group; a listener must have an action to synthesize.
  gateway.listener.addAction('Default', { action: elbv2.ListenerAction.fixedResponse(404) });
  return stack;
}

it('builds from its slice of the config alone', () => {
  Template.fromStack(build()).hasResourceProperties('AWS::WAFv2::WebACL', { Name: 'saleday-slice-only-gateway' });
});

it('refuses an access-log retention that is not a whole number of days', () => {
  expect(() => build(Duration.minutes(90))).toThrow(
    'SaleGateway accessLogRetention: got 1 hour 30 minutes; expected a whole number of days, at least 1',
  );
});
