/**
 * The fleet: an ECS Fargate service whose task runs the `gate` (the guard, the only port the load
 * balancer sees) in front of the `app` (the shop, on localhost). The service never sets a desired
 * count: Application Auto Scaling owns it, so a deploy in the middle of a sale keeps the running
 * task count instead of resetting it. A failed deploy rolls back by itself (circuit breaker).
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { APP_HEALTH_PATH } from '../../contracts/app-health-path';
import { HEALTH_PATH, READY_PATH } from '../../contracts/reserved-paths';
import type { SaledayConfig } from '../../contracts/config/schema';
import { nodeHttpHealthCheck } from './container-health';
import { containerLogging } from './container-logging';
import { GATE_CONFIG_ENV, gateConfigSlice, type GateConfigSource } from '../../contracts/config/gate-config-slice';
import { WAITING_ROOM_SECRETS_ENV } from '../../contracts/waiting-room-secrets';

/**
 * What the fleet reads of the sale config: the name, the fleet section (task size, ports, the
 * shop's image), identity (the proof secret and its variable) and the gate's slice (GateConfigSource).
 */
export type SaleFleetConfig = Pick<SaledayConfig, 'saleName' | 'fleet' | 'identity'> & GateConfigSource;

export interface SaleFleetProps {
  readonly config: SaleFleetConfig;
  readonly vpc: ec2.IVpc;
  /** Where the tasks run (private subnets with egress). */
  readonly subnets: ec2.SubnetSelection;
  /** The load balancer listener the gate's target group is added to. */
  readonly listener: elbv2.ApplicationListener;
  /** `rediss://host:port` of the cache. */
  readonly redisUrl: string;
  /** The cache's AUTH token, given to both containers as REDIS_AUTH_TOKEN. */
  readonly redisAuthToken: secretsmanager.ISecret;
  /**
   * Root of the repository: the Docker build context of both images.
   * @default the repository this file lives in
   */
  readonly repositoryRoot?: string;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /**
   * The waiting room's signing keys, given to the gate only (SALEDAY_WAITING_ROOM_SECRETS).
   * @default no waiting room
   */
  readonly waitingRoomSecret?: secretsmanager.ISecret;
}

/**
 * What the image builds leave out of their context (the repository root): the images need only
 * package*.json, tsconfig.json, contracts/, lib/, gate/ and storefront/, and a smaller context means a CLI or
 * test change does not rebuild and redeploy the fleet.
 */
export const IMAGE_BUILD_EXCLUDES = [
  'node_modules',
  'cdk.out',
  'dist',
  'coverage',
  '.git',
  '.ci',
  'rehearsal-report',
  '.bench-out',
  '*.log',
  'loadtest-result.json',
  'cli',
  'test',
  'bench',
  'docs',
  'lambda',
  'bin',
];

/** The images' Dockerfiles, relative to the repository root. */
export const GATE_DOCKERFILE = 'gate/Dockerfile';
export const STOREFRONT_DOCKERFILE = 'storefront/Dockerfile';

export const GATE_CONTAINER = 'gate';
export const APP_CONTAINER = 'app';
/** The load balancer checks the gate's readiness: it fails when the app behind the gate stops answering. */
export const HEALTH_CHECK_PATH = READY_PATH;

/**
 * Graviton (arm64): cheaper per vCPU-hour than x86 on Fargate, and the gate and storefront are
 * plain Node.js. The images are built for this platform whatever machine deploys, so a laptop or
 * CI runner of the other architecture cannot ship an image the tasks cannot execute. A shop's own
 * `fleet.appImage` must offer linux/arm64.
 */
export const FLEET_CPU_ARCHITECTURE = ecs.CpuArchitecture.ARM64;
export const FLEET_IMAGE_PLATFORM = Platform.LINUX_ARM64;

/** New tasks get a share of requests that grows over this long, so a cold task is not flooded. */
export const TARGET_SLOW_START = Duration.seconds(60);

