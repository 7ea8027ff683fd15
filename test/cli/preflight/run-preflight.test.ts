import {
  ApplicationAutoScalingClient,
  DescribeScheduledActionsCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudFrontClient, GetDistributionConfigCommand } from '@aws-sdk/client-cloudfront';
import { CloudWatchClient, DescribeAlarmsCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { DescribeReplicationGroupsCommand, ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { InvokeCommand, LambdaClient, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import {
  GetAWSDefaultServiceQuotaCommand,
  GetServiceQuotaCommand,
  NoSuchResourceException,
  ServiceQuotasClient,
} from '@aws-sdk/client-service-quotas';
import { ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetWebACLForResourceCommand, WAFV2Client } from '@aws-sdk/client-wafv2';
import { mockClient } from 'aws-sdk-client-mock';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { join } from 'node:path';
import { loadConfig } from '../../../contracts/config/load-config';
import { cloudWatchAlarmName, edgeStackName, saleStackName } from '../../../contracts/config/names';
import { renderPreflight } from '../../../cli/commands/preflight';
import type { PreflightClients } from '../../../cli/preflight/preflight-clients';
import { runPreflight } from '../../../cli/preflight/run-preflight';
import { comingWindow, scheduleInstant } from '../../../cli/preflight/scheduled-scaling-check';
import { initialFlags, type FlagsDocument } from '../../../contracts/flags/flags-document';

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
  sns: mockClient(SNSClient),
};

/** Static test credentials: the mocked clients never send, and nothing looks for real ones. */
const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' };
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:sale-alarms';

function clients(): PreflightClients {
  const region = 'eu-west-1';
  return {
    cloudFormation: new CloudFormationClient({ region, credentials }),
    edgeCloudFormation: new CloudFormationClient({ region: 'us-east-1', credentials }),
    ecs: new ECSClient({ region, credentials }),
    autoScaling: new ApplicationAutoScalingClient({ region, credentials }),
    elastiCache: new ElastiCacheClient({ region, credentials }),
    cloudWatch: new CloudWatchClient({ region, credentials }),
    wafv2: new WAFV2Client({ region, credentials }),
    cloudFront: new CloudFrontClient({ region: 'us-east-1', credentials }),
    serviceQuotas: new ServiceQuotasClient({ region, credentials }),
    lambda: new LambdaClient({ region, credentials }),
    sns: new SNSClient({ region, credentials }),
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
  AlarmTopicArn: TOPIC,
};

function flagsPayload(doc: FlagsDocument): InvokeCommandOutput['Payload'] {
  return new TextEncoder().encode(JSON.stringify({ outcome: 'read', document: doc })) as InvokeCommandOutput['Payload'];
}

function allAlarms(state = 'OK'): MetricAlarm[] {
  return config.alarms.map((a) => ({
    AlarmName: cloudWatchAlarmName(config, a),
    StateValue: state as MetricAlarm['StateValue'],
  }));
}

/** A healthy deployed sale: every check passes. */
function healthy(): void {
  Object.values(mocks).forEach((m) => m.reset());
  const outputs = (values: Record<string, string>) =>
    Object.entries(values).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue }));
  mocks.cloudFormation
    .on(DescribeStacksCommand, { StackName: saleStackName(config) })
    .resolves({
      Stacks: [
        {
          StackName: saleStackName(config),
          CreationTime: NOW,
          StackStatus: 'UPDATE_COMPLETE',
          Outputs: outputs(saleOutputs),
        },
      ],
    })
    .on(DescribeStacksCommand, { StackName: edgeStackName(config) })
    .resolves({
      Stacks: [
        {
          StackName: edgeStackName(config),
          CreationTime: NOW,
          StackStatus: 'CREATE_COMPLETE',
          Outputs: outputs({ EdgeWebAclArn: ACL_EDGE }),
        },
      ],
    });
  mocks.ecs.on(DescribeServicesCommand, { cluster: 'sale-cluster', services: ['sale-service'] }).resolves({
    services: [
      {
        serviceName: 'sale-service',
        status: 'ACTIVE',
        desiredCount: 2,
        runningCount: 2,
        deployments: [{ status: 'PRIMARY', rolloutState: 'COMPLETED' }],
      },
    ],
  });
  // cyber-monday: 2026-11-30T08:00 Paris (07:00Z) − 45 min → 07:15 Paris; end 23:00 Paris + 60 min → 00:00 on Dec 1.
  mocks.autoScaling.on(DescribeScheduledActionsCommand, { ResourceId: 'service/sale-cluster/sale-service' }).resolves({
    ScheduledActions: [
      scheduled('cyber-monday-warm-up', 'cron(15 7 30 11 ? 2026)', config.fleet.plannedTasks, config.fleet.maxTasks),
      scheduled('cyber-monday-cool-down', 'cron(0 0 1 12 ? 2026)', config.fleet.baselineTasks, config.fleet.maxTasks),
    ],
  });
  mocks.elastiCache.on(DescribeReplicationGroupsCommand, { ReplicationGroupId: 'sale-cache' }).resolves({
    ReplicationGroups: [
      {
        ReplicationGroupId: 'sale-cache',
        Status: 'available',
        CacheNodeType: config.cache.nodeType,
        NodeGroups: [{ NodeGroupId: '0001', Status: 'available', NodeGroupMembers: [{}, {}] }],
        MultiAZ: 'enabled',
        AutomaticFailover: 'enabled',
        PendingModifiedValues: {},
      },
    ],
  });
  mocks.sns.on(ListSubscriptionsByTopicCommand, { TopicArn: TOPIC }).resolves({
    Subscriptions: [
      {
        TopicArn: TOPIC,
        Protocol: 'email',
        Endpoint: config.notifications.email,
        SubscriptionArn: `${TOPIC}:0b8a2f`,
        Owner: '123456789012',
      },
    ],
  });
  mocks.cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: allAlarms() });
  mocks.wafv2.on(GetWebACLForResourceCommand, { ResourceArn: ALB }).resolves({
    WebACL: { ARN: ACL_REGIONAL, Name: 'sale', Id: 'abc', DefaultAction: {}, VisibilityConfig: undefined },
  });
  mocks.cloudFront
    .on(GetDistributionConfigCommand, { Id: 'E123' })
    .resolves({ DistributionConfig: { WebACLId: ACL_EDGE, Enabled: true } as never });
  mocks.serviceQuotas
    .on(GetServiceQuotaCommand, { ServiceCode: 'fargate', QuotaCode: 'L-3032A538' })
    .resolves({ Quota: { Value: 1000 } });
  mocks.lambda
    .on(InvokeCommand, { FunctionName: 'sale-flag-controller' })
    .resolves({ StatusCode: 200, Payload: flagsPayload(initialFlags(NOW)) });
}

