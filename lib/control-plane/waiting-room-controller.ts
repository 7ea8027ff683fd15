/**
 * The waiting-room controller wiring: the Lambda (code in lambda/waiting-room-controller/) inside
 * the VPC beside the cache, a role with exactly what it uses, and a one-minute EventBridge tick.
 * While the room is open each invocation ticks four times (every 15 s), so the admission rate
 * follows the gates within seconds although EventBridge wakes the function once a minute.
 */
import * as path from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { WAITING_ROOM_NAMESPACE } from '../../contracts/metrics/waiting-room-metrics';
import type { RoomControllerSettings } from '../../lambda/waiting-room-controller/room-controller-settings';

export const WAITING_ROOM_CONTROLLER_ENTRY = path.resolve(
  __dirname,
  '..',
  '..',
  'lambda',
  'waiting-room-controller',
  'index.ts',
);

export interface WaitingRoomControllerProps {
  /** What the controller decides with (roomControllerSettingsFromConfig(config)). */
  readonly settings: RoomControllerSettings;
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  /** `rediss://host:port` of the cache. */
  readonly redisUrl: string;
  readonly redisAuthToken: secretsmanager.ISecret;
  /** The signing keys it copies into the store. */
  readonly signingSecret: secretsmanager.ISecret;
  /** The store the edge function reads. */
  readonly keyValueStore: cloudfront.IKeyValueStore;
  /**
   * The handler's entry file.
   * @default lambda/waiting-room-controller/index.ts of this repository
   */
  readonly entry?: string;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

export class WaitingRoomController extends Construct {
  public readonly function: nodejs.NodejsFunction;
  public readonly role: iam.Role;
  public readonly securityGroup: ec2.SecurityGroup;
  public readonly logGroup: logs.LogGroup;
  /** The one-minute tick. */
  public readonly tickRule: events.Rule;

  constructor(scope: Construct, id: string, props: WaitingRoomControllerProps) {
    super(scope, id);
    const { settings } = props;
    const saleName = settings.saleName;

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `saleday ${saleName}: waiting room controller (calls the cache and AWS APIs)`,
      allowAllOutbound: true,
    });
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `saleday ${saleName}: waiting room controller`,
    });
    this.addPermissions(props);

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: props.entry ?? WAITING_ROOM_CONTROLLER_ENTRY,
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 256,
      // Four ticks 15 s apart, then the last cycle's reads and writes.
      timeout: Duration.seconds(75),
      role: this.role,
      logGroup: this.logGroup,
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [this.securityGroup],
      environment: {
        SALEDAY_WAITING_ROOM_CONTROLLER_CONFIG: JSON.stringify(settings),
        REDIS_URL: props.redisUrl,
        REDIS_AUTH_SECRET_ARN: props.redisAuthToken.secretArn,
        SIGNING_SECRET_ARN: props.signingSecret.secretArn,
        KEY_VALUE_STORE_ARN: props.keyValueStore.keyValueStoreArn,
      },
      // The SDK is bundled: the KeyValueStore client and the SigV4A signer are not in the runtime's copy.
      bundling: { forceDockerBundling: false, minify: true, sourceMap: true, target: 'node24', bundleAwsSDK: true },
    });

    // Overlapping invocations are safe: the room record is written with compare-and-set, the store with its ETag.
    this.tickRule = new events.Rule(this, 'Tick', {
      description: `saleday ${saleName}: one-minute waiting room controller tick`,
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 0 })],
    });
  }

  private addPermissions(props: WaitingRoomControllerProps): void {
    const statement = (sid: string, actions: string[], resources: string[], conditions?: Record<string, unknown>) =>
      this.role.addToPolicy(new iam.PolicyStatement({ sid, actions, resources, conditions }));
    statement('WriteOwnLogs', ['logs:CreateLogStream', 'logs:PutLogEvents'], [this.logGroup.logGroupArn]);
    // ENIs for a Lambda in a VPC: these actions do not support resource-level permissions.
    statement(
      'ManageVpcNetworkInterfaces',
      [
        'ec2:CreateNetworkInterface',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DeleteNetworkInterface',
        'ec2:AssignPrivateIpAddresses',
        'ec2:UnassignPrivateIpAddresses',
      ],
      ['*'],
    );
    statement('ReadGateMetrics', ['cloudwatch:GetMetricData'], ['*']);
    statement('PutRoomMetrics', ['cloudwatch:PutMetricData'], ['*'], {
      StringEquals: { 'cloudwatch:namespace': WAITING_ROOM_NAMESPACE },
    });
    statement('ReadCacheAuthToken', ['secretsmanager:GetSecretValue'], [props.redisAuthToken.secretArn]);
    statement('ReadSigningKeys', ['secretsmanager:GetSecretValue'], [props.signingSecret.secretArn]);
    statement(
      'PublishRoomToEdge',
      [
        'cloudfront-keyvaluestore:DescribeKeyValueStore',
        'cloudfront-keyvaluestore:ListKeys',
        'cloudfront-keyvaluestore:GetKey',
        'cloudfront-keyvaluestore:PutKey',
        'cloudfront-keyvaluestore:UpdateKeys',
      ],
      [props.keyValueStore.keyValueStoreArn],
    );
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Three statements need Resource *: the EC2 network-interface actions a VPC Lambda needs and cloudwatch:GetMetricData (neither has resource-level permissions), and cloudwatch:PutMetricData (no resource ARN; restricted by the cloudwatch:namespace condition).',
    });
  }
}
