/**
 * The regional part of a sale: network, cache, gateway, fleet and its scaling, the control plane,
 * alarms and dashboard, and the CloudFront distribution in front of it all.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { SaleCache } from '../cache/sale-cache';
import { SALE_STACK_OUTPUTS } from '../../contracts/config/names';
import type { SaledayConfig } from '../../contracts/config/schema';
import { FlagController } from '../control-plane/flag-controller';
import { controllerSettingsFromConfig } from '../../lambda/flag-controller/controller-settings';
import { SaleDistribution } from '../edge/sale-distribution';
import { SaleFleet } from '../fleet/sale-fleet';
import { SaleGateway } from '../fleet/sale-gateway';
import { SaleScaling } from '../fleet/sale-scaling';
import { SaleNetwork } from '../network/sale-network';
import { AlarmTopic } from '../observability/alarm-topic';
import { HeartbeatAlarms } from '../observability/heartbeat-alarms';
import { SaleAlarms } from '../observability/sale-alarms';
import { SaleDashboard } from '../observability/sale-dashboard';
import { SaleMetrics } from '../observability/sale-metrics';
import { WaitingRoomController } from '../control-plane/waiting-room-controller';
import { waitingRoomEdgeIfEnabled, type WaitingRoomEdge } from '../edge/waiting-room';
import { WAITING_ROOM_STACK_OUTPUTS } from '../../contracts/config/waiting-room-outputs';
import { roomControllerSettingsFromConfig } from '../../lambda/waiting-room-controller/room-controller-settings';

export interface SaleStackProps extends StackProps {
  readonly config: SaledayConfig;
  /** ARN of the CLOUDFRONT-scope WebACL (from the edge stack, in us-east-1). */
  readonly edgeWebAclArn: string;
  readonly edgeWebAclName: string;
  /** Rule names of the edge WebACL, for the dashboard's blocked-by-rule graph. */
  readonly edgeRuleNames: readonly string[];
  /**
   * Docker build context of the gate and storefront images.
   * @default the repository root
   */
  readonly repositoryRoot?: string;
  /** Synthesis time, for the scaling floor in force (see SaleScaling). @default now */
  readonly now?: Date;
}

export class SaleStack extends Stack {
  public readonly network: SaleNetwork;
  public readonly cache: SaleCache;
  public readonly gateway: SaleGateway;
  public readonly fleet: SaleFleet;
  public readonly scaling: SaleScaling;
  public readonly alarmTopic: AlarmTopic;
  public readonly flagController: FlagController;
  public readonly distribution: SaleDistribution;
  public readonly metrics: SaleMetrics;
  public readonly alarms: SaleAlarms;
  public readonly heartbeats: HeartbeatAlarms;
  public readonly dashboard: SaleDashboard;
  /** The waiting room's function, store and signing keys (waitingRoom.enabled), beside the distribution that runs the function. */
  public readonly waitingRoom?: WaitingRoomEdge;
  public readonly waitingRoomController?: WaitingRoomController;

  constructor(scope: Construct, id: string, props: SaleStackProps) {
    super(scope, id, props);
    const { config } = props;
    // Before the fleet: the gate gets the room's signing keys as a container secret.
    this.waitingRoom = waitingRoomEdgeIfEnabled(this, 'WaitingRoom', {
      saleName: config.saleName,
      room: config.waitingRoom,
    });
    ({ network: this.network, cache: this.cache } = this.createNetworkAndCache(props));
    ({ gateway: this.gateway, fleet: this.fleet, scaling: this.scaling } = this.createFleet(props));
    ({ alarmTopic: this.alarmTopic, flagController: this.flagController } = this.createControlPlane(config));
    this.waitingRoomController = this.createWaitingRoomController(config);

    this.distribution = new SaleDistribution(this, 'Edge', {
      config,
      loadBalancer: this.gateway.loadBalancer,
      webAclArn: props.edgeWebAclArn,
      waitingRoomFunction: this.waitingRoom?.function,
    });
    ({
      metrics: this.metrics,
      alarms: this.alarms,
      heartbeats: this.heartbeats,
      dashboard: this.dashboard,
    } = this.createObservability(props));
    this.createOutputs();
  }

  private createNetworkAndCache(props: SaleStackProps): Pick<SaleStack, 'network' | 'cache'> {
    const network = new SaleNetwork(this, 'Network');
    const cache = new SaleCache(this, 'Cache', {
      config: props.config,
      vpc: network.vpc,
      subnets: network.dataSubnets,
      now: props.now,
    });
    return { network, cache };
  }

