/**
 * The us-east-1 alarms: CloudFront's 5xx rate and a spike of requests the edge WebACL blocks, each
 * delivered to a topic of that region with the operators' e-mail subscribed.
 */
import { Match, Template } from 'aws-cdk-lib/assertions';
import { edgeAlarmName } from '../../../lib/observability/edge-alarms';
import { EdgeAlarmsStack } from '../../../lib/stacks/edge-alarms-stack';
import { exampleConfig, TEST_ACCOUNT, testApp } from './test-app';

const config = exampleConfig();
const stack = new EdgeAlarmsStack(testApp(), 'EdgeAlarms', {
  env: { account: TEST_ACCOUNT, region: 'us-east-1' },
  config,
  distributionId: 'E2EXAMPLE',
  webAclName: 'saleday-winter-flash-edge',
});
const template = Template.fromStack(stack);
const topicRef = { Ref: stack.getLogicalId(stack.edgeAlarms.topic.topic.node.defaultChild as never) };

it('has its own encrypted topic in us-east-1 with the operators’ e-mail subscribed', () => {
  template.hasResourceProperties('AWS::SNS::Subscription', {
    Protocol: 'email',
    Endpoint: config.notifications.email,
    TopicArn: topicRef,
  });
  template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
});

it('alarms on the distribution’s 5xx rate above the configured 5xx threshold, in percent', () => {
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    AlarmName: edgeAlarmName(config, 'edge-5xx-rate'),
    Namespace: 'AWS/CloudFront',
    MetricName: '5xxErrorRate',
    Dimensions: Match.arrayWith([
      { Name: 'DistributionId', Value: 'E2EXAMPLE' },
      { Name: 'Region', Value: 'Global' },
    ]),
    Threshold: 5, // the example's alb-5xx-rate threshold, 0.05
    ComparisonOperator: 'GreaterThanThreshold',
    AlarmActions: [topicRef],
    OKActions: [topicRef],
  });
});

it('alarms on a spike in the share of requests the edge WebACL blocks', () => {
  const [blocked] = Object.values(
    template.findResources('AWS::CloudWatch::Alarm', {
      Properties: { AlarmName: edgeAlarmName(config, 'edge-blocked-spike') },
    }),
  );
  const props = blocked!.Properties as {
    Metrics: {
      Id: string;
      Expression?: string;
      MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions: unknown[] } };
    }[];
    Threshold: number;
    AlarmActions: unknown[];
  };
  expect(props.Metrics.find((m) => m.Expression)?.Expression).toBe(
    'FILL(blocked, 0) / (FILL(blocked, 0) + FILL(allowed, 0))',
  );
  for (const m of props.Metrics.filter((m) => m.MetricStat)) {
    expect(m.MetricStat!.Metric).toMatchObject({
      Namespace: 'AWS/WAFV2',
      Dimensions: expect.arrayContaining([
        { Name: 'WebACL', Value: 'saleday-winter-flash-edge' },
        { Name: 'Rule', Value: 'ALL' },
      ]),
    });
  }
  expect(
    props.Metrics.filter((m) => m.MetricStat)
      .map((m) => m.MetricStat!.Metric.MetricName)
      .sort(),
  ).toEqual(['AllowedRequests', 'BlockedRequests']);
  expect(props.Threshold).toBe(0.25);
  expect(props.AlarmActions).toEqual([topicRef]);
});

it('refuses any region but us-east-1, where the edge metrics are', () => {
  expect(
    () =>
      new EdgeAlarmsStack(testApp(), 'Elsewhere', {
        env: { account: TEST_ACCOUNT, region: 'eu-west-1' },
        config,
        distributionId: 'E2',
        webAclName: 'w',
      }),
  ).toThrow('EdgeAlarmsStack env.region: got eu-west-1; expected us-east-1');
});
