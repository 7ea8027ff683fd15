import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type { SaledayConfig } from '../../../contracts/config/schema';
import { MAX_CACHE_BEHAVIORS, SaleDistribution } from '../../../lib/edge/sale-distribution';
import { exampleConfig, TEST_ACCOUNT, testApp } from '../stacks/test-app';

const CERTIFICATE_ARN = 'arn:aws:acm:us-east-1:111111111111:certificate/0f0e0d0c-0000-4000-8000-000000000000';

function distributionStack(config: SaledayConfig): Stack {
  const stack = new Stack(testApp(), 'Distribution', { env: { account: TEST_ACCOUNT, region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [{ name: 'p', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  const loadBalancer = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc });
  new SaleDistribution(stack, 'Edge', {
    config,
    loadBalancer,
    webAclArn: 'arn:aws:wafv2:us-east-1:111111111111:global/webacl/x/1',
  });
  return stack;
}

it('serves a configured domain with its certificate and TLS 1.2 or later only', () => {
  const config = exampleConfig((raw) => {
    raw.app = { ...raw.app, domainName: 'shop.example.com', certificateArn: CERTIFICATE_ARN };
  });
  Template.fromStack(distributionStack(config)).hasResourceProperties('AWS::CloudFront::Distribution', {
    DistributionConfig: Match.objectLike({
      Aliases: ['shop.example.com'],
      ViewerCertificate: {
        AcmCertificateArn: CERTIFICATE_ARN,
        MinimumProtocolVersion: 'TLSv1.2_2021',
        SslSupportMethod: 'sni-only',
      },
    }),
  });
});

it('refuses more routes than CloudFront has cache behaviors', () => {
  const config = exampleConfig((raw) => {
    for (let i = 0; i < MAX_CACHE_BEHAVIORS; i++)
      raw.routes.unshift({ name: `extra-${i}`, path: `/extra/${i}`, priority: 'low' });
  });
  expect(() => distributionStack(config)).toThrow(/routes: got 32 routes other than \/\*; expected at most 25/);
});
