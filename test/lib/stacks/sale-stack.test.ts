import { CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { cloudWatchAlarmName, SALE_STACK_OUTPUTS } from '../../../contracts/config/names';
import type { SaledayConfig } from '../../../contracts/config/schema';
import { gateConfigSlice } from '../../../contracts/config/gate-config-slice';
import { SaleStack } from '../../../lib/stacks/sale-stack';
import { controllerSettingsFromConfig } from '../../../lambda/flag-controller/controller-settings';
import { exampleConfig, TEST_ACCOUNT, testApp } from './test-app';

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

const EDGE_WEB_ACL_ARN =
  'arn:aws:wafv2:us-east-1:111111111111:global/webacl/saleday-winter-flash-edge/00000000-0000-0000-0000-000000000000';

let config: SaledayConfig;
let stack: SaleStack;
let template: Template;
let resources: Resources;

const logicalId = (construct: IConstruct) =>
  stack.getLogicalId((CfnElement.isCfnElement(construct) ? construct : construct.node.defaultChild) as CfnElement);
const ref = (construct: IConstruct) => ({ Ref: logicalId(construct) });
const groupIdOf = (construct: IConstruct) => ({ 'Fn::GetAtt': [logicalId(construct), 'GroupId'] });
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

beforeAll(() => {
  config = exampleConfig();
  // Bundling the controller is covered by saleday-app.test.ts; skipping it here keeps this file fast.
  const app = testApp({ 'aws:cdk:bundling-stacks': [] });
  stack = new SaleStack(app, 'Sale', {
    env: { account: TEST_ACCOUNT, region: config.app.region },
    config,
    edgeWebAclArn: EDGE_WEB_ACL_ARN,
    edgeWebAclName: 'saleday-winter-flash-edge',
    edgeRuleNames: ['rate-per-ip'],
    now: new Date('2026-11-20T12:00:00Z'), // before every window: the baseline floor
  });
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources as Resources;
});

describe('network', () => {
  it('logs rejected VPC traffic to CloudWatch Logs', () => {
    template.hasResourceProperties('AWS::EC2::FlowLog', {
      ResourceType: 'VPC',
      TrafficType: 'REJECT',
      LogDestinationType: 'cloud-watch-logs',
    });
  });

  it('has no security group ingress from anywhere on the internet', () => {
    const inline = ofType('AWS::EC2::SecurityGroup').flatMap(
      ([, r]) => (r.Properties?.SecurityGroupIngress as Record<string, unknown>[] | undefined) ?? [],
    );
    const separate = ofType('AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties ?? {});
    const all = [...inline, ...separate];
    expect(all.length).toBeGreaterThan(0);
    for (const rule of all) {
      expect(rule.CidrIp).not.toBe('0.0.0.0/0');
      expect(rule.CidrIpv6).not.toBe('::/0');
    }
  });
});

describe('gateway', () => {
  it('is an internal ALB with access logs to an SSL-only, encrypted bucket', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internal',
      LoadBalancerAttributes: Match.arrayWith([
        { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
        { Key: 'access_logs.s3.enabled', Value: 'true' },
      ]),
    });
    const bucket = stack.gateway.accessLogBucket;
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: ref(bucket),
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('lets only the VPC range reach the ALB, on its listener port', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('internal ALB'),
      SecurityGroupIngress: [
        { CidrIp: stack.network.cidr, FromPort: 80, ToPort: 80, IpProtocol: 'tcp', Description: Match.anyValue() },
      ],
    });
  });

  it('lets only the ALB reach the tasks, on the gate port', () => {
    const toFleet = ofType('AWS::EC2::SecurityGroupIngress').filter(
      ([, r]) => JSON.stringify(r.Properties?.GroupId) === JSON.stringify(groupIdOf(stack.fleet.securityGroup)),
    );
    expect(toFleet.map(([, r]) => r.Properties)).toEqual([
      expect.objectContaining({
        FromPort: config.fleet.gatePort,
        ToPort: config.fleet.gatePort,
        SourceSecurityGroupId: groupIdOf(stack.gateway.securityGroup),
      }),
    ]);
  });

  it('protects the ALB with a regional WebACL: managed rules and a rate limit per user key, logged', () => {
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      Rules: Match.arrayWith([
        Match.objectLike({
          Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet' } },
        }),
        Match.objectLike({
          Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesKnownBadInputsRuleSet' } },
        }),
        Match.objectLike({
          Action: { Block: {} },
          Statement: {
            RateBasedStatement: {
              AggregateKeyType: 'CUSTOM_KEYS',
              CustomKeys: [{ Cookie: { Name: 'saleday-session', TextTransformations: Match.anyValue() } }],
              Limit: config.waf.perUserKeyLimit,
              EvaluationWindowSec: config.waf.windowSeconds,
            },
          },
        }),
      ]),
    });
    // The first X-Forwarded-For entry is the client's to write: no rule keys on it (docs/decisions/001).
    expect(JSON.stringify(template.findResources('AWS::WAFv2::WebACL'))).not.toContain('FORWARDED_IP');
    template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      ResourceArn: ref(stack.gateway.loadBalancer),
      WebACLArn: { 'Fn::GetAtt': [logicalId(stack.gateway.webAcl), 'Arn'] },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: 'aws-waf-logs-saleday-winter-flash-gateway',
      RetentionInDays: 30,
    });
    template.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
      ResourceArn: { 'Fn::GetAtt': [logicalId(stack.gateway.webAcl), 'Arn'] },
      LogDestinationConfigs: [
        {
          'Fn::Join': [
            '',
            Match.arrayWith([Match.stringLikeRegexp(':log-group:aws-waf-logs-saleday-winter-flash-gateway$')]),
          ],
        },
      ],
    });
  });
});

