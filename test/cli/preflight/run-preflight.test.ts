import { ApplicationAutoScalingClient, DescribeScheduledActionsCommand } from '@aws-sdk/client-application-auto-scaling';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudFrontClient, GetDistributionConfigCommand } from '@aws-sdk/client-cloudfront';
import { CloudWatchClient, DescribeAlarmsCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { DescribeReplicationGroupsCommand, ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { InvokeCommand, LambdaClient, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import { GetServiceQuotaCommand, ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { GetWebACLForResourceCommand, WAFV2Client } from '@aws-sdk/client-wafv2';
import { mockClient } from 'aws-sdk-client-mock';
import { Command } from 'commander';
import { join } from 'node:path';
import { loadConfig } from '../../../lib/config/load-config';
import { cloudWatchAlarmName, edgeStackName, saleStackName } from '../../../lib/config/names';
import { renderPreflight } from '../../../cli/commands/preflight';
import type { PreflightClients } from '../../../cli/preflight/preflight-clients';
import { runPreflight } from '../../../cli/preflight/run-preflight';
import { comingWindow, scheduleInstant } from '../../../cli/preflight/scheduled-scaling-check';
import { initialFlags, type FlagsDocument } from '../../../gate/flags/flags-document';

const config = loadConfig(join(__dirname, '../../../saleday.config.json'));
const NOW = new Date('2026-11-27T10:00:00Z');
const ACL_REGIONAL = 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/sale/abc';
const ACL_EDGE = 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/edge/def';
const ALB = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/sale/123';

const mocks = {
  cloudFormation: mockClient(CloudFormationClient),
  ecs: mockClient(ECSClient),
  autoScaling: mockClient(ApplicationAutoScalingClient),
  elastiCache: mockClient(ElastiCacheClient),
  cloudWatch: mockClient(CloudWatchClient),
  wafv2: mockClient(WAFV2Client),
  cloudFront: mockClient(CloudFrontClient),
  serviceQuotas: mockClient(ServiceQuotasClient),
  lambda: mockClient(LambdaClient),
};

function clients(): PreflightClients {
  return {
    cloudFormation: new CloudFormationClient({ region: 'eu-west-1' }),
    edgeCloudFormation: new CloudFormationClient({ region: 'us-east-1' }),
    ecs: new ECSClient({ region: 'eu-west-1' }),
    autoScaling: new ApplicationAutoScalingClient({ region: 'eu-west-1' }),
    elastiCache: new ElastiCacheClient({ region: 'eu-west-1' }),
    cloudWatch: new CloudWatchClient({ region: 'eu-west-1' }),
    wafv2: new WAFV2Client({ region: 'eu-west-1' }),
    cloudFront: new CloudFrontClient({ region: 'us-east-1' }),
    serviceQuotas: new ServiceQuotasClient({ region: 'eu-west-1' }),
    lambda: new LambdaClient({ region: 'eu-west-1' }),
  };
}

const saleOutputs = {
  ClusterName: 'sale-cluster',
  ServiceName: 'sale-service',
  ReplicationGroupId: 'sale-cache',
  RegionalWebAclArn: ACL_REGIONAL,
  LoadBalancerArn: ALB,
  DistributionId: 'E123',
  FlagControllerFunctionName: 'sale-flag-controller',
};

function flagsPayload(doc: FlagsDocument): InvokeCommandOutput['Payload'] {
  return new TextEncoder().encode(JSON.stringify({ outcome: 'read', document: doc })) as InvokeCommandOutput['Payload'];
}

function allAlarms(state = 'OK'): MetricAlarm[] {
  return config.alarms.map((a) => ({ AlarmName: cloudWatchAlarmName(config, a), StateValue: state as MetricAlarm['StateValue'] }));
}

/** A healthy deployed sale: every check passes. */
function healthy(): void {
  Object.values(mocks).forEach((m) => m.reset());
  const outputs = (values: Record<string, string>) => Object.entries(values).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue }));
  mocks.cloudFormation
    .on(DescribeStacksCommand, { StackName: saleStackName(config) })
    .resolves({ Stacks: [{ StackName: saleStackName(config), CreationTime: NOW, StackStatus: 'UPDATE_COMPLETE', Outputs: outputs(saleOutputs) }] })
    .on(DescribeStacksCommand, { StackName: edgeStackName(config) })
    .resolves({ Stacks: [{ StackName: edgeStackName(config), CreationTime: NOW, StackStatus: 'CREATE_COMPLETE', Outputs: outputs({ EdgeWebAclArn: ACL_EDGE }) }] });
  mocks.ecs.on(DescribeServicesCommand, { cluster: 'sale-cluster', services: ['sale-service'] }).resolves({
    services: [{ serviceName: 'sale-service', status: 'ACTIVE', desiredCount: 2, runningCount: 2, deployments: [{ status: 'PRIMARY', rolloutState: 'COMPLETED' }] }],
  });
  // cyber-monday: 2026-11-30T08:00 Paris (07:00Z) − 45 min → 07:15 Paris; end 23:00 Paris + 60 min → 00:00 on Dec 1.
  mocks.autoScaling.on(DescribeScheduledActionsCommand, { ResourceId: 'service/sale-cluster/sale-service' }).resolves({
    ScheduledActions: [
      scheduled('cyber-monday-warm-up', 'cron(15 7 30 11 ? 2026)', config.fleet.plannedTasks, config.fleet.maxTasks),
      scheduled('cyber-monday-cool-down', 'cron(0 0 1 12 ? 2026)', config.fleet.baselineTasks, config.fleet.maxTasks),
    ],
  });
  mocks.elastiCache.on(DescribeReplicationGroupsCommand, { ReplicationGroupId: 'sale-cache' }).resolves({
    ReplicationGroups: [{ ReplicationGroupId: 'sale-cache', Status: 'available', CacheNodeType: config.cache.nodeType, NodeGroups: [{ NodeGroupId: '0001', Status: 'available', NodeGroupMembers: [{}, {}] }] }],
  });
  mocks.cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: allAlarms() });
  mocks.wafv2.on(GetWebACLForResourceCommand, { ResourceArn: ALB }).resolves({ WebACL: { ARN: ACL_REGIONAL, Name: 'sale', Id: 'abc', DefaultAction: {}, VisibilityConfig: undefined } });
  mocks.cloudFront.on(GetDistributionConfigCommand, { Id: 'E123' }).resolves({ DistributionConfig: { WebACLId: ACL_EDGE, Enabled: true } as never });
  mocks.serviceQuotas.on(GetServiceQuotaCommand, { ServiceCode: 'fargate', QuotaCode: 'L-3032A538' }).resolves({ Quota: { Value: 1000 } });
  mocks.lambda.on(InvokeCommand, { FunctionName: 'sale-flag-controller' }).resolves({ StatusCode: 200, Payload: flagsPayload(initialFlags(NOW)) });
}

