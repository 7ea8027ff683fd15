/** The fleet is steady: every desired task running, one deployment, and its rollout completed. */
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { SALE_STACK_OUTPUTS } from '../../contracts/config/names';
import { failed, passed, type CheckResult } from './check-result';
import type { PreflightContext } from './preflight-context';

export const ECS_SERVICE_CHECK = 'ECS service steady';

export async function checkEcsService(ctx: PreflightContext): Promise<CheckResult> {
  const cluster = ctx.sale.get(SALE_STACK_OUTPUTS.clusterName);
  const serviceName = ctx.sale.get(SALE_STACK_OUTPUTS.serviceName);
  const response = await ctx.clients.ecs.send(new DescribeServicesCommand({ cluster, services: [serviceName] }));
  const service = response.services?.[0];
  if (!service) {
    const reason = response.failures?.[0]?.reason;
    return failed(
      ECS_SERVICE_CHECK,
      `service ${serviceName} not found in cluster ${cluster}${reason ? ` (${reason})` : ''}`,
    );
  }
  if (service.status !== 'ACTIVE')
    return failed(ECS_SERVICE_CHECK, `service status is ${service.status}, expected ACTIVE`);
  const running = service.runningCount ?? 0;
  const desired = service.desiredCount ?? 0;
  if (running !== desired) return failed(ECS_SERVICE_CHECK, `${running} of ${desired} desired tasks running`);
  const deployments = service.deployments ?? [];
  if (deployments.length !== 1)
    return failed(
      ECS_SERVICE_CHECK,
      `${deployments.length} deployments in progress, expected 1 (a rollout is still going on)`,
    );
  const rollout = deployments[0]!.rolloutState;
  if (rollout !== 'COMPLETED')
    return failed(ECS_SERVICE_CHECK, `deployment rollout is ${rollout ?? 'unknown'}, expected COMPLETED`);
  return passed(ECS_SERVICE_CHECK, `${running}/${desired} tasks running, rollout completed`);
}