describe('fleet', () => {
  it('turns Container Insights on', () => {
    template.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
    });
  });

  it('never sets a desired count, and rolls back failed deploys', () => {
    template.hasResourceProperties('AWS::ECS::Service', {
      DesiredCount: Match.absent(),
      LaunchType: 'FARGATE',
      DeploymentConfiguration: Match.objectLike({
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        MinimumHealthyPercent: 100,
      }),
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'DISABLED' }) },
      LoadBalancers: [Match.objectLike({ ContainerName: 'gate', ContainerPort: config.fleet.gatePort })],
    });
  });

  it('runs the gate in front of the app, both with the cache URL, the AUTH token and the identity secret', () => {
    const tasks = ofType('AWS::ECS::TaskDefinition');
    expect(tasks).toHaveLength(1);
    const task = tasks[0]![1].Properties as {
      ContainerDefinitions: Record<string, unknown>[];
      Cpu: string;
      Memory: string;
    };
    expect(task.Cpu).toBe(String(config.fleet.cpu));
    expect(task.Memory).toBe(String(config.fleet.memoryMiB));
    const byName = Object.fromEntries(task.ContainerDefinitions.map((c) => [c.Name as string, c]));
    expect(Object.keys(byName).sort()).toEqual(['app', 'gate']);
    const env = (name: string) =>
      Object.fromEntries(
        (byName[name]!.Environment as { Name: string; Value: unknown }[]).map((e) => [e.Name, e.Value]),
      );
    const redisUrl = {
      'Fn::Join': [
        '',
        [
          'rediss://',
          { 'Fn::GetAtt': [logicalId(stack.cache.replicationGroup), 'PrimaryEndPoint.Address'] },
          `:${config.cache.port}`,
        ],
      ],
    };

    const gateEnv = env('gate');
    expect(gateEnv.PORT).toBe(String(config.fleet.gatePort));
    expect(gateEnv.UPSTREAM_URL).toBe(`http://127.0.0.1:${config.fleet.appPort}`);
    expect(JSON.parse(gateEnv.SALEDAY_GATE_CONFIG_JSON as string)).toEqual(gateConfigSlice(config));
    expect(gateEnv).not.toHaveProperty('SALEDAY_CONFIG_JSON');
    expect(JSON.stringify(task)).not.toContain(config.notifications.email);
    expect(gateEnv.REDIS_URL).toEqual(redisUrl);
    const appEnv = env('app');
    expect(appEnv.PORT).toBe(String(config.fleet.appPort));
    expect(appEnv.REDIS_URL).toEqual(redisUrl);
    // The example config proves user keys with hmac: the app signs session cookies with the secret the gate verifies them with.
    expect(config.identity.proof).toBe('hmac');
    expect(appEnv.SALEDAY_SESSION_SECRET_ENV).toBe('SALEDAY_IDENTITY_SECRET');
    for (const name of ['gate', 'app']) {
      expect(byName[name]!.Secrets).toEqual([
        { Name: 'REDIS_AUTH_TOKEN', ValueFrom: ref(stack.cache.authToken) },
        { Name: 'SALEDAY_IDENTITY_SECRET', ValueFrom: ref(stack.fleet.identitySecret!) },
      ]);
    }
    expect(byName.gate!.PortMappings).toEqual([expect.objectContaining({ ContainerPort: config.fleet.gatePort })]);
    expect(byName.gate!.DependsOn).toEqual([{ ContainerName: 'app', Condition: 'HEALTHY' }]);
  });

  it('health-checks the gate at its readiness path over HTTP/1.1', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Port: config.fleet.gatePort,
      ProtocolVersion: 'HTTP1',
      TargetType: 'ip',
      HealthCheckPath: '/_gate/ready',
    });
  });
});

