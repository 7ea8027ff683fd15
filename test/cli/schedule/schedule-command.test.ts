import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { SaleScaling } from '../../../lib/fleet/sale-scaling';
import { scalingTimeline } from '../../../lib/schedule/scaling-timeline';
import { exampleConfig, TEST_ACCOUNT, testApp } from '../../lib/stacks/test-app';
import { scheduleInProcess as scheduleExampleInProcess } from './schedule-in-process';

const REPO = join(__dirname, '../../..');
const EXAMPLE = join(REPO, 'saleday.config.json');
const run = promisify(execFile);
/** A child process on a machine shared with other work can take a while to start. */
const CHILD_PROCESS_TIMEOUT_MS = 120_000;

/** The real CLI in a child process, as a user runs it. */
async function saleday(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      [join(REPO, 'bin/saleday.js'), '--config', EXAMPLE, ...args],
      { cwd: REPO, timeout: CHILD_PROCESS_TIMEOUT_MS },
    );
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const failed = error as { stdout: string; stderr: string; code: number };
    return { stdout: failed.stdout, stderr: failed.stderr, code: failed.code };
  }
}

/** The same command in this process, on the example config. */
const scheduleInProcess = (args: string[]) => scheduleExampleInProcess(EXAMPLE, args);

describe('saleday schedule', () => {
  it(
    'prints every step in local time and UTC with the capacity it sets (the real CLI)',
    async () => {
      const { stdout, code } = await saleday(['schedule', '--at', '2026-11-20T12:00:00Z']);
      expect(code).toBe(0);
      const lines = stdout.trimEnd().split('\n');
      expect(lines[0]).toBe(
        'A deploy at 2026-11-20 12:00 UTC sets the fleet to 2–40 tasks (target tracking between them), then:',
      );
      expect(lines.slice(3).map((l) => l.replace(/\s+/g, ' ').trim())).toEqual([
        '2026-11-30 07:15 Europe/Paris 2026-11-30 06:15 UTC fleet cyber-monday warm-up 12–40 tasks',
        '2026-11-30 08:00 Europe/Paris 2026-11-30 07:00 UTC sale cyber-monday starts',
        '2026-11-30 23:00 Europe/Paris 2026-11-30 22:00 UTC sale cyber-monday ends',
        '2026-12-01 00:00 Europe/Paris 2026-11-30 23:00 UTC fleet cyber-monday cool-down 2–40 tasks',
        '2026-12-03 23:30 Europe/Paris 2026-12-03 22:30 UTC fleet midnight-drop warm-up 12–40 tasks',
        '2026-12-04 00:00 Europe/Paris 2026-12-03 23:00 UTC sale midnight-drop starts',
        '2026-12-04 02:00 Europe/Paris 2026-12-04 01:00 UTC sale midnight-drop ends',
        '2026-12-04 02:30 Europe/Paris 2026-12-04 01:30 UTC fleet midnight-drop cool-down 2–40 tasks',
        'Cache: one shard, not scaled (one cache.r7g.large node carries the plan).',
      ]);
    },
    CHILD_PROCESS_TIMEOUT_MS + 10_000,
  );

  it('prints JSON with --json, leaving out windows already over', async () => {
    const timeline = JSON.parse(await scheduleInProcess(['--json', '--at', '2026-12-02T00:00:00+01:00']));
    expect(timeline.over).toEqual(['cyber-monday']);
    expect(timeline.steps.filter((s: { resource: string }) => s.resource === 'fleet')).toEqual([
      {
        resource: 'fleet',
        window: 'midnight-drop',
        step: 'warm-up',
        utc: '2026-12-03T22:30:00.000Z',
        local: '2026-12-03T23:30',
        timeZone: 'Europe/Paris',
        minCapacity: 12,
        maxCapacity: 40,
      },
      {
        resource: 'fleet',
        window: 'midnight-drop',
        step: 'cool-down',
        utc: '2026-12-04T01:30:00.000Z',
        local: '2026-12-04T02:30',
        timeZone: 'Europe/Paris',
        minCapacity: 2,
        maxCapacity: 40,
      },
    ]);
  });

  it('says when a deploy lands inside a raised window, and when every window is over', async () => {
    expect(await scheduleInProcess(['--at', '2026-11-30T12:00:00Z'])).toMatch(/sets the fleet to 12–40 tasks/);
    const after = await scheduleInProcess(['--at', '2027-01-01T00:00:00Z']);
    expect(after).toMatch(/No scheduled action: every window is over/);
    expect(after).toMatch(
      /! window cyber-monday is over \(its cool-down ended 2026-11-30 23:00 UTC\): left out of the stack/,
    );
  });

  it('refuses a time without an offset', async () => {
    await expect(scheduleInProcess(['--at', '2026-12-02T00:00'])).rejects.toThrow(
      /--at: got "2026-12-02T00:00"; expected an ISO 8601 time with an offset/,
    );
  });
});

it('the timeline is what the stack creates: the same actions, crons, zones and capacities', () => {
  const config = exampleConfig();
  const now = new Date('2026-12-02T00:00:00Z');
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
  const targetGroup = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc })
    .addListener('Http', { port: 80, open: false })
    .addTargets('Gate', { port: 8080, targets: [service] });
  new SaleScaling(stack, 'Scaling', { config, service, targetGroup, now });

  const target = Object.values(
    Template.fromStack(stack).findResources('AWS::ApplicationAutoScaling::ScalableTarget'),
  )[0]!.Properties;
  const created = (
    target.ScheduledActions as {
      ScheduledActionName: string;
      Schedule: string;
      Timezone: string;
      ScalableTargetAction: { MinCapacity: number; MaxCapacity: number };
    }[]
  ).map((a) => ({
    name: a.ScheduledActionName,
    schedule: a.Schedule,
    zone: a.Timezone,
    min: a.ScalableTargetAction.MinCapacity,
    max: a.ScalableTargetAction.MaxCapacity,
  }));
  const timeline = scalingTimeline(config, now);
  const printed = timeline.steps
    .filter((s) => s.resource === 'fleet')
    .map((s) => ({
      name: `${s.window}-${s.step}`,
      schedule: `cron(${s.local.minute} ${s.local.hour} ${s.local.day} ${s.local.month} ? ${s.local.year})`,
      zone: s.timeZone,
      min: s.values.minCapacity,
      max: s.values.maxCapacity,
    }));
  expect(printed).toEqual(created);
  expect(target.MinCapacity).toBe(timeline.fleetFloor);
}, 120_000);