  /** The load balancer in front, the gate and app tasks behind it, and their scaling. */
  private createFleet(props: SaleStackProps): Pick<SaleStack, 'gateway' | 'fleet' | 'scaling'> {
    const { config } = props;
    const { vpc } = this.network;
    const gateway = new SaleGateway(this, 'Gateway', {
      config,
      vpc,
      subnets: this.network.applicationSubnets,
      vpcCidr: this.network.cidr,
    });
    const fleet = new SaleFleet(this, 'Fleet', {
      config,
      vpc,
      subnets: this.network.applicationSubnets,
      listener: gateway.listener,
      redisUrl: this.cache.url,
      redisAuthToken: this.cache.authToken,
      repositoryRoot: props.repositoryRoot,
      waitingRoomSecret: this.waitingRoom?.signingSecret,
    });
    const scaling = new SaleScaling(this, 'Scaling', {
      config,
      service: fleet.service,
      targetGroup: fleet.targetGroup,
      now: props.now,
    });
    return { gateway, fleet, scaling };
  }

  /** The alarm topic and the flag controller the alarms drive; the fleet and the controller reach the cache. */
  private createControlPlane(config: SaledayConfig): Pick<SaleStack, 'alarmTopic' | 'flagController'> {
    const alarmTopic = new AlarmTopic(this, 'AlarmTopic', { config });
    const flagController = new FlagController(this, 'FlagController', {
      settings: controllerSettingsFromConfig(config),
      vpc: this.network.vpc,
      subnets: this.network.applicationSubnets,
      redisUrl: this.cache.url,
      redisAuthToken: this.cache.authToken,
      topic: alarmTopic.topic,
      topicKey: alarmTopic.key,
    });
    this.cache.allowFrom(this.fleet.securityGroup, 'fleet tasks (gate and app)');
    this.cache.allowFrom(flagController.securityGroup, 'flag controller');
    return { alarmTopic, flagController };
  }

  /** The controller that admits the waiting room's visitors (waitingRoom.enabled only). */
  private createWaitingRoomController(config: SaledayConfig): WaitingRoomController | undefined {
    if (!this.waitingRoom) return undefined;
    const controller = new WaitingRoomController(this, 'WaitingRoomController', {
      settings: roomControllerSettingsFromConfig(config),
      vpc: this.network.vpc,
      subnets: this.network.applicationSubnets,
      redisUrl: this.cache.url,
      redisAuthToken: this.cache.authToken,
      signingSecret: this.waitingRoom.signingSecret,
      keyValueStore: this.waitingRoom.keyValueStore,
    });
    this.cache.allowFrom(controller.securityGroup, 'waiting room controller');
    return controller;
  }

  private createObservability(
    props: SaleStackProps,
  ): Pick<SaleStack, 'metrics' | 'alarms' | 'heartbeats' | 'dashboard'> {
    const { config } = props;
    const metrics = new SaleMetrics({
      config,
      loadBalancer: this.gateway.loadBalancer,
      targetGroup: this.fleet.targetGroup,
      cluster: this.fleet.cluster,
      service: this.fleet.service,
      cacheNodeIds: [...this.cache.nodeIds],
      distributionId: this.distribution.distribution.distributionId,
      edgeWebAclName: props.edgeWebAclName,
      edgeRuleNames: props.edgeRuleNames,
      controllerFunction: this.flagController.function,
    });
    const alarms = new SaleAlarms(this, 'Alarms', { config, metrics, topic: this.alarmTopic.topic });
    const heartbeats = new HeartbeatAlarms(this, 'Heartbeats', {
      config,
      metrics,
      topic: this.alarmTopic.topic,
    });
    const dashboard = new SaleDashboard(this, 'Dashboard', {
      config,
      metrics,
      alarms: [...alarms.alarms.values(), ...heartbeats.alarms],
    });
    return { metrics, alarms, heartbeats, dashboard };
  }

  /** The names the CLI and the rehearsal read back from the deployed stack. */
  private createOutputs(): void {
    const outputs: Record<keyof typeof SALE_STACK_OUTPUTS, string> = {
      flagControllerFunctionName: this.flagController.function.functionName,
      clusterName: this.fleet.cluster.clusterName,
      serviceName: this.fleet.service.serviceName,
      replicationGroupId: this.cache.replicationGroup.ref,
      regionalWebAclArn: this.gateway.webAcl.attrArn,
      loadBalancerArn: this.gateway.loadBalancer.loadBalancerArn,
      distributionDomainName: this.distribution.distribution.distributionDomainName,
      distributionId: this.distribution.distribution.distributionId,
      alarmTopicArn: this.alarmTopic.topic.topicArn,
    };
    for (const [key, value] of Object.entries(outputs) as [keyof typeof SALE_STACK_OUTPUTS, string][]) {
      new CfnOutput(this, SALE_STACK_OUTPUTS[key], { value });
    }
    if (this.waitingRoom && this.waitingRoomController) {
      new CfnOutput(this, WAITING_ROOM_STACK_OUTPUTS.controllerFunctionName, {
        value: this.waitingRoomController.function.functionName,
      });
      new CfnOutput(this, WAITING_ROOM_STACK_OUTPUTS.keyValueStoreArn, {
        value: this.waitingRoom.keyValueStore.keyValueStoreArn,
      });
    }
  }
}