describe('scaling', () => {
  it('keeps the baseline between windows and raises the floor to the plan around each window, in its time zone', () => {
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      ScalableDimension: 'ecs:service:DesiredCount',
      MinCapacity: 2,
      MaxCapacity: 40,
      ScheduledActions: [
        // cyber-monday 2026-11-30 08:00-23:00 Paris, warm-up 45, cool-down 60
        {
          ScheduledActionName: 'cyber-monday-warm-up',
          Schedule: 'cron(15 7 30 11 ? 2026)',
          Timezone: 'Europe/Paris',
          ScalableTargetAction: { MinCapacity: 12, MaxCapacity: 40 },
        },
        {
          ScheduledActionName: 'cyber-monday-cool-down',
          Schedule: 'cron(0 0 1 12 ? 2026)',
          Timezone: 'Europe/Paris',
          ScalableTargetAction: { MinCapacity: 2, MaxCapacity: 40 },
        },
        // midnight-drop 2026-12-04 00:00-02:00 Paris, warm-up 30 (the day before), cool-down 30
        {
          ScheduledActionName: 'midnight-drop-warm-up',
          Schedule: 'cron(30 23 3 12 ? 2026)',
          Timezone: 'Europe/Paris',
          ScalableTargetAction: { MinCapacity: 12, MaxCapacity: 40 },
        },
        {
          ScheduledActionName: 'midnight-drop-cool-down',
          Schedule: 'cron(30 2 4 12 ? 2026)',
          Timezone: 'Europe/Paris',
          ScalableTargetAction: { MinCapacity: 2, MaxCapacity: 40 },
        },
      ],
    });
  });

  it('tracks CPU and ALB requests per target', () => {
    template.resourceCountIs('AWS::ApplicationAutoScaling::ScalingPolicy', 2);
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
        TargetValue: 55,
      }),
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: Match.objectLike({
        PredefinedMetricSpecification: {
          PredefinedMetricType: 'ALBRequestCountPerTarget',
          ResourceLabel: Match.anyValue(),
        },
        // fleet.requestsPerTargetPerSecond 100 × 60: the metric counts per minute.
        TargetValue: 6000,
      }),
    });
  });
});

describe('cache', () => {
  it('is a Multi-AZ, encrypted, AUTH-protected replication group on the configured port and size', () => {
    template.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      Engine: 'valkey',
      CacheNodeType: 'cache.r7g.large',
      NumNodeGroups: 1,
      ReplicasPerNodeGroup: 1,
      MultiAZEnabled: true,
      AutomaticFailoverEnabled: true,
      TransitEncryptionEnabled: true,
      AtRestEncryptionEnabled: true,
      Port: 6380,
      ReplicationGroupId: 'saleday-winter-flash',
      AuthToken: { 'Fn::Join': ['', ['{{resolve:secretsmanager:', ref(stack.cache.authToken), ':SecretString:::}}']] },
    });
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ ExcludePunctuation: true, IncludeSpace: false, PasswordLength: 64 }),
    });
  });

  it('lives in isolated subnets', () => {
    const [[, group]] = ofType('AWS::ElastiCache::SubnetGroup');
    const subnetRefs = group!.Properties!.SubnetIds as { Ref: string }[];
    expect(subnetRefs).toHaveLength(2);
    for (const { Ref } of subnetRefs) {
      const tags = resources[Ref]!.Properties!.Tags as { Key: string; Value: string }[];
      expect(tags).toContainEqual({ Key: 'aws-cdk:subnet-type', Value: 'Isolated' });
    }
  });

  it('opens its port only to the tasks and the flag controller', () => {
    const toCache = ofType('AWS::EC2::SecurityGroupIngress')
      .filter(([, r]) => JSON.stringify(r.Properties?.GroupId) === JSON.stringify(groupIdOf(stack.cache.securityGroup)))
      .map(([, r]) => r.Properties);
    expect(toCache).toHaveLength(2);
    expect(toCache).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          FromPort: 6380,
          ToPort: 6380,
          SourceSecurityGroupId: groupIdOf(stack.fleet.securityGroup),
        }),
        expect.objectContaining({
          FromPort: 6380,
          ToPort: 6380,
          SourceSecurityGroupId: groupIdOf(stack.flagController.securityGroup),
        }),
      ]),
    );
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('cache'),
      SecurityGroupIngress: Match.absent(),
    });
  });
});

