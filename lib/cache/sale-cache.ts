/**
 * The shared state of the sale: rate-limit counters, the shop's stock and the flags document. A
 * Valkey (or Redis OSS) replication group, Multi-AZ with automatic failover, TLS and encryption at
 * rest, an AUTH token generated into Secrets Manager, on a non-default port, reachable only from the
 * security groups that are explicitly allowed (the tasks and the flag controller). One shard when a
 * node of the configured type carries the plan; otherwise cluster mode, pre-scaled to the plan's
 * shards on the sale schedule (cache-shard-scaling.ts). Maintenance and snapshots are kept out of
 * every sale window (cache-maintenance-windows.ts).
 */
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { withClusterFlag } from '../../contracts/redis-cluster-url';
import type { SaledayConfig } from '../../contracts/config/schema';
import { cacheMaintenanceWindows } from './cache-maintenance-windows';
import { cacheShardSchedule } from './cache-shard-schedule';
import { CacheShardScaling } from './cache-shard-scaling';

/**
 * What the cache reads of the sale config: the name (ids, descriptions), the cache section, the
 * windows (maintenance and snapshots outside them, shards raised around them) and what sizes the
 * shards (plan, fleet, audience; see cacheShardSchedule).
 */
export type SaleCacheConfig = Pick<SaledayConfig, 'saleName' | 'cache' | 'windows' | 'plan' | 'fleet' | 'audience'>;

export interface SaleCacheProps {
  readonly config: SaleCacheConfig;
  readonly vpc: ec2.IVpc;
  /** Where the cache nodes live (isolated subnets: no route to or from the internet). */
  readonly subnets: ec2.SubnetSelection;
  /**
   * When the template is synthesized: a deploy inside a raised window keeps the planned shards.
   * @default now
   */
  readonly now?: Date;
}

/** Engine versions pinned so the cluster-mode parameter group family matches. */
const ENGINE_VERSION = { valkey: '8.0', redis: '7.1' } as const;
const CLUSTER_MODE_PARAMETER_GROUP = {
  valkey: 'default.valkey8.cluster.on',
  redis: 'default.redis7.cluster.on',
} as const;

/**
 * ElastiCache caps replication group ids at 40 characters; leave room for the `-00N` member
 * suffix ElastiCache adds to node ids, which the alarms and dashboard address.
 */
export function replicationGroupIdFor(config: Pick<SaledayConfig, 'saleName'>): string {
  return `saleday-${config.saleName}`.slice(0, 36).replace(/-+$/, '');
}

/**
 * Node ids: `<id>-001`, `<id>-002`… with one shard (cluster mode disabled); `<id>-0001-001`… per
 * shard in cluster mode.
 */
export function cacheNodeIds(config: Pick<SaledayConfig, 'saleName' | 'cache'>, shards?: number): string[] {
  const id = replicationGroupIdFor(config);
  const perShard = (prefix: string) =>
    Array.from({ length: config.cache.replicas + 1 }, (_, i) => `${prefix}-${String(i + 1).padStart(3, '0')}`);
  if (shards === undefined) return perShard(id);
  return Array.from({ length: shards }, (_, s) => perShard(`${id}-${String(s + 1).padStart(4, '0')}`)).flat();
}

export class SaleCache extends Construct {
  /** The Valkey (or Redis OSS) replication group. */
  public readonly replicationGroup: elasticache.CfnReplicationGroup;
  /** The cache's security group: no rule until allowFrom() opens the port to a peer. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** The AUTH token (a plain string); tasks get it through ECS secrets, the controller reads it. */
  public readonly authToken: secretsmanager.Secret;
  /** The cache port (cache.port). */
  public readonly port: number;
  /** The replication group id (replicationGroupIdFor()). */
  public readonly replicationGroupId: string;
  /** `rediss://<primary endpoint>:<port>` (TLS); in cluster mode the configuration endpoint, flagged. */
  public readonly url: string;
  /** Shards when the plan's demand is highest; above 1 the cache runs in cluster mode. */
  public readonly plannedShards: number;
  /** The nodes in the template (the alarms and dashboard watch them). */
  public readonly nodeIds: readonly string[];
  /** The scheduled shard changes around the windows; undefined when the shard count never changes. */
  public readonly shardScaling?: CacheShardScaling;