function scheduled(name: string, schedule: string, min: number, max: number) {
  return {
    ScheduledActionName: name,
    ScheduledActionARN: `arn:${name}`,
    ServiceNamespace: 'ecs' as const,
    Schedule: schedule,
    Timezone: 'Europe/Paris',
    ResourceId: 'service/sale-cluster/sale-service',
    ScalableDimension: 'ecs:service:DesiredCount' as const,
    ScalableTargetAction: { MinCapacity: min, MaxCapacity: max },
    CreationTime: NOW,
  };
}

beforeEach(healthy);

describe('runPreflight', () => {
  it('is a GO when the deployed sale matches the plan', async () => {
    const report = await runPreflight(config, clients(), NOW);
    expect(report.checks.filter((c) => !c.pass)).toEqual([]);
    expect(report.go).toBe(true);
    expect(report.checks.map((c) => c.name)).toEqual([
      'ECS service steady',
      'Scheduled scaling for the coming window (cyber-monday)',
      'Cache replication group',
      'Sale alarms exist and are OK',
      'Regional WebACL on the ALB',
      'Edge WebACL on CloudFront',
      'Fargate vCPU quota covers the plan',
      'Flags at level 0',
    ]);
    const invoked = mocks.lambda.commandCalls(InvokeCommand)[0]!.args[0].input.Payload as Uint8Array;
    expect(JSON.parse(new TextDecoder().decode(invoked))).toEqual({ action: 'get' });
  });

  it.each<[string, () => void, string, RegExp]>([
    ['tasks missing', () => mocks.ecs.on(DescribeServicesCommand).resolves({ services: [{ status: 'ACTIVE', desiredCount: 12, runningCount: 9, deployments: [{ rolloutState: 'COMPLETED' }] }] }), 'ECS service steady', /9 of 12 desired tasks running/],
    ['a rollout in progress', () => mocks.ecs.on(DescribeServicesCommand).resolves({ services: [{ status: 'ACTIVE', desiredCount: 2, runningCount: 2, deployments: [{ rolloutState: 'IN_PROGRESS' }, { rolloutState: 'COMPLETED' }] }] }), 'ECS service steady', /2 deployments in progress/],
    ['a failed rollout', () => mocks.ecs.on(DescribeServicesCommand).resolves({ services: [{ status: 'ACTIVE', desiredCount: 2, runningCount: 2, deployments: [{ rolloutState: 'FAILED' }] }] }), 'ECS service steady', /rollout is FAILED/],
    ['no service', () => mocks.ecs.on(DescribeServicesCommand).resolves({ services: [], failures: [{ reason: 'MISSING' }] }), 'ECS service steady', /not found in cluster sale-cluster \(MISSING\)/],
    ['no warm-up action', () => mocks.autoScaling.on(DescribeScheduledActionsCommand).resolves({ ScheduledActions: [scheduled('x', 'cron(0 0 1 12 ? 2026)', 2, 40)] }), 'Scheduled scaling', /no scheduled action raises the fleet at 2026-11-30 06:15 UTC/],
    ['a warm-up below the plan', () => mocks.autoScaling.on(DescribeScheduledActionsCommand).resolves({ ScheduledActions: [scheduled('cyber-monday-warm-up', 'cron(15 7 30 11 ? 2026)', 6, 40), scheduled('c', 'cron(0 0 1 12 ? 2026)', 2, 40)] }), 'Scheduled scaling', /sets min 6\/max 40, plan needs min 12\/max 40/],
    ['no cool-down action', () => mocks.autoScaling.on(DescribeScheduledActionsCommand).resolves({ ScheduledActions: [scheduled('w', 'cron(15 7 30 11 ? 2026)', 12, 40)] }), 'Scheduled scaling', /no scheduled action restores the baseline/],
    ['the cache modifying', () => mocks.elastiCache.on(DescribeReplicationGroupsCommand).resolves({ ReplicationGroups: [{ Status: 'modifying', CacheNodeType: 'cache.r7g.large', NodeGroups: [] }] }), 'Cache replication group', /sale-cache is modifying, expected available/],
    ['the wrong node type', () => mocks.elastiCache.on(DescribeReplicationGroupsCommand).resolves({ ReplicationGroups: [{ Status: 'available', CacheNodeType: 'cache.t4g.medium', NodeGroups: [{ NodeGroupMembers: [{}, {}] }] }] }), 'Cache replication group', /runs cache\.t4g\.medium, plan says cache\.r7g\.large/],
    ['a missing replica', () => mocks.elastiCache.on(DescribeReplicationGroupsCommand).resolves({ ReplicationGroups: [{ Status: 'available', CacheNodeType: 'cache.r7g.large', NodeGroups: [{ NodeGroupId: '0001', NodeGroupMembers: [{}] }] }] }), 'Cache replication group', /node group 0001 has 1 nodes, plan says 2/],
    ['an alarm missing', () => mocks.cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: allAlarms().slice(1) }), 'Sale alarms', /missing: saleday-winter-flash-alb-p99-latency/],
    ['an alarm firing', () => mocks.cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: allAlarms().map((a, i) => (i === 2 ? { ...a, StateValue: 'ALARM' } : a)) }), 'Sale alarms', /not OK: saleday-winter-flash-fleet-cpu \(ALARM\)/],
    ['no regional WebACL', () => mocks.wafv2.on(GetWebACLForResourceCommand).resolves({}), 'Regional WebACL', /no WebACL is associated with the load balancer/],
    ['another regional WebACL', () => mocks.wafv2.on(GetWebACLForResourceCommand).resolves({ WebACL: { ARN: 'arn:other', Name: 'o', Id: 'o', DefaultAction: {}, VisibilityConfig: undefined } }), 'Regional WebACL', /has arn:other, expected the sale's/],
    ['no edge WebACL', () => mocks.cloudFront.on(GetDistributionConfigCommand).resolves({ DistributionConfig: { WebACLId: '', Enabled: true } as never }), 'Edge WebACL', /distribution E123 has no WebACL/],
    ['a quota too small', () => mocks.serviceQuotas.on(GetServiceQuotaCommand).resolves({ Quota: { Value: 30 } }), 'Fargate vCPU quota', /quota 30 vCPU < 40 vCPU needed \(40 max tasks × 1 vCPU\)/],
    ['a raised level', () => mocks.lambda.on(InvokeCommand).resolves({ Payload: flagsPayload({ ...initialFlags(NOW), level: 2, reason: 'alarm alb-5xx-rate' }) }), 'Flags at level 0', /level is 2 \(alarm alb-5xx-rate\)/],
    ['an open breaker', () => mocks.lambda.on(InvokeCommand).resolves({ Payload: flagsPayload({ ...initialFlags(NOW), breakers: { payments: { open: true, since: NOW.toISOString(), reason: 'x' } } }) }), 'Flags at level 0', /breakers open: payments/],
    ['a controller error', () => mocks.lambda.on(InvokeCommand).resolves({ FunctionError: 'Unhandled', Payload: flagsPayload(initialFlags(NOW)) }), 'Flags at level 0', /failed: Unhandled/],
    ['AccessDenied', () => mocks.serviceQuotas.on(GetServiceQuotaCommand).rejects(new Error('AccessDeniedException: not allowed')), 'Fargate vCPU quota', /AccessDeniedException: not allowed/],
  ])('fails on %s, with the reason, and only that check', async (_label, breakIt, checkName, reason) => {
    breakIt();
    const report = await runPreflight(config, clients(), NOW);
    const failures = report.checks.filter((c) => !c.pass);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.name).toContain(checkName);
    expect(failures[0]!.detail).toMatch(reason);
    expect(report.go).toBe(false);
  });

  it('fails every check that needs a stack that cannot be read, naming it', async () => {
    mocks.cloudFormation.on(DescribeStacksCommand, { StackName: saleStackName(config) }).rejects(new Error('Stack with id Saleday-winter-flash-Sale does not exist'));
    const report = await runPreflight(config, clients(), NOW);
    const failed = report.checks.filter((c) => !c.pass).map((c) => c.name);
    expect(failed).toHaveLength(6);
    // The alarms and the quota are found without the stacks.
    expect(report.checks.filter((c) => c.pass).map((c) => c.name)).toEqual(['Sale alarms exist and are OK', 'Fargate vCPU quota covers the plan']);
    expect(report.checks[0]!.detail).toMatch(/cannot read stack Saleday-winter-flash-Sale: Stack with id .* does not exist/);
  });

  it('fails the edge check when the edge stack lacks its output', async () => {
    mocks.cloudFormation.on(DescribeStacksCommand, { StackName: edgeStackName(config) }).resolves({ Stacks: [{ StackName: 'e', CreationTime: NOW, StackStatus: 'CREATE_COMPLETE', Outputs: [] }] });
    const report = await runPreflight(config, clients(), NOW);
    expect(report.checks.filter((c) => !c.pass).map((c) => [c.name, c.detail])).toEqual([['Edge WebACL on CloudFront', 'output EdgeWebAclArn missing from stack Saleday-winter-flash-Edge']]);
  });

  it('moves to the next window once one is over, and fails when none is left', async () => {
    expect(comingWindow(config.windows, new Date('2026-12-01T00:30:00Z'))?.name).toBe('midnight-drop');
    const report = await runPreflight(config, clients(), new Date('2027-01-01T00:00:00Z'));
    expect(report.checks[1]).toEqual({ name: 'Scheduled scaling for the coming window', pass: false, detail: 'every configured window has ended; add the next one to the config' });
  });
});