describe('control plane', () => {
  it('runs the flag controller in the VPC with its settings and endpoints in the environment', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      VpcConfig: { SubnetIds: Match.anyValue(), SecurityGroupIds: [groupIdOf(stack.flagController.securityGroup)] },
      Environment: {
        Variables: {
          SALEDAY_CONTROLLER_CONFIG: JSON.stringify(controllerSettingsFromConfig(config)),
          REDIS_URL: Match.anyValue(),
          REDIS_AUTH_SECRET_ARN: ref(stack.cache.authToken),
          ALARM_TOPIC_ARN: ref(stack.alarmTopic.topic),
        },
      },
    });
    const settings = controllerSettingsFromConfig(config);
    expect(settings.alarms.map((a) => a.name)).toContain(cloudWatchAlarmName(config, { name: 'payments-failing' }));
  });

  it('grants the controller exactly what it uses', () => {
    const policyRoles = { Roles: [ref(stack.flagController.role)] };
    template.hasResourceProperties('AWS::IAM::Policy', {
      ...policyRoles,
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'WriteOwnLogs',
            Effect: 'Allow',
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: { 'Fn::GetAtt': [logicalId(stack.flagController.logGroup), 'Arn'] },
          },
          {
            Sid: 'ManageVpcNetworkInterfaces',
            Effect: 'Allow',
            Action: [
              'ec2:AssignPrivateIpAddresses',
              'ec2:CreateNetworkInterface',
              'ec2:DeleteNetworkInterface',
              'ec2:DescribeNetworkInterfaces',
              'ec2:UnassignPrivateIpAddresses',
            ],
            Resource: '*',
          },
          {
            Sid: 'ReadSaleAlarms',
            Effect: 'Allow',
            Action: 'cloudwatch:DescribeAlarms',
            Resource: {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  `:cloudwatch:eu-west-1:${TEST_ACCOUNT}:alarm:saleday-winter-flash-*`,
                ],
              ],
            },
          },
          {
            Sid: 'PutControllerMetrics',
            Effect: 'Allow',
            Action: 'cloudwatch:PutMetricData',
            Resource: '*',
            Condition: { StringEquals: { 'cloudwatch:namespace': 'Saleday/Controller' } },
          },
          {
            Sid: 'ReadCacheAuthToken',
            Effect: 'Allow',
            Action: 'secretsmanager:GetSecretValue',
            Resource: ref(stack.cache.authToken),
          },
          { Sid: 'AnnounceFlagChanges', Effect: 'Allow', Action: 'sns:Publish', Resource: ref(stack.alarmTopic.topic) },
          {
            Sid: 'EncryptAnnouncements',
            Effect: 'Allow',
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
            Resource: { 'Fn::GetAtt': [logicalId(stack.alarmTopic.key), 'Arn'] },
          },
        ],
      },
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })] },
      ManagedPolicyArns: Match.absent(),
      Description: Match.stringLikeRegexp('flag controller'),
    });
  });

  it("wakes the controller on this sale's alarm state changes and every minute", () => {
    const target = [Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalId(stack.flagController.function), 'Arn'] } })];
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.cloudwatch'],
        'detail-type': ['CloudWatch Alarm State Change'],
        detail: { alarmName: [{ prefix: 'saleday-winter-flash-' }] },
      },
      Targets: target,
    });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 minute)', Targets: target });
  });

  it('sends alarms to a KMS-encrypted, SSL-only topic with the on-call e-mail subscribed', () => {
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [logicalId(stack.alarmTopic.key), 'Arn'] },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
      TopicArn: ref(stack.alarmTopic.topic),
    });
  });
});