export class SaleFleet extends Construct {
  /** The ECS cluster (Container Insights on). */
  public readonly cluster: ecs.Cluster;
  /** The task: the `app` container behind the `gate` container, on arm64. */
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  /** The Fargate service; Application Auto Scaling owns its desired count. */
  public readonly service: ecs.FargateService;
  /** The tasks' security group (the cache allows it in). */
  public readonly securityGroup: ec2.SecurityGroup;
  /** The gate's target group on the listener, health-checked on the gate's readiness path. */
  public readonly targetGroup: elbv2.ApplicationTargetGroup;
  /** Both containers' logs; the gate's carry its EMF metrics. */
  public readonly logGroup: logs.LogGroup;
  /**
   * The secret that proves user keys (identity.proof jwt or hmac), given to both containers as the
   * variable named by identity.secretEnv: the shop signs keys, the gate verifies them.
   * Undefined when identity.proof is none.
   */
  public readonly identitySecret?: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: SaleFleetProps) {
    super(scope, id);
    const { config, vpc } = props;
    const { fleet } = config;
    const repositoryRoot = props.repositoryRoot ?? path.resolve(__dirname, '..', '..');
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    if (!existsSync(path.join(repositoryRoot, GATE_DOCKERFILE))) {
      throw new Error(
        `SaleFleet repositoryRoot: got ${repositoryRoot}, which holds no ${GATE_DOCKERFILE}; expected the repository root (the images' build context)`,
      );
    }

    this.cluster = new ecs.Cluster(this, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: logRetention, removalPolicy: RemovalPolicy.DESTROY });
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: fleet.cpu,
      memoryLimitMiB: fleet.memoryMiB,
      runtimePlatform: {
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
        cpuArchitecture: FLEET_CPU_ARCHITECTURE,
      },
    });
    this.identitySecret = this.createIdentitySecret(config);
    this.addContainers(config, props, repositoryRoot);

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: `saleday ${config.saleName}: fleet tasks, reached only by the load balancer on the gate port`,
      // Tasks call the shop's own dependencies (payments, inventory) wherever they are.
      allowAllOutbound: true,
    });
    this.service = new ecs.FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      vpcSubnets: props.subnets,
      securityGroups: [this.securityGroup],
      assignPublicIp: false,
      // desiredCount deliberately unset: auto scaling owns it (see the class comment).
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { enable: true, rollback: true },
      healthCheckGracePeriod: Duration.seconds(30),
      enableExecuteCommand: false,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
    });
    this.targetGroup = this.addGateTarget(props.listener, fleet.gatePort);
  }

  private createIdentitySecret(config: SaleFleetConfig): secretsmanager.Secret | undefined {
    if (config.identity.proof === 'none') return undefined;
    const secret = new secretsmanager.Secret(this, 'IdentitySecret', {
      description: `saleday ${config.saleName}: key for ${config.identity.proof} user-key proofs`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating the user-key signing secret would log every shopper out mid-sale; it is replaced between sales by redeploying.',
    });
    return secret;
  }

  /** The app and the gate in front of it; the gate starts once the app answers. */
  private addContainers(config: SaleFleetConfig, props: SaleFleetProps, repositoryRoot: string): void {
    const { fleet } = config;
    const sharedEnvironment = { REDIS_URL: props.redisUrl };
    const secrets: Record<string, ecs.Secret> = {
      REDIS_AUTH_TOKEN: ecs.Secret.fromSecretsManager(props.redisAuthToken),
      ...(this.identitySecret
        ? { [config.identity.secretEnv]: ecs.Secret.fromSecretsManager(this.identitySecret) }
        : {}),
    };

    const app = this.taskDefinition.addContainer(APP_CONTAINER, {
      image: fleet.appImage
        ? ecs.ContainerImage.fromRegistry(fleet.appImage)
        : ecs.ContainerImage.fromAsset(repositoryRoot, {
            file: STOREFRONT_DOCKERFILE,
            exclude: IMAGE_BUILD_EXCLUDES,
            platform: FLEET_IMAGE_PLATFORM,
          }),
      essential: true,
      // Tells the storefront which variable holds the secret that signs its POST /api/session cookies.
      environment: {
        ...sharedEnvironment,
        PORT: String(fleet.appPort),
        ...(this.identitySecret ? { SALEDAY_SESSION_SECRET_ENV: config.identity.secretEnv } : {}),
      },
      secrets,
      portMappings: [{ containerPort: fleet.appPort, name: APP_CONTAINER }],
      logging: containerLogging(this.logGroup, APP_CONTAINER),
      // Only the storefront image is known to have node where the check runs it; a shop image of
      // your own gets no container check (the gate's readiness still takes a hung app out).
      healthCheck: fleet.appImage ? undefined : nodeHttpHealthCheck(fleet.appPort, APP_HEALTH_PATH),
    });

    const gate = this.taskDefinition.addContainer(GATE_CONTAINER, {
      image: ecs.ContainerImage.fromAsset(repositoryRoot, {
        file: GATE_DOCKERFILE,
        exclude: IMAGE_BUILD_EXCLUDES,
        platform: FLEET_IMAGE_PLATFORM,
      }),
      essential: true,
      environment: {
        ...sharedEnvironment,
        PORT: String(fleet.gatePort),
        UPSTREAM_URL: `http://127.0.0.1:${fleet.appPort}`,
        // Only the gate's slice of the validated config: an edit it does not read keeps this task definition.
        [GATE_CONFIG_ENV]: JSON.stringify(gateConfigSlice(config)),
      },
      secrets: {
        ...secrets,
        ...(props.waitingRoomSecret
          ? { [WAITING_ROOM_SECRETS_ENV]: ecs.Secret.fromSecretsManager(props.waitingRoomSecret) }
          : {}),
      },
      portMappings: [{ containerPort: fleet.gatePort, name: GATE_CONTAINER }],
      // The gate's stdout carries its EMF metrics; CloudWatch Logs extracts them from this group.
      logging: containerLogging(this.logGroup, GATE_CONTAINER),
      // Liveness only: a gate whose app hangs is taken out by the load balancer, not restarted.
      healthCheck: nodeHttpHealthCheck(fleet.gatePort, HEALTH_PATH),
    });
    // The gate starts once the app answers, so its first readiness checks do not fail.
    gate.addContainerDependencies({
      container: app,
      condition: fleet.appImage ? ecs.ContainerDependencyCondition.START : ecs.ContainerDependencyCondition.HEALTHY,
    });

    Validations.of(this.taskDefinition).acknowledge({
      id: 'AwsSolutions-ECS2',
      reason:
        "The environment holds only non-secret settings (ports, the cache endpoint, the gate's slice of the sale config); the AUTH token comes from Secrets Manager through ECS secrets.",
    });
    Validations.of(this.taskDefinition.obtainExecutionRole()).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'The execution role pulls the images: ecr:GetAuthorizationToken has no resource-level permission; every other action is scoped by CDK to the image repositories, the log group and the secret.',
    });
  }

  private addGateTarget(listener: elbv2.ApplicationListener, gatePort: number): elbv2.ApplicationTargetGroup {
    return listener.addTargets('Gate', {
      port: gatePort,
      protocol: elbv2.ApplicationProtocol.HTTP,
      // CloudFront speaks HTTP/1.1 to origins; an HTTP2 target group would reject it (DESIGN.md).
      protocolVersion: elbv2.ApplicationProtocolVersion.HTTP1,
      targets: [this.service.loadBalancerTarget({ containerName: GATE_CONTAINER, containerPort: gatePort })],
      healthCheck: {
        path: HEALTH_CHECK_PATH,
        healthyHttpCodes: '200',
        interval: Duration.seconds(10),
        timeout: Duration.seconds(5),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
      },
      deregistrationDelay: Duration.seconds(30),
      slowStart: TARGET_SLOW_START,
    });
  }
}