describe('scheduleInstant', () => {
  it.each([
    ['cron(15 7 30 11 ? 2026)', 'Europe/Paris', '2026-11-30T06:15:00.000Z'],
    ['at(2026-11-30T07:15:00)', 'Europe/Paris', '2026-11-30T06:15:00.000Z'],
    ['at(2026-11-30T06:15:00)', undefined, '2026-11-30T06:15:00.000Z'],
    ['cron(0 8 ? * MON *)', 'UTC', undefined],
    ['rate(5 minutes)', 'UTC', undefined],
  ])('%s in %s → %s', (schedule, zone, iso) => {
    const instant = scheduleInstant(schedule, zone);
    expect(instant === undefined ? undefined : new Date(instant).toISOString()).toBe(iso);
  });
});

describe('saleday preflight (command)', () => {
  it('prints a ✓/✗ table with reasons and sets a non-zero exit code on any ✗', async () => {
    mocks.serviceQuotas.on(GetServiceQuotaCommand).resolves({ Quota: { Value: 8 } });
    const report = await runPreflight(config, clients(), NOW);
    const text = renderPreflight(report);
    expect(text).toMatch(/✓\s+ECS service steady\s+2\/2 tasks running/);
    expect(text).toMatch(/✗\s+Fargate vCPU quota covers the plan\s+quota 8 vCPU < 40 vCPU needed/);
    expect(text).toMatch(/NO-GO: 1 of 8 checks failed/);

    const { registerPreflightCommand } = await import('../../../cli/commands/preflight');
    const program = new Command('saleday').option('-c, --config <file>').exitOverride();
    registerPreflightCommand(program);
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const previousExitCode = process.exitCode;
    try {
      await program.parseAsync(['node', 'saleday', '--config', join(__dirname, '../../../saleday.config.json'), 'preflight'], { from: 'node' });
      expect(process.exitCode).toBe(1);
      expect(String(write.mock.calls.map((c) => c[0]).join(''))).toMatch(/NO-GO/);
    } finally {
      write.mockRestore();
      process.exitCode = previousExitCode;
    }
  });

  it('exits 0 on a GO', async () => {
    const { registerPreflightCommand } = await import('../../../cli/commands/preflight');
    const program = new Command('saleday').option('-c, --config <file>').exitOverride();
    registerPreflightCommand(program);
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const previousExitCode = process.exitCode;
    process.exitCode = undefined;
    try {
      jest.useFakeTimers({ now: NOW, doNotFake: ['nextTick', 'setImmediate', 'setTimeout', 'setInterval', 'clearTimeout', 'clearInterval', 'queueMicrotask'] });
      await program.parseAsync(['node', 'saleday', '--config', join(__dirname, '../../../saleday.config.json'), 'preflight'], { from: 'node' });
      expect(String(write.mock.calls.map((c) => c[0]).join(''))).toMatch(/GO: every check passed/);
      expect(process.exitCode).toBeUndefined();
    } finally {
      jest.useRealTimers();
      write.mockRestore();
      process.exitCode = previousExitCode;
    }
  });
});