describe('alarms', () => {
  it('creates one alarm per configured alarm, notifying the topic', () => {
    const configured = Object.values(template.findResources('AWS::CloudWatch::Alarm')).filter((a) =>
      String(a.Properties.AlarmName).startsWith('saleday-winter-flash-'),
    );
    expect(configured).toHaveLength(config.alarms.length);
    for (const alarm of config.alarms) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: cloudWatchAlarmName(config, alarm),
        EvaluationPeriods: alarm.evaluationPeriods,
        DatapointsToAlarm: alarm.datapointsToAlarm,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [ref(stack.alarmTopic.topic)],
      });
    }
  });

  const alarmProps = (name: string) => {
    const found = template.findResources('AWS::CloudWatch::Alarm', {
      Properties: { AlarmName: `saleday-winter-flash-${name}` },
    });
    return Object.values(found)[0]!.Properties as Record<string, unknown>;
  };

  it('watches ALB p99 latency in seconds', () => {
    expect(alarmProps('alb-p99-latency')).toMatchObject({
      Namespace: 'AWS/ApplicationELB',
      MetricName: 'TargetResponseTime',
      ExtendedStatistic: 'p99',
      Period: 60,
      Threshold: 0.8,
    });
  });

  it("computes the 5xx rate from target and ALB 5xx, less the gates' deliberate refusals, over requests", () => {
    const props = alarmProps('alb-5xx-rate');
    expect(props.Threshold).toBe(0.05);
    const metrics = props.Metrics as {
      Id: string;
      Expression?: string;
      MetricStat?: { Metric: { MetricName: string; Namespace: string; Dimensions: unknown[] }; Stat: string };
    }[];
    const ratio = '(FILL(target5xx, 0) + FILL(elb5xx, 0) - FILL(deliberate, 0)) / requests';
    expect(metrics.find((m) => m.Expression)?.Expression).toBe(`IF(${ratio} < 0, 0, ${ratio})`);
    expect(
      metrics
        .filter((m) => m.MetricStat)
        .map((m) => m.MetricStat!.Metric.MetricName)
        .sort(),
    ).toEqual(['DeliberateRefusals', 'HTTPCode_ELB_5XX_Count', 'HTTPCode_Target_5XX_Count', 'RequestCount']);
    // Summed over the fleet: the gates publish it with the Sale dimension only.
    expect(metrics.find((m) => m.Id === 'deliberate')!.MetricStat).toMatchObject({
      Metric: {
        Namespace: 'Saleday/Gate',
        MetricName: 'DeliberateRefusals',
        Dimensions: [{ Name: 'Sale', Value: 'winter-flash' }],
      },
      Stat: 'Sum',
    });
  });

  it('watches the busiest cache node', () => {
    const metrics = alarmProps('cache-cpu').Metrics as {
      Expression?: string;
      MetricStat?: { Metric: { Dimensions: unknown[] } };
    }[];
    expect(metrics.find((m) => m.Expression)?.Expression).toBe('MAX([node0, node1])');
    expect(metrics.filter((m) => m.MetricStat).map((m) => m.MetricStat!.Metric.Dimensions)).toEqual([
      [{ Name: 'CacheClusterId', Value: 'saleday-winter-flash-001' }],
      [{ Name: 'CacheClusterId', Value: 'saleday-winter-flash-002' }],
    ]);
  });

  it('reads the gate metrics at high resolution', () => {
    for (const name of ['gate-shed-rate', 'gate-queue-delay', 'payments-failing']) {
      const metrics = alarmProps(name).Metrics as {
        MetricStat?: { Metric: { Namespace: string; Dimensions: { Name: string; Value: string }[] }; Period: number };
      }[];
      const stats = metrics.filter((m) => m.MetricStat).map((m) => m.MetricStat!);
      expect(stats.length).toBeGreaterThan(0);
      for (const stat of stats) {
        expect(stat.Period).toBe(10);
        expect(stat.Metric.Namespace).toBe('Saleday/Gate');
        expect(stat.Metric.Dimensions).toContainEqual({ Name: 'Sale', Value: 'winter-flash' });
      }
    }
    const dependency = (
      alarmProps('payments-failing').Metrics as { MetricStat?: { Metric: { Dimensions: unknown[] } } }[]
    ).filter((m) => m.MetricStat);
    for (const m of dependency)
      expect(m.MetricStat!.Metric.Dimensions).toContainEqual({ Name: 'Dependency', Value: 'payments' });
  });
});

