/**
 * The account's On-Demand Fargate vCPU quota (L-3032A538) covers the plan's ceiling: maxTasks ×
 * the task's vCPUs. The quota is per account and region, so other workloads share it; the reason
 * shows both numbers so the margin is visible.
 */
import { GetServiceQuotaCommand } from '@aws-sdk/client-service-quotas';
import { failed, passed, type CheckResult } from './check-result';
import type { PreflightContext } from './preflight-context';

export const FARGATE_QUOTA_CHECK = 'Fargate vCPU quota covers the plan';
export const FARGATE_ON_DEMAND_VCPU_QUOTA = { ServiceCode: 'fargate', QuotaCode: 'L-3032A538' } as const;

export async function checkFargateQuota(ctx: PreflightContext): Promise<CheckResult> {
  const { maxTasks, cpu } = ctx.config.fleet;
  const needed = maxTasks * (cpu / 1024);
  const response = await ctx.clients.serviceQuotas.send(new GetServiceQuotaCommand(FARGATE_ON_DEMAND_VCPU_QUOTA));
  const quota = response.Quota?.Value;
  if (quota === undefined) return failed(FARGATE_QUOTA_CHECK, 'the quota L-3032A538 has no value');
  if (quota < needed) return failed(FARGATE_QUOTA_CHECK, `quota ${quota} vCPU < ${needed} vCPU needed (${maxTasks} max tasks × ${cpu / 1024} vCPU); request an increase`);
  return passed(FARGATE_QUOTA_CHECK, `${needed} of ${quota} vCPU`);
}
