/**
 * The cache survives the loss of a node during the sale: Multi-AZ and automatic failover enabled
 * (a replica in another zone is promoted within about a minute), and no modification pending that
 * would apply itself, and restart or resize nodes, in the middle of the sale.
 */
import {
  DescribeReplicationGroupsCommand,
  type ReplicationGroupPendingModifiedValues,
} from '@aws-sdk/client-elasticache';
import { SALE_STACK_OUTPUTS } from '../../contracts/config/names';
import { failed, passed, type CheckResult } from './check-result';
import type { PreflightContext } from './preflight-context';

export const CACHE_RESILIENCE_CHECK = 'Cache Multi-AZ, failover, nothing pending';

export async function checkCacheResilience(ctx: PreflightContext): Promise<CheckResult> {
  const id = ctx.sale.get(SALE_STACK_OUTPUTS.replicationGroupId);
  const response = await ctx.clients.elastiCache.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: id }));
  const group = response.ReplicationGroups?.[0];
  if (!group) return failed(CACHE_RESILIENCE_CHECK, `replication group ${id} not found`);
  const problems = [
    ...(group.MultiAZ !== 'enabled'
      ? [`Multi-AZ is ${group.MultiAZ ?? 'unknown'} (a zone outage takes the cache down)`]
      : []),
    ...(group.AutomaticFailover !== 'enabled'
      ? [`automatic failover is ${group.AutomaticFailover ?? 'unknown'} (a failed primary is not replaced)`]
      : []),
    ...pendingChanges(group.PendingModifiedValues).map(
      (change) =>
        `pending modification: ${change} (it applies in the maintenance window or on the next change; apply it before the sale)`,
    ),
  ];
  if (problems.length > 0) return failed(CACHE_RESILIENCE_CHECK, `${id}: ${problems.join('; ')}`);
  return passed(CACHE_RESILIENCE_CHECK, `${id}: Multi-AZ and automatic failover enabled, no pending modification`);
}

/** Each pending change in words; an empty list when nothing is pending. */
export function pendingChanges(pending: ReplicationGroupPendingModifiedValues | undefined): string[] {
  if (!pending) return [];
  return Object.entries(pending)
    .filter(([, value]) => value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0))
    .map(([field, value]) => `${field} ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`);
}
