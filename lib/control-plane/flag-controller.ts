/**
 * The flag controller wiring: the Lambda (code in lambda/flag-controller/) inside the VPC, a role
 * with exactly what it uses, and the two EventBridge rules that wake it: a state change of any
 * alarm of this sale, and a one-minute tick (which steps the degradation level down after a calm
 * period and expires manual overrides).
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { ControllerSettings } from '../../lambda/flag-controller/controller-settings';
import { CONTROLLER_METRICS_NAMESPACE } from '../../contracts/metrics/controller-metrics';
import { alarmNamePrefix } from '../../contracts/config/names';

export interface FlagControllerProps {
  /**
   * What the controller reads of the sale (controllerSettingsFromConfig): the sale's name, which
   * alarm drives which effect, the degradation levels and the controller's timings. Serialized into
   * the function's environment; the name also scopes the role and the alarm rule.
   */
  readonly settings: ControllerSettings;
  readonly vpc: ec2.IVpc;
  /** Where the function runs (private subnets with egress: it calls the cache and AWS APIs). */
  readonly subnets: ec2.SubnetSelection;
  /** `rediss://host:port` of the cache holding the flags document. */
  readonly redisUrl: string;
  /** The cache's AUTH token; the function reads it at cold start. */
  readonly redisAuthToken: secretsmanager.ISecret;
  /** Where the controller announces its flag changes. */
  readonly topic: sns.ITopic;
  /** The topic's KMS key: publishing to an encrypted topic needs GenerateDataKey and Decrypt on it. */
  readonly topicKey: kms.IKey;
  /**
   * The handler's entry file.
   * @default lambda/flag-controller/index.ts of this repository
   */
  readonly entry?: string;
}

export const FLAG_CONTROLLER_ENTRY = path.resolve(__dirname, '..', '..', 'lambda', 'flag-controller', 'index.ts');

export class FlagController extends Construct {
  /** The controller Lambda (Node.js 24, arm64, in the VPC). */
  public readonly function: nodejs.NodejsFunction;
  /** Its role: its own logs, VPC interfaces, this sale's alarms, its metric namespace, the token, the topic. */
  public readonly role: iam.Role;
  /** The function's security group (the cache allows it in). */
  public readonly securityGroup: ec2.SecurityGroup;
  /** The function's logs. */
  public readonly logGroup: logs.LogGroup;
  /** Wakes the controller when any alarm of this sale changes state. */
  public readonly alarmStateRule: events.Rule;
  /** Wakes the controller every minute (calm-period step-downs, override expiry). */
  public readonly tickRule: events.Rule;

  constructor(scope: Construct, id: string, props: FlagControllerProps) {
    super(scope, id);
    const { settings } = props;
    const entry = props.entry ?? FLAG_CONTROLLER_ENTRY;
    if (!existsSync(entry)) {
      throw new Error(
        `FlagController entry: got ${entry}, which does not exist; expected the handler's TypeScript entry file`,
      );
    }

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `saleday ${settings.saleName}: flag controller (calls the cache and AWS APIs)`,
      allowAllOutbound: true,
    });
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = this.createRole(props);

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry,
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      timeout: Duration.seconds(30),
      role: this.role,
      logGroup: this.logGroup,
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [this.securityGroup],
      // No reserved concurrency (a new account cannot spare any); overlapping invocations are safe
      // because the flags document is written with compare-and-set.
      environment: {
        SALEDAY_CONTROLLER_CONFIG: JSON.stringify(settings),
        REDIS_URL: props.redisUrl,
        REDIS_AUTH_SECRET_ARN: props.redisAuthToken.secretArn,
        ALARM_TOPIC_ARN: props.topic.topicArn,
      },
      bundling: { forceDockerBundling: false, minify: true, sourceMap: true, target: 'node24' },
    });

    this.alarmStateRule = new events.Rule(this, 'AlarmStateChange', {
      description: `saleday ${settings.saleName}: any alarm of this sale changed state`,
      eventPattern: {
        source: ['aws.cloudwatch'],
        detailType: ['CloudWatch Alarm State Change'],
        detail: { alarmName: events.Match.prefix(alarmNamePrefix(settings)) },
      },
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 2, maxEventAge: Duration.minutes(2) })],
    });
    this.tickRule = new events.Rule(this, 'Tick', {
      description: `saleday ${settings.saleName}: one-minute controller tick`,
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 0 })],
    });
  }

  /** Exactly what the function uses, each statement named for why. */
  private createRole(props: FlagControllerProps): iam.Role {
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `saleday ${props.settings.saleName}: flag controller`,
    });
    for (const statement of this.roleStatements(props)) role.addToPolicy(statement);
    this.acknowledgeWildcards(role, props);
    return role;
  }

  /** The role's statements, in the order the policy lists them. */
  private roleStatements(props: FlagControllerProps): iam.PolicyStatement[] {
    const stack = Stack.of(this);
    const alarmPrefix = alarmNamePrefix(props.settings);
    return [
      new iam.PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
      new iam.PolicyStatement({
        // ENIs for a Lambda in a VPC: these actions do not support resource-level permissions.
        sid: 'ManageVpcNetworkInterfaces',
        actions: [
          'ec2:CreateNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
        ],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'ReadSaleAlarms',
        actions: ['cloudwatch:DescribeAlarms'],
        resources: [
          stack.formatArn({
            service: 'cloudwatch',
            resource: 'alarm',
            resourceName: `${alarmPrefix}*`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
      new iam.PolicyStatement({
        sid: 'PutControllerMetrics',
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'], // PutMetricData has no resource ARN; the namespace condition scopes it
        conditions: { StringEquals: { 'cloudwatch:namespace': CONTROLLER_METRICS_NAMESPACE } },
      }),
      new iam.PolicyStatement({
        sid: 'ReadCacheAuthToken',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [props.redisAuthToken.secretArn],
      }),
      new iam.PolicyStatement({
        sid: 'AnnounceFlagChanges',
        actions: ['sns:Publish'],
        resources: [props.topic.topicArn],
      }),
      new iam.PolicyStatement({
        sid: 'EncryptAnnouncements',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [props.topicKey.keyArn],
      }),
    ];
  }

  /** The wildcards cdk-nag flags, each with why it is needed. */
  private acknowledgeWildcards(role: iam.Role, props: FlagControllerProps): void {
    const stack = Stack.of(this);
    const alarmPrefix = alarmNamePrefix(props.settings);
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Two statements need Resource *: the EC2 network-interface actions a VPC Lambda needs (no resource-level permissions exist) and cloudwatch:PutMetricData (no resource ARN; restricted by the cloudwatch:namespace condition).',
    });
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudwatch:${stack.region}:${stack.account}:alarm:${alarmPrefix}*]`,
      reason: "DescribeAlarms is limited to this sale's alarms by their shared name prefix.",
    });
  }
}