/** The healthy replication group with some fields changed. */
function cacheGroup(change: Record<string, unknown>) {
  return {
    ReplicationGroups: [
      {
        ReplicationGroupId: 'sale-cache',
        Status: 'available',
        CacheNodeType: config.cache.nodeType,
        NodeGroups: [{ NodeGroupId: '0001', Status: 'available', NodeGroupMembers: [{}, {}] }],
        MultiAZ: 'enabled' as const,
        AutomaticFailover: 'enabled' as const,
        PendingModifiedValues: {},
        ...change,
      },
    ],
  };
}

/** The steady service of healthy(), with its deployment's maximum percent. */
function serviceWithSurge(maximumPercent: number) {
  return {
    services: [
      {
        serviceName: 'sale-service',
        status: 'ACTIVE',
        desiredCount: 2,
        runningCount: 2,
        deployments: [{ status: 'PRIMARY', rolloutState: 'COMPLETED' as const }],
        deploymentConfiguration: { maximumPercent, minimumHealthyPercent: 100 },
      },
    ],
  };
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
      'Cache Multi-AZ, failover, nothing pending',
      'Sale alarms exist and are OK',
      'Alarm e-mail subscription confirmed',
      'Regional WebACL on the ALB',
      'Edge WebACL on CloudFront',
      'Fargate vCPU quota covers the plan',
      'Flags at level 0',
    ]);
    const invoked = mocks.lambda.commandCalls(InvokeCommand)[0]!.args[0].input.Payload as Uint8Array;
    expect(JSON.parse(new TextDecoder().decode(invoked))).toEqual({ action: 'get' });
  });

  it.each<[string, () => void, string, RegExp]>([
    [
      'tasks missing',
      () =>
        mocks.ecs.on(DescribeServicesCommand).resolves({
          services: [
            { status: 'ACTIVE', desiredCount: 12, runningCount: 9, deployments: [{ rolloutState: 'COMPLETED' }] },
          ],
        }),
      'ECS service steady',
      /9 of 12 desired tasks running/,
    ],
    [
      'a rollout in progress',
      () =>
        mocks.ecs.on(DescribeServicesCommand).resolves({
          services: [
            {
              status: 'ACTIVE',
              desiredCount: 2,
              runningCount: 2,
              deployments: [{ rolloutState: 'IN_PROGRESS' }, { rolloutState: 'COMPLETED' }],
            },
          ],
        }),
      'ECS service steady',
      /2 deployments in progress/,
    ],
    [
      'a failed rollout',
      () =>
        mocks.ecs.on(DescribeServicesCommand).resolves({
          services: [{ status: 'ACTIVE', desiredCount: 2, runningCount: 2, deployments: [{ rolloutState: 'FAILED' }] }],
        }),
      'ECS service steady',
      /rollout is FAILED/,
    ],
    [
      'no service',
      () => mocks.ecs.on(DescribeServicesCommand).resolves({ services: [], failures: [{ reason: 'MISSING' }] }),
      'ECS service steady',
      /not found in cluster sale-cluster \(MISSING\)/,
    ],
    [
      'no warm-up action',
      () =>
        mocks.autoScaling
          .on(DescribeScheduledActionsCommand)
          .resolves({ ScheduledActions: [scheduled('x', 'cron(0 0 1 12 ? 2026)', 2, 40)] }),
      'Scheduled scaling',
      /no scheduled action raises the fleet at 2026-11-30 06:15 UTC/,
    ],
    [
      'a warm-up below the plan',
      () =>
        mocks.autoScaling.on(DescribeScheduledActionsCommand).resolves({
          ScheduledActions: [
            scheduled('cyber-monday-warm-up', 'cron(15 7 30 11 ? 2026)', 6, 40),
            scheduled('c', 'cron(0 0 1 12 ? 2026)', 2, 40),
          ],
        }),
      'Scheduled scaling',
      /sets min 6\/max 40, plan needs min 12\/max 40/,
    ],
    [
      'no cool-down action',
      () =>
        mocks.autoScaling
          .on(DescribeScheduledActionsCommand)
          .resolves({ ScheduledActions: [scheduled('w', 'cron(15 7 30 11 ? 2026)', 12, 40)] }),
      'Scheduled scaling',
      /no scheduled action restores the baseline/,
    ],
    [
      'the cache modifying',
      () =>
        mocks.elastiCache
          .on(DescribeReplicationGroupsCommand)
          .resolves(cacheGroup({ Status: 'modifying', NodeGroups: [] })),
      'Cache replication group',
      /sale-cache is modifying, expected available/,
    ],
    [
      'the wrong node type',
      () =>
        mocks.elastiCache
          .on(DescribeReplicationGroupsCommand)
          .resolves(cacheGroup({ CacheNodeType: 'cache.t4g.medium' })),
      'Cache replication group',
      /runs cache\.t4g\.medium, plan says cache\.r7g\.large/,
    ],
    [
      'a missing replica',
      () =>
        mocks.elastiCache
          .on(DescribeReplicationGroupsCommand)
          .resolves(cacheGroup({ NodeGroups: [{ NodeGroupId: '0001', NodeGroupMembers: [{}] }] })),
      'Cache replication group',
      /node group 0001 has 1 nodes, plan says 2/,
    ],
    [
      'an alarm missing',
      () => mocks.cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: allAlarms().slice(1) }),
      'Sale alarms',
      /missing: saleday-winter-flash-alb-p99-latency/,
    ],
    [
      'an alarm firing',
      () =>
        mocks.cloudWatch
          .on(DescribeAlarmsCommand)
          .resolves({ MetricAlarms: allAlarms().map((a, i) => (i === 2 ? { ...a, StateValue: 'ALARM' } : a)) }),
      'Sale alarms',
      /not OK: saleday-winter-flash-fleet-cpu \(ALARM\)/,
    ],
    [
      'no regional WebACL',
      () => mocks.wafv2.on(GetWebACLForResourceCommand).resolves({}),
      'Regional WebACL',
      /no WebACL is associated with the load balancer/,
    ],
    [
      'another regional WebACL',
      () =>
        mocks.wafv2.on(GetWebACLForResourceCommand).resolves({
          WebACL: { ARN: 'arn:other', Name: 'o', Id: 'o', DefaultAction: {}, VisibilityConfig: undefined },
        }),
      'Regional WebACL',
      /has arn:other, expected the sale's/,
    ],
    [
      'no edge WebACL',
      () =>
        mocks.cloudFront
          .on(GetDistributionConfigCommand)
          .resolves({ DistributionConfig: { WebACLId: '', Enabled: true } as never }),
      'Edge WebACL',
      /distribution E123 has no WebACL/,
    ],
    [
      'a quota too small',
      () => mocks.serviceQuotas.on(GetServiceQuotaCommand).resolves({ Quota: { Value: 30 } }),
      'Fargate vCPU quota',
      /quota 30 vCPU < 40 vCPU needed \(max\(40 max tasks, 12 planned × 200% during a deployment, the ECS default\) × 1 vCPU\)/,
    ],
    [
      'a raised level',
      () =>
        mocks.lambda
          .on(InvokeCommand)
          .resolves({ Payload: flagsPayload({ ...initialFlags(NOW), level: 2, reason: 'alarm alb-5xx-rate' }) }),
      'Flags at level 0',
      /level is 2 \(alarm alb-5xx-rate\)/,
    ],
    [
      'an open breaker',
      () =>
        mocks.lambda.on(InvokeCommand).resolves({
          Payload: flagsPayload({
            ...initialFlags(NOW),
            breakers: { payments: { open: true, since: NOW.toISOString(), reason: 'x' } },
          }),
        }),
      'Flags at level 0',
      /breakers open: payments/,
    ],
    [
      'a controller error',
      () =>
        mocks.lambda
          .on(InvokeCommand)
          .resolves({ FunctionError: 'Unhandled', Payload: flagsPayload(initialFlags(NOW)) }),
      'Flags at level 0',
      /failed: Unhandled/,
    ],
    [
      'an unconfirmed alarm e-mail',
      () =>
        mocks.sns.on(ListSubscriptionsByTopicCommand).resolves({
          Subscriptions: [
            {
              TopicArn: TOPIC,
              Protocol: 'email',
              Endpoint: 'oncall@example.com',
              SubscriptionArn: 'PendingConfirmation',
            },
          ],
        }),
      'Alarm e-mail subscription confirmed',
      /^the alarm e-mail to oncall@example\.com is not confirmed, so nobody hears the alarms: open the "AWS Notification - Subscription Confirmation" e-mail/,
    ],
    [
      'no alarm e-mail',
      () =>
        mocks.sns.on(ListSubscriptionsByTopicCommand).resolves({
          Subscriptions: [
            { TopicArn: TOPIC, Protocol: 'email', Endpoint: 'someone@else.example', SubscriptionArn: `${TOPIC}:1` },
          ],
        }),
      'Alarm e-mail subscription confirmed',
      /oncall@example\.com is not subscribed to the alarm topic arn:aws:sns/,
    ],
    [
      'a single-AZ cache',
      () => mocks.elastiCache.on(DescribeReplicationGroupsCommand).resolves(cacheGroup({ MultiAZ: 'disabled' })),
      'Cache Multi-AZ',
      /sale-cache: Multi-AZ is disabled/,
    ],
    [
      'no automatic failover',
      () =>
        mocks.elastiCache.on(DescribeReplicationGroupsCommand).resolves(cacheGroup({ AutomaticFailover: 'disabling' })),
      'Cache Multi-AZ',
      /automatic failover is disabling/,
    ],
    [
      'a pending modification',
      () =>
        mocks.elastiCache
          .on(DescribeReplicationGroupsCommand)
          .resolves(
            cacheGroup({ PendingModifiedValues: { AutomaticFailoverStatus: 'disabled', PrimaryClusterId: undefined } }),
          ),
      'Cache Multi-AZ',
      /^sale-cache: pending modification: AutomaticFailoverStatus disabled \(it applies/,
    ],
    [
      'a deployment surge over the quota',
      () => {
        mocks.ecs.on(DescribeServicesCommand).resolves(serviceWithSurge(400));
        mocks.serviceQuotas.on(GetServiceQuotaCommand).resolves({ Quota: { Value: 45 } });
      },
      'Fargate vCPU quota',
      /^quota 45 vCPU < 48 vCPU needed \(max\(40 max tasks, 12 planned × 400% during a deployment\) × 1 vCPU\)/,
    ],
    [
      'AccessDenied',
      () => mocks.serviceQuotas.on(GetServiceQuotaCommand).rejects(new Error('AccessDeniedException: not allowed')),
      'Fargate vCPU quota',
      /AccessDeniedException: not allowed/,
    ],
  ])('fails on %s, with the reason, and only that check', async (_label, breakIt, checkName, reason) => {
    breakIt();
    const report = await runPreflight(config, clients(), NOW);
    const failures = report.checks.filter((c) => !c.pass);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.name).toContain(checkName);
    expect(failures[0]!.detail).toMatch(reason);
    expect(report.go).toBe(false);
  });

  describe('the Fargate quota of an account that never changed it', () => {
    beforeEach(() =>
      mocks.serviceQuotas.on(GetServiceQuotaCommand).rejects(
        new NoSuchResourceException({
          message: 'The request failed because the specified service quota does not exist.',
          $metadata: {},
        }),
      ),
    );

    it('is the AWS default quota, said so', async () => {
      mocks.serviceQuotas
        .on(GetAWSDefaultServiceQuotaCommand, { ServiceCode: 'fargate', QuotaCode: 'L-3032A538' })
        .resolves({ Quota: { Value: 6 } });
      const report = await runPreflight(config, clients(), NOW);
      expect(report.checks.find((c) => c.name === 'Fargate vCPU quota covers the plan')).toEqual({
        name: 'Fargate vCPU quota covers the plan',
        pass: false,
        detail:
          'quota 6 vCPU (the AWS default: the account never changed it) < 40 vCPU needed (max(40 max tasks, 12 planned × 200% during a deployment, the ECS default) × 1 vCPU); request an increase',
      });
    });

    it('passes when the default covers the plan', async () => {
      mocks.serviceQuotas.on(GetAWSDefaultServiceQuotaCommand).resolves({ Quota: { Value: 4000 } });
      mocks.ecs.on(DescribeServicesCommand).resolves(serviceWithSurge(200));
      const report = await runPreflight(config, clients(), NOW);
      expect(report.go).toBe(true);
      expect(report.checks.find((c) => c.name === 'Fargate vCPU quota covers the plan')!.detail).toBe(
        '40 of 4000 vCPU (the AWS default: the account never changed it): max(40 max tasks, 12 planned × 200% during a deployment) × 1 vCPU',
      );
    });
  });

  describe('AWS credentials', () => {
    it('without credentials: one line saying how to configure them, and no call made', async () => {
      const noCredentials = () =>
        Promise.reject(
          Object.assign(new Error('Could not load credentials from any providers'), {
            name: 'CredentialsProviderError',
          }),
        );
      const withoutCredentials = Object.fromEntries(
        Object.entries(clients()).map(([key, client]) => [
          key,
          new (client.constructor as new (c: object) => unknown)({ region: 'eu-west-1', credentials: noCredentials }),
        ]),
      ) as unknown as PreflightClients;
      const report = await runPreflight(config, withoutCredentials, NOW);
      expect(report).toEqual({
        go: false,
        checks: [
          {
            name: 'AWS credentials',
            pass: false,
            detail:
              'configure AWS credentials (aws configure, AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or aws sso login) for the account of the sale; no check ran (Could not load credentials from any providers)',
          },
        ],
      });
      for (const mock of Object.values(mocks)) expect(mock.calls()).toHaveLength(0);
    });

    it('refused credentials: one line instead of the same error on every check', async () => {
      const expired = Object.assign(new Error('The security token included in the request is expired'), {
        name: 'ExpiredTokenException',
      });
      for (const mock of Object.values(mocks) as { reset(): { onAnyCommand(): { rejects(e: Error): unknown } } }[])
        mock.reset().onAnyCommand().rejects(expired);
      const report = await runPreflight(config, clients(), NOW);
      expect(report.checks).toHaveLength(1);
      expect(report.checks[0]!.detail).toMatch(
        /^AWS refused the credentials \(.*The security token included in the request is expired\): refresh them/,
      );
    });
  });

  it('fails every check that needs a stack that cannot be read, naming it', async () => {
    mocks.cloudFormation
      .on(DescribeStacksCommand, { StackName: saleStackName(config) })
      .rejects(new Error('Stack with id Saleday-winter-flash-Sale does not exist'));
    const report = await runPreflight(config, clients(), NOW);
    const failed = report.checks.filter((c) => !c.pass).map((c) => c.name);
    expect(failed).toHaveLength(8);
    // The alarms and the quota are found without the stacks.
    expect(report.checks.filter((c) => c.pass).map((c) => c.name)).toEqual([
      'Sale alarms exist and are OK',
      'Fargate vCPU quota covers the plan',
    ]);
    expect(report.checks[0]!.detail).toMatch(
      /cannot read stack Saleday-winter-flash-Sale: Stack with id .* does not exist/,
    );
  });

  it('fails the edge check when the edge stack lacks its output', async () => {
    mocks.cloudFormation
      .on(DescribeStacksCommand, { StackName: edgeStackName(config) })
      .resolves({ Stacks: [{ StackName: 'e', CreationTime: NOW, StackStatus: 'CREATE_COMPLETE', Outputs: [] }] });
    const report = await runPreflight(config, clients(), NOW);
    expect(report.checks.filter((c) => !c.pass).map((c) => [c.name, c.detail])).toEqual([
      ['Edge WebACL on CloudFront', 'output EdgeWebAclArn missing from stack Saleday-winter-flash-Edge'],
    ]);
  });

  it('moves to the next window once one is over, and fails when none is left', async () => {
    expect(comingWindow(config.windows, new Date('2026-12-01T00:30:00Z'))?.name).toBe('midnight-drop');
    const report = await runPreflight(config, clients(), new Date('2027-01-01T00:00:00Z'));
    expect(report.checks[1]).toEqual({
      name: 'Scheduled scaling for the coming window',
      pass: false,
      detail: 'every configured window has ended; add the next one to the config',
    });
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
  // The command builds real clients (their send is mocked): static keys from the environment, so
  // no credential provider looks further.
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  beforeEach(() => Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'test-secret' }));
  afterEach(() => {
    for (const [name, value] of [
      ['AWS_ACCESS_KEY_ID', saved.id],
      ['AWS_SECRET_ACCESS_KEY', saved.secret],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('without credentials prints one line saying how to configure them (the real CLI, no network)', async () => {
    const home = mkdtempSync(join(tmpdir(), 'saleday-no-aws-'));
    const env: NodeJS.ProcessEnv = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_') && !name.startsWith('ECS_CONTAINER')),
    );
    Object.assign(env, {
      HOME: home,
      USERPROFILE: home,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: join(home, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'none'),
    });
    const repo = join(__dirname, '../../..');
    let result: { stdout: string; code: number };
    try {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [join(repo, 'bin/saleday.js'), '--config', join(repo, 'saleday.config.json'), 'preflight'],
        { cwd: repo, env, timeout: 120_000 },
      );
      result = { stdout, code: 0 };
    } catch (error) {
      result = error as { stdout: string; code: number };
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
    expect(result.code).toBe(1);
    const failures = result.stdout.split('\n').filter((line) => line.startsWith('✗'));
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatch(
      /^✗\s+AWS credentials\s+configure AWS credentials \(aws configure, AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or aws sso login\)/,
    );
    expect(result.stdout).toMatch(/NO-GO: 1 of 1 checks failed/);
  }, 130_000);

  it('prints a ✓/✗ table with reasons and sets a non-zero exit code on any ✗', async () => {
    mocks.serviceQuotas.on(GetServiceQuotaCommand).resolves({ Quota: { Value: 8 } });
    const report = await runPreflight(config, clients(), NOW);
    const text = renderPreflight(report);
    expect(text).toMatch(/✓\s+ECS service steady\s+2\/2 tasks running/);
    expect(text).toMatch(/✗\s+Fargate vCPU quota covers the plan\s+quota 8 vCPU < 40 vCPU needed/);
    expect(text).toMatch(/NO-GO: 1 of 10 checks failed/);

    const { registerPreflightCommand } = await import('../../../cli/commands/preflight');
    const program = new Command('saleday').option('-c, --config <file>').exitOverride();
    registerPreflightCommand(program);
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const previousExitCode = process.exitCode;
    try {
      await program.parseAsync(
        ['node', 'saleday', '--config', join(__dirname, '../../../saleday.config.json'), 'preflight'],
        { from: 'node' },
      );
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
      jest.useFakeTimers({
        now: NOW,
        doNotFake: [
          'nextTick',
          'setImmediate',
          'setTimeout',
          'setInterval',
          'clearTimeout',
          'clearInterval',
          'queueMicrotask',
        ],
      });
      await program.parseAsync(
        ['node', 'saleday', '--config', join(__dirname, '../../../saleday.config.json'), 'preflight'],
        { from: 'node' },
      );
      expect(String(write.mock.calls.map((c) => c[0]).join(''))).toMatch(/GO: every check passed/);
      expect(process.exitCode).toBeUndefined();
    } finally {
      jest.useRealTimers();
      write.mockRestore();
      process.exitCode = previousExitCode;
    }
  });
});
