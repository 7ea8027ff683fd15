/**
 * During a sale window (warm-up to cool-down) nothing can take the fleet below the plan: the
 * scheduled actions raise the scalable target's minimum to the planned tasks before the window and
 * restore the baseline only after it, and both target-tracking policies scale that same target, which
 * Application Auto Scaling never takes below its minimum.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { SaleScaling } from '../../../lib/fleet/sale-scaling';
import { zonedToInstant } from '../../../contracts/config/window-schedule';
import { exampleConfig, TEST_ACCOUNT, testApp } from '../stacks/test-app';

const config = exampleConfig();

type ScheduledAction = {
  ScheduledActionName: string;
  Schedule: string;
  Timezone: string;
  ScalableTargetAction: { MinCapacity: number; MaxCapacity: number };
};

function synthesize(): Template {
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
  new SaleScaling(stack, 'Scaling', { config, service, targetGroup, now: new Date('2026-11-01T00:00:00Z') });
  return Template.fromStack(stack);
}

/** `cron(M H D Mon ? YYYY)` in a time zone → the instant it fires. */
function firesAt(action: ScheduledAction): number {
  const match = /^cron\((\d+) (\d+) (\d+) (\d+) \? (\d+)\)$/.exec(action.Schedule);
  if (!match) throw new Error(`not a one-shot cron: ${action.Schedule}`);
  const [, minute, hour, day, month, year] = match.map(Number);
  const pad = (n: number) => String(n).padStart(2, '0');
  return zonedToInstant(`${year}-${pad(month!)}-${pad(day!)}T${pad(hour!)}:${pad(minute!)}`, action.Timezone);
}

const template = synthesize();
const targets = Object.entries(template.findResources('AWS::ApplicationAutoScaling::ScalableTarget'));
const [targetId, target] = targets[0]!;
const actions = (target.Properties.ScheduledActions as ScheduledAction[])
  .map((a) => ({ ...a, at: firesAt(a) }))
  .sort((a, b) => a.at - b.at);

/** The minimum in force at an instant: the last scheduled action before it, else the template's. */
function floorAt(instant: number): number {
  const last = actions.filter((a) => a.at <= instant).pop();
  return last ? last.ScalableTargetAction.MinCapacity : (target.Properties.MinCapacity as number);
}

it('has one scalable target for the service, at the baseline before the windows', () => {
  expect(targets).toHaveLength(1);
  expect(target.Properties).toMatchObject({
    MinCapacity: config.fleet.baselineTasks,
    MaxCapacity: config.fleet.maxTasks,
    ScalableDimension: 'ecs:service:DesiredCount',
  });
});

describe.each(config.windows)('window $name', (window) => {
  const start = zonedToInstant(window.start, window.timeZone);
  const end = zonedToInstant(window.end, window.timeZone);
  const raise = start - window.warmUpMinutes * 60_000;
  const restore = end + window.coolDownMinutes * 60_000;

  it('raises the minimum to the planned tasks at the warm-up and restores the baseline after the cool-down', () => {
    const warmUp = actions.find((a) => a.ScheduledActionName.includes(`${window.name}-warm-up`))!;
    const coolDown = actions.find((a) => a.ScheduledActionName.includes(`${window.name}-cool-down`))!;
    expect(warmUp).toMatchObject({
      at: raise,
      ScalableTargetAction: { MinCapacity: config.fleet.plannedTasks, MaxCapacity: config.fleet.maxTasks },
    });
    expect(coolDown).toMatchObject({ at: restore, ScalableTargetAction: { MinCapacity: config.fleet.baselineTasks } });
  });

  it('keeps the minimum at the planned tasks every minute from warm-up to the end of the cool-down', () => {
    const below: string[] = [];
    for (let t = raise; t < restore; t += 60_000) {
      if (floorAt(t) < config.fleet.plannedTasks) below.push(new Date(t).toISOString());
    }
    expect(below).toEqual([]);
    expect(floorAt(raise - 60_000)).toBe(config.fleet.baselineTasks);
  });
});

it('bounds both target-tracking policies by that minimum: they scale the same target, and only by target tracking', () => {
  const policies = Object.values(template.findResources('AWS::ApplicationAutoScaling::ScalingPolicy'));
  expect(policies.length).toBeGreaterThanOrEqual(2);
  for (const policy of policies) {
    expect(policy.Properties).toMatchObject({
      PolicyType: 'TargetTrackingScaling',
      ScalingTargetId: { Ref: targetId },
    });
    expect(policy.Properties.TargetTrackingScalingPolicyConfiguration.DisableScaleIn ?? false).toBe(false);
  }
  const metrics = policies
    .map(
      (p) => p.Properties.TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification.PredefinedMetricType,
    )
    .sort();
  expect(metrics).toEqual(['ALBRequestCountPerTarget', 'ECSServiceAverageCPUUtilization']);
});