describe('CloudFront', () => {
  it('serves HTTPS only, compressed, logged, behind the edge WebACL, through a VPC origin with short timeouts', () => {
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        WebACLId: EDGE_WEB_ACL_ARN,
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https', Compress: true }),
        Logging: Match.objectLike({ Bucket: Match.anyValue() }),
        Origins: [
          Match.objectLike({
            ConnectionTimeout: 3,
            ConnectionAttempts: 2,
            VpcOriginConfig: Match.objectLike({
              OriginReadTimeout: 10,
              VpcOriginId: { 'Fn::GetAtt': [Match.anyValue(), 'Id'] },
            }),
          }),
        ],
      }),
    });
    template.hasResourceProperties('AWS::CloudFront::VpcOrigin', {
      VpcOriginEndpointConfig: Match.objectLike({
        Arn: ref(stack.gateway.loadBalancer),
        HTTPPort: 80,
        OriginProtocolPolicy: 'http-only',
      }),
    });
  });

  it('has one behavior per route in config order, cached only where the route says so', () => {
    const [[, distribution]] = ofType('AWS::CloudFront::Distribution');
    const behaviors = (distribution!.Properties!.DistributionConfig as { CacheBehaviors: Record<string, unknown>[] })
      .CacheBehaviors;
    const CACHING_DISABLED = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
    const ALL_VIEWER_EXCEPT_HOST_HEADER = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';
    expect(behaviors.map((b) => b.PathPattern)).toEqual([
      '/api/checkout',
      '/api/cart',
      '/api/session',
      '/api/products/*',
      '/api/products',
      '/api/recommendations',
      '/assets/*',
    ]);
    for (const b of behaviors) expect(b).toMatchObject({ ViewerProtocolPolicy: 'redirect-to-https', Compress: true });
    const byPath = Object.fromEntries(behaviors.map((b) => [b.PathPattern as string, b]));
    expect(byPath['/api/checkout']).toMatchObject({
      CachePolicyId: CACHING_DISABLED,
      OriginRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER,
    });
    expect(byPath['/api/checkout']!.AllowedMethods).toContain('POST');
    expect(byPath['/api/products']!.CachePolicyId).toEqual(ref(stack.distribution.semiStaticCachePolicy));
    expect(byPath['/assets/*']!.CachePolicyId).toEqual(ref(stack.distribution.staticCachePolicy));
  });

  it('caches static assets for long and the product list briefly, honouring the origin', () => {
    template.hasResourceProperties('AWS::CloudFront::CachePolicy', {
      CachePolicyConfig: Match.objectLike({ MinTTL: 0, DefaultTTL: 86400, MaxTTL: 31536000 }),
    });
    template.hasResourceProperties('AWS::CloudFront::CachePolicy', {
      CachePolicyConfig: Match.objectLike({ MinTTL: 0, DefaultTTL: 10, MaxTTL: 60 }),
    });
  });
});

describe('dashboard and outputs', () => {
  it('has one dashboard with a row per layer, edge metrics read from us-east-1', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const [[, dashboard]] = ofType('AWS::CloudWatch::Dashboard');
    expect(dashboard!.Properties!.DashboardName).toBe('saleday-winter-flash');
    const body = JSON.stringify(dashboard!.Properties!.DashboardBody);
    for (const header of ['Edge', 'Gateway', 'Fleet', 'Gate', 'Cache', 'Control plane', 'Alarms'])
      expect(body).toContain(`## ${header}`);
    for (const fragment of [
      'AWS/CloudFront',
      'us-east-1',
      'AWS/WAFV2',
      'Saleday/Gate',
      'Saleday/Controller',
      'DegradationLevel',
      'BreakerOpen',
      'SpeculativeDiscarded',
      'ECS/ContainerInsights',
      'AWS/ElastiCache',
    ]) {
      expect(body).toContain(fragment);
    }
    // The controller's series carry the Sale dimension it publishes (two sales in one account keep apart).
    expect(body).toContain(
      '\\"Saleday/Controller\\",\\"DegradationLevel\\",\\"Sale\\",\\"winter-flash\\",\\"service\\",\\"saleday-flag-controller\\"',
    );
  });

  it('exports every output the CLI reads', () => {
    const outputs = Object.keys(template.toJSON().Outputs as object);
    expect(outputs.sort()).toEqual(Object.values(SALE_STACK_OUTPUTS).sort());
    expect(Stack.of(stack.fleet).region).toBe('eu-west-1');
  });
});
