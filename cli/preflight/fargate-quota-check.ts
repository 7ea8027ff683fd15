/**
 * The account's On-Demand Fargate vCPU quota (L-3032A538) covers what the fleet may run at once:
 * its ceiling (fleet.maxTasks), or a deployment's surge at the planned count (the service's
 * `maximumPercent` of plannedTasks: a rolling deploy starts new tasks before stopping old ones),
 * each × the task's vCPUs. An account that never changed the quota has no applied value
 * (GetServiceQuota answers NoSuchResourceException), so the AWS default is read instead. The quota
 * is per account and region, so other workloads share it; the detail shows the numbers.
 */
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { GetAWSDefaultServiceQuotaCommand, GetServiceQuotaCommand } from '@aws-sdk/client-service-quotas';
import { SALE_STACK_OUTPUTS } from '../../contracts/config/names';
import {
  DEPLOYMENT_MAXIMUM_PERCENT,
  FARGATE_ON_DEMAND_VCPU_QUOTA_CODE,
  planBounds,
} from '../../lib/planner/plan-bounds';
import { failed, passed, type CheckResult } from './check-result';
import type { PreflightContext } from './preflight-context';

export const FARGATE_QUOTA_CHECK = 'Fargate vCPU quota covers the plan';
export const FARGATE_ON_DEMAND_VCPU_QUOTA = {
  ServiceCode: 'fargate',
  QuotaCode: FARGATE_ON_DEMAND_VCPU_QUOTA_CODE,
} as const;

export async function checkFargateQuota(ctx: PreflightContext): Promise<CheckResult> {
  const { maxTasks, plannedTasks, cpu } = ctx.config.fleet;
  const surge = await deploymentMaximumPercent(ctx);
  const { vcpusNeeded } = planBounds({ plannedTasks, maxTasks, cpu, deploymentMaximumPercent: surge.percent });
  const quota = await fargateVcpuQuota(ctx);
  if (quota.value === undefined)
    return failed(FARGATE_QUOTA_CHECK, `the quota ${FARGATE_ON_DEMAND_VCPU_QUOTA_CODE} has no value`);
  const how = `max(${maxTasks} max tasks, ${plannedTasks} planned × ${surge.percent}% during a deployment${surge.note}) × ${cpu / 1024} vCPU`;
  const which = quota.isDefault ? ' (the AWS default: the account never changed it)' : '';
  if (quota.value < vcpusNeeded)
    return failed(
      FARGATE_QUOTA_CHECK,
      `quota ${quota.value} vCPU${which} < ${vcpusNeeded} vCPU needed (${how}); request an increase`,
    );
  return passed(FARGATE_QUOTA_CHECK, `${vcpusNeeded} of ${quota.value} vCPU${which}: ${how}`);
}

async function fargateVcpuQuota(ctx: PreflightContext): Promise<{ value: number | undefined; isDefault: boolean }> {
  try {
    const applied = await ctx.clients.serviceQuotas.send(new GetServiceQuotaCommand(FARGATE_ON_DEMAND_VCPU_QUOTA));
    return { value: applied.Quota?.Value, isDefault: false };
  } catch (error) {
    if ((error as { name?: string }).name !== 'NoSuchResourceException') throw error;
    const fallback = await ctx.clients.serviceQuotas.send(
      new GetAWSDefaultServiceQuotaCommand(FARGATE_ON_DEMAND_VCPU_QUOTA),
    );
    return { value: fallback.Quota?.Value, isDefault: true };
  }
}

/** The service's deployment maximumPercent; the ECS default, said so, when the service cannot be read. */
async function deploymentMaximumPercent(ctx: PreflightContext): Promise<{ percent: number; note: string }> {
  try {
    const cluster = ctx.sale.get(SALE_STACK_OUTPUTS.clusterName);
    const service = ctx.sale.get(SALE_STACK_OUTPUTS.serviceName);
    const response = await ctx.clients.ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
    const percent = response.services?.[0]?.deploymentConfiguration?.maximumPercent;
    if (percent !== undefined) return { percent, note: '' };
    return { percent: DEPLOYMENT_MAXIMUM_PERCENT, note: ', the ECS default' };
  } catch (error) {
    return {
      percent: DEPLOYMENT_MAXIMUM_PERCENT,
      note: `, assumed: the service could not be read (${error instanceof Error ? error.message : String(error)})`,
    };
  }
}
