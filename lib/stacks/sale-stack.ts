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

    this.network = new SaleNetwork(this, 'Network');
    const { vpc } = this.network;

    this.cache = new SaleCache(this, 'Cache', { config, vpc, subnets: this.network.dataSubnets, now: props.now });
    this.gateway = new SaleGateway(this, 'Gateway', {
      config,
      vpc,
      subnets: this.network.applicationSubnets,
      vpcCidr: this.network.cidr,
    });
    this.fleet = new SaleFleet(this, 'Fleet', {
      config,
      vpc,
      subnets: this.network.applicationSubnets,
      listener: this.gateway.listener,
      redisUrl: this.cache.url,
      redisAuthToken: this.cache.authToken,
      repositoryRoot: props.repositoryRoot,
      waitingRoomSecret: this.waitingRoom?.signingSecret,
    });
    this.scaling = new SaleScaling(this, 'Scaling', {
      config,
      service: this.fleet.service,
      targetGroup: this.fleet.targetGroup,
      now: props.now,
    });

    this.alarmTopic = new AlarmTopic(this, 'AlarmTopic', { config });
    this.flagController = new FlagController(this, 'FlagController', {
      settings: controllerSettingsFromConfig(config),
      vpc,
      subnets: this.network.applicationSubnets,
      redisUrl: this.cache.url,
      redisAuthToken: this.cache.authToken,
      topic: this.alarmTopic.topic,
      topicKey: this.alarmTopic.key,
    });
    this.cache.allowFrom(this.fleet.securityGroup, 'fleet tasks (gate and app)');
    this.cache.allowFrom(this.flagController.securityGroup, 'flag controller');
    if (this.waitingRoom) {
      this.waitingRoomController = new WaitingRoomController(this, 'WaitingRoomController', {
        settings: roomControllerSettingsFromConfig(config),
        vpc,
        subnets: this.network.applicationSubnets,
        redisUrl: this.cache.url,
        redisAuthToken: this.cache.authToken,
        signingSecret: this.waitingRoom.signingSecret,
        keyValueStore: this.waitingRoom.keyValueStore,
      });
      this.cache.allowFrom(this.waitingRoomController.securityGroup, 'waiting room controller');
    }

    this.distribution = new SaleDistribution(this, 'Edge', {
      config,
      loadBalancer: this.gateway.loadBalancer,
      webAclArn: props.edgeWebAclArn,
      waitingRoomFunction: this.waitingRoom?.function,
    });

    this.metrics = new SaleMetrics({
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
    this.alarms = new SaleAlarms(this, 'Alarms', { config, metrics: this.metrics, topic: this.alarmTopic.topic });
    this.heartbeats = new HeartbeatAlarms(this, 'Heartbeats', {
      config,
      metrics: this.metrics,
      topic: this.alarmTopic.topic,
    });
    this.dashboard = new SaleDashboard(this, 'Dashboard', {
      config,
      metrics: this.metrics,
      alarms: [...this.alarms.alarms.values(), ...this.heartbeats.alarms],
    });

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
