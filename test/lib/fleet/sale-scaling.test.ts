import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { floorAt, SaleScaling } from '../../../lib/fleet/sale-scaling';
import { exampleConfig, TEST_ACCOUNT, testApp } from '../stacks/test-app';

const config = exampleConfig();

describe('floorAt (the example: cyber-monday raised 2026-11-30 07:15 to 12-01 00:00 Paris)', () => {
  it.each([
    ['2026-11-30T06:14:00Z', 2], // 07:14 Paris: one minute before the warm-up
    ['2026-11-30T06:15:00Z', 12], // 07:15 Paris: warm-up starts
    ['2026-11-30T22:59:00Z', 12], // 23:59 Paris: inside the cool-down
    ['2026-11-30T23:00:00Z', 2], // 00:00 Paris: restored
    ['2026-12-03T22:30:00Z', 12], // 23:30 Paris: midnight-drop warm-up
  ])('at %s the floor is %d', (iso, floor) => {
    expect(floorAt(config, new Date(iso))).toBe(floor);
  });
});

/** Synthesizing a stack on a machine shared with other work can take a while. */
const SYNTH_TIMEOUT_MS = 120_000;

function scalingStack(now: Date, scalingConfig = config): Stack {
  const stack = new Stack(testApp(), 'Scaling', { env: { account: TEST_ACCOUNT, region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [{ name: 'p', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
  taskDefinition.addContainer('gate', {
    image: ecs.ContainerImage.fromRegistry('gate:test'),
    portMappings: [{ containerPort: 8080 }],
  });
  const service = new ecs.FargateService(stack, 'Service', {
    cluster: new ecs.Cluster(stack, 'Cluster', { vpc }),
    taskDefinition,
  });
  const listener = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc }).addListener('Http', {
    port: 80,
    open: false,
  });
  const targetGroup = listener.addTargets('Gate', { port: 8080, targets: [service] });
  new SaleScaling(stack, 'Scaling', { config: scalingConfig, service, targetGroup, now });
  return stack;
}

it(
  'converts the per-second request target to the per-minute ALBRequestCountPerTarget',
  () => {
    const stack = scalingStack(
      new Date('2026-11-20T12:00:00Z'),
      exampleConfig((raw) => (raw.fleet.requestsPerTargetPerSecond = 220)),
    );
    Template.fromStack(stack).hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: Match.objectLike({ PredefinedMetricType: 'ALBRequestCountPerTarget' }),
        TargetValue: 220 * 60,
      }),
    });
  },
  SYNTH_TIMEOUT_MS,
);

describe('windows over at synthesis', () => {
  const scheduledActions = (stack: Stack) =>
    (
      Object.values(Template.fromStack(stack).findResources('AWS::ApplicationAutoScaling::ScalableTarget'))[0]!
        .Properties.ScheduledActions as { ScheduledActionName: string }[]
    ).map((a) => a.ScheduledActionName);

  it(
    'are left out of the schedule, with a warning naming them',
    () => {
      // cyber-monday's cool-down ended 2026-12-01 00:00 Paris (23:00Z); midnight-drop is still to come.
      const stack = scalingStack(new Date('2026-12-02T00:00:00Z'));
      expect(scheduledActions(stack)).toEqual(['midnight-drop-warm-up', 'midnight-drop-cool-down']);
      Annotations.fromStack(stack).hasWarning(
        '/Scaling/Scaling',
        Match.stringLikeRegexp(
          'Sale window cyber-monday is over \\(its cool-down ended 2026-11-30 23:00 UTC\\): it is left out of the scaling schedule',
        ),
      );
      expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('midnight-drop'))).toHaveLength(0);
    },
    SYNTH_TIMEOUT_MS,
  );

  it(
    'stay while their cool-down is still to fire',
    () => {
      // 23:30 Paris on 11-30: cyber-monday has ended but its cool-down (00:00) has not fired.
      const stack = scalingStack(new Date('2026-11-30T22:30:00Z'));
      expect(scheduledActions(stack)).toEqual([
        'cyber-monday-warm-up',
        'cyber-monday-cool-down',
        'midnight-drop-warm-up',
        'midnight-drop-cool-down',
      ]);
      expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('is over'))).toHaveLength(0);
    },
    SYNTH_TIMEOUT_MS,
  );
});

it('a deploy during a raised window keeps the planned floor', () => {
  const stack = new Stack(testApp(), 'Scaling', { env: { account: TEST_ACCOUNT, region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [{ name: 'p', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
  taskDefinition.addContainer('gate', {
    image: ecs.ContainerImage.fromRegistry('gate:test'),
    portMappings: [{ containerPort: 8080 }],
  });
  const service = new ecs.FargateService(stack, 'Service', {
    cluster: new ecs.Cluster(stack, 'Cluster', { vpc }),
    taskDefinition,
  });
  const listener = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc }).addListener('Http', {
    port: 80,
    open: false,
  });
  const targetGroup = listener.addTargets('Gate', { port: 8080, targets: [service] });
  new SaleScaling(stack, 'Scaling', { config, service, targetGroup, now: new Date('2026-11-30T12:00:00Z') });
  Template.fromStack(stack).hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
    MinCapacity: 12,
    MaxCapacity: 40,
  });
});