  constructor(scope: Construct, id: string, props: SaleCacheProps) {
    super(scope, id);
    const { config } = props;
    const now = props.now ?? new Date();
    if (Number.isNaN(now.getTime())) {
      throw new Error('SaleCache now: got an invalid Date; expected the synthesis time');
    }
    this.port = config.cache.port;
    this.replicationGroupId = replicationGroupIdFor(config);
    // First: a config whose windows leave no room for maintenance is refused before anything is built.
    const windows = cacheMaintenanceWindows(config.windows);
    const shards = cacheShardSchedule(config, now);
    const { clusterMode } = shards;
    const shardsInTemplate = shards.shardsAtDeploy;
    this.plannedShards = shards.plannedShards;
    this.nodeIds = cacheNodeIds(config, clusterMode ? shardsInTemplate : undefined);

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `saleday ${config.saleName}: cache, reachable only from the tasks and the flag controller`,
      allowAllOutbound: false,
    });

    this.authToken = new secretsmanager.Secret(this, 'AuthToken', {
      description: `saleday ${config.saleName}: ElastiCache AUTH token`,
      generateSecretString: {
        // ElastiCache AUTH tokens: 16-128 printable characters without @, ", / and some others;
        // letters and digits only keeps every client and URL happy.
        passwordLength: 64,
        excludePunctuation: true,
        includeSpace: false,
      },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.authToken).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating an ElastiCache AUTH token needs ModifyReplicationGroup with AuthTokenUpdateStrategy ROTATE then SET while every gate reconnects; the token lives only as long as a sale stack (days) and is replaced by redeploying, never mid-sale.',
    });

    const subnetGroup = new elasticache.CfnSubnetGroup(this, 'SubnetGroup', {
      description: `saleday ${config.saleName}: cache subnets`,
      subnetIds: props.vpc.selectSubnets(props.subnets).subnetIds,
    });

    this.replicationGroup = new elasticache.CfnReplicationGroup(this, 'ReplicationGroup', {
      replicationGroupId: this.replicationGroupId,
      replicationGroupDescription: `saleday ${config.saleName}: rate limits and flags`,
      engine: config.cache.engine,
      cacheNodeType: config.cache.nodeType,
      numNodeGroups: shardsInTemplate,
      replicasPerNodeGroup: config.cache.replicas,
      ...(clusterMode
        ? {
            engineVersion: ENGINE_VERSION[config.cache.engine],
            cacheParameterGroupName: CLUSTER_MODE_PARAMETER_GROUP[config.cache.engine],
          }
        : {}),
      preferredMaintenanceWindow: windows.preferredMaintenanceWindow,
      snapshotWindow: windows.snapshotWindow,
      multiAzEnabled: true,
      automaticFailoverEnabled: true,
      transitEncryptionEnabled: true,
      transitEncryptionMode: 'required',
      atRestEncryptionEnabled: true,
      authToken: this.authToken.secretValue.unsafeUnwrap(), // a {{resolve:secretsmanager}} reference, never the value
      port: this.port,
      cacheSubnetGroupName: subnetGroup.ref,
      securityGroupIds: [this.securityGroup.securityGroupId],
      snapshotRetentionLimit: 1,
    });
    this.replicationGroup.addResourceDependency(subnetGroup);
    this.url = clusterMode
      ? withClusterFlag(`rediss://${this.replicationGroup.attrConfigurationEndPointAddress}:${this.port}`)
      : `rediss://${this.replicationGroup.attrPrimaryEndPointAddress}:${this.port}`;
    if (shards.scaled) {
      this.shardScaling = new CacheShardScaling(this, 'ShardScaling', {
        replicationGroupId: this.replicationGroup.ref,
        plannedShards: shards.plannedShards,
        baselineShards: shards.baselineShards,
        steps: shards.steps,
      });
    }
  }

  /** Opens the cache port to one more security group (nothing else is ever allowed in). */
  public allowFrom(peer: ec2.ISecurityGroup, description: string): void {
    this.securityGroup.addIngressRule(peer, ec2.Port.tcp(this.port), description);
  }
}
