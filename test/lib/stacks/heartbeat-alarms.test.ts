/**
 * Alarms that notice silence, in the sale stack: missing data is breaching for the heartbeats, every
 * one notifies the alarm topic, and none shares the prefix the flag controller reacts to.
 */
import { Template } from 'aws-cdk-lib/assertions';
import type { SaledayConfig } from '../../../contracts/config/schema';
import { heartbeatAlarmName } from '../../../lib/observability/heartbeat-alarms';
import { SaleStack } from '../../../lib/stacks/sale-stack';
import { exampleConfig, TEST_ACCOUNT, testApp } from './test-app';

let config: SaledayConfig;
let stack: SaleStack;
let template: Template;

beforeAll(() => {
  config = exampleConfig();
  stack = new SaleStack(testApp({ 'aws:cdk:bundling-stacks': [] }), 'Sale', {
    env: { account: TEST_ACCOUNT, region: config.app.region },
    config,
    edgeWebAclArn:
      'arn:aws:wafv2:us-east-1:111111111111:global/webacl/saleday-winter-flash-edge/00000000-0000-0000-0000-000000000000',
    edgeWebAclName: 'saleday-winter-flash-edge',
    edgeRuleNames: ['rate-per-ip'],
    now: new Date('2026-11-20T12:00:00Z'),
  });
  template = Template.fromStack(stack);
});

function alarm(name: Parameters<typeof heartbeatAlarmName>[1]): Record<string, unknown> {
  const found = Object.values(
    template.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: heartbeatAlarmName(config, name) } }),
  );
  expect(found).toHaveLength(1);
  return found[0]!.Properties as Record<string, unknown>;
}

/** The watched metric, whether CDK rendered it inline or (with a label) as a one-metric query. */
function metricOf(props: Record<string, unknown>): Record<string, unknown> {
  const queries = props.Metrics as { MetricStat: { Metric: Record<string, unknown>; Stat: string } }[] | undefined;
  if (!queries)
    return {
      Namespace: props.Namespace,
      MetricName: props.MetricName,
      Dimensions: props.Dimensions,
      Statistic: props.Statistic,
    };
  expect(queries).toHaveLength(1);
  const { Metric, Stat } = queries[0]!.MetricStat;
  return { ...Metric, Statistic: Stat };
}

const topicRef = () => ({ Ref: stack.getLogicalId(stack.alarmTopic.topic.node.defaultChild as never) });

it('alarms when fewer targets are healthy than the fleet floor, treating no data as breaching', () => {
  expect(metricOf(alarm('healthy-hosts'))).toMatchObject({
    Namespace: 'AWS/ApplicationELB',
    MetricName: 'HealthyHostCount',
    Statistic: 'Minimum',
  });
  expect(alarm('healthy-hosts')).toMatchObject({
    Threshold: config.fleet.baselineTasks,
    ComparisonOperator: 'LessThanThreshold',
    TreatMissingData: 'breaching',
  });
});

it('alarms when no gate publishes its per-second records (gates down or metric lines lost)', () => {
  expect(metricOf(alarm('gate-heartbeat'))).toMatchObject({
    Namespace: 'Saleday/Gate',
    MetricName: 'Requests',
    Statistic: 'SampleCount',
    Dimensions: expect.arrayContaining([
      { Name: 'Sale', Value: 'winter-flash' },
      { Name: 'PriorityClass', Value: 'critical' },
    ]),
  });
  expect(alarm('gate-heartbeat')).toMatchObject({
    Threshold: 1,
    ComparisonOperator: 'LessThanThreshold',
    TreatMissingData: 'breaching',
  });
});

it('alarms on the flag controller’s errors, and on its silence', () => {
  const functionRef = { Ref: stack.getLogicalId(stack.flagController.function.node.defaultChild as never) };
  expect(metricOf(alarm('controller-errors'))).toMatchObject({
    Namespace: 'AWS/Lambda',
    MetricName: 'Errors',
    Dimensions: [{ Name: 'FunctionName', Value: functionRef }],
  });
  expect(alarm('controller-errors')).toMatchObject({
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    Threshold: 1,
  });
  expect(metricOf(alarm('controller-heartbeat'))).toMatchObject({ MetricName: 'Invocations' });
  expect(alarm('controller-heartbeat')).toMatchObject({
    ComparisonOperator: 'LessThanThreshold',
    TreatMissingData: 'breaching',
  });
});

it('sends every heartbeat to the operators on alarm and on recovery, outside the controller’s alarm prefix', () => {
  for (const name of ['healthy-hosts', 'gate-heartbeat', 'controller-errors', 'controller-heartbeat'] as const) {
    const props = alarm(name);
    expect(props.AlarmActions).toEqual([topicRef()]);
    expect(props.OKActions).toEqual([topicRef()]);
    expect(String(props.AlarmName).startsWith(`saleday-${config.saleName}-`)).toBe(false);
  }
});
