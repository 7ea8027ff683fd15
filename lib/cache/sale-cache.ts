/**
 * The shared state of the sale: rate-limit counters and the flags document. A Valkey (or Redis
 * OSS) replication group with one shard, Multi-AZ with automatic failover, TLS and encryption at
 * rest, an AUTH token generated into Secrets Manager, on a non-default port, reachable only from the
 * security groups that are explicitly allowed (the tasks and the flag controller).
 */
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elasticache from 'aws-cdk-lib/aws-elasticache';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { SaledayConfig } from '../config/schema';

export interface SaleCacheProps {
  readonly config: SaledayConfig;
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
}

/**
 * ElastiCache caps replication group ids at 40 characters; leave room for the `-00N` member
 * suffix ElastiCache adds to node ids, which the alarms and dashboard address.
 */
export function replicationGroupIdFor(config: Pick<SaledayConfig, 'saleName'>): string {
  return `saleday-${config.saleName}`.slice(0, 36).replace(/-+$/, '');
}

/** Node ids of a cluster-mode-disabled replication group: `<id>-001` is the first primary. */
export function cacheNodeIds(config: Pick<SaledayConfig, 'saleName' | 'cache'>): string[] {
  const id = replicationGroupIdFor(config);
  return Array.from({ length: config.cache.replicas + 1 }, (_, i) => `${id}-${String(i + 1).padStart(3, '0')}`);
}

export class SaleCache extends Construct {
  public readonly replicationGroup: elasticache.CfnReplicationGroup;
  public readonly securityGroup: ec2.SecurityGroup;
  /** The AUTH token (a plain string); tasks get it through ECS secrets, the controller reads it. */
  public readonly authToken: secretsmanager.Secret;
  public readonly port: number;
  public readonly replicationGroupId: string;
  /** `rediss://<primary endpoint>:<port>` (TLS). */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: SaleCacheProps) {
    super(scope, id);
    const { config } = props;
    this.port = config.cache.port;
    this.replicationGroupId = replicationGroupIdFor(config);

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
      numNodeGroups: 1,
      replicasPerNodeGroup: config.cache.replicas,
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
    this.url = `rediss://${this.replicationGroup.attrPrimaryEndPointAddress}:${this.port}`;
  }

  /** Opens the cache port to one more security group (nothing else is ever allowed in). */
  public allowFrom(peer: ec2.ISecurityGroup, description: string): void {
    this.securityGroup.addIngressRule(peer, ec2.Port.tcp(this.port), description);
  }
}
