/** The cache is available with the planned node type and one primary plus `cache.replicas` replicas per shard. */
import { DescribeReplicationGroupsCommand } from '@aws-sdk/client-elasticache';
import { SALE_STACK_OUTPUTS } from '../../contracts/config/names';
import { failed, passed, type CheckResult } from './check-result';
import type { PreflightContext } from './preflight-context';

export const CACHE_CHECK = 'Cache replication group';

export async function checkCache(ctx: PreflightContext): Promise<CheckResult> {
  const id = ctx.sale.get(SALE_STACK_OUTPUTS.replicationGroupId);
  const response = await ctx.clients.elastiCache.send(new DescribeReplicationGroupsCommand({ ReplicationGroupId: id }));
  const group = response.ReplicationGroups?.[0];
  if (!group) return failed(CACHE_CHECK, `replication group ${id} not found`);
  if (group.Status !== 'available')
    return failed(CACHE_CHECK, `${id} is ${group.Status ?? 'in an unknown state'}, expected available`);
  const { nodeType, replicas } = ctx.config.cache;
  if (group.CacheNodeType !== nodeType)
    return failed(CACHE_CHECK, `${id} runs ${group.CacheNodeType ?? 'an unknown node type'}, plan says ${nodeType}`);
  const shards = group.NodeGroups ?? [];
  if (shards.length === 0) return failed(CACHE_CHECK, `${id} reports no node groups`);
  const short = shards.find((s) => (s.NodeGroupMembers?.length ?? 0) !== 1 + replicas);
  if (short)
    return failed(
      CACHE_CHECK,
      `node group ${short.NodeGroupId ?? '?'} has ${short.NodeGroupMembers?.length ?? 0} nodes, plan says ${1 + replicas} (1 primary + ${replicas} replicas)`,
    );
  const unavailable = shards.find((s) => s.Status !== undefined && s.Status !== 'available');
  if (unavailable) return failed(CACHE_CHECK, `node group ${unavailable.NodeGroupId ?? '?'} is ${unavailable.Status}`);
  return passed(CACHE_CHECK, `${id} available, ${nodeType}, ${shards.length} shard(s) × ${1 + replicas} nodes`);
}
