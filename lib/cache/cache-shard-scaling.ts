/**
 * Pre-scales a cluster-mode cache's shards on the sale schedule, as the fleet is: Application Auto
 * Scaling scheduled actions raise the node groups to the plan at each window's warm-up and return
 * them to the baseline after its cool-down (the steps of cache-shard-schedule.ts, which `saleday
 * schedule` prints). Minimum and maximum are set together, so the shard count is exactly what the
 * schedule says.
 */
import { Stack, TimeZone } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { SaleWindow } from '../../contracts/config/schema';
import { oneShotCron, zonedToInstant } from '../../contracts/config/window-schedule';
import type { CacheShardStep } from './cache-shard-schedule';

export const CACHE_SHARDS_DIMENSION = 'elasticache:replication-group:NodeGroups';

export interface CacheShardScalingProps {
  /** The replication group id (its Ref). */
  readonly replicationGroupId: string;
  /** Shards while a window is raised (the scalable target's maximum). */
  readonly plannedShards: number;
  /** Shards outside the windows (the scalable target's minimum); at most plannedShards. */
  readonly baselineShards: number;
  /** The scheduled actions (cacheShardSchedule): windows already over are not among them. */
  readonly steps: readonly CacheShardStep[];
}

/** The shard count in force at `now`: the plan between a window's raise and restore, the baseline otherwise. */
export function shardsAt(
  props: { readonly windows: readonly SaleWindow[]; readonly plannedShards: number; readonly baselineShards: number },
  now: Date,
): number {
  const raised = props.windows.some((w) => {
    const raiseAt = zonedToInstant(w.start, w.timeZone) - w.warmUpMinutes * 60_000;
    const restoreAt = zonedToInstant(w.end, w.timeZone) + w.coolDownMinutes * 60_000;
    return now.getTime() >= raiseAt && now.getTime() < restoreAt;
  });
  return raised ? props.plannedShards : props.baselineShards;
}

export class CacheShardScaling extends Construct {
  /** The replication group's node groups as an Application Auto Scaling target, with one scheduled action per step. */
  public readonly target: appscaling.ScalableTarget;

  constructor(scope: Construct, id: string, props: CacheShardScalingProps) {
    super(scope, id);
    if (!Number.isInteger(props.baselineShards) || props.baselineShards < 1) {
      throw new Error(
        `CacheShardScaling baselineShards: got ${props.baselineShards}; expected a whole number of shards, at least 1`,
      );
    }
    if (!Number.isInteger(props.plannedShards) || props.plannedShards < props.baselineShards) {
      throw new Error(
        `CacheShardScaling plannedShards: got ${props.plannedShards}; expected a whole number of shards, at least baselineShards (${props.baselineShards})`,
      );
    }
    const stack = Stack.of(this);
    // Application Auto Scaling acts on ElastiCache through this service-linked role (it creates it on first use).
    const role = iam.Role.fromRoleArn(
      this,
      'ServiceLinkedRole',
      stack.formatArn({
        service: 'iam',
        region: '',
        resource: 'role',
        resourceName:
          'aws-service-role/elasticache.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ElastiCacheRG',
      }),
    );
    this.target = new appscaling.ScalableTarget(this, 'Shards', {
      serviceNamespace: appscaling.ServiceNamespace.ELASTICACHE,
      resourceId: `replication-group/${props.replicationGroupId}`,
      scalableDimension: CACHE_SHARDS_DIMENSION,
      minCapacity: props.baselineShards,
      maxCapacity: props.plannedShards,
      role,
    });
    for (const step of props.steps) {
      this.target.scaleOnSchedule(`${step.window}-${step.kind}`, {
        schedule: appscaling.Schedule.cron(oneShotCron(step.local)),
        timeZone: TimeZone.of(step.timeZone),
        minCapacity: step.shards,
        maxCapacity: step.shards,
      });
    }
  }
}
