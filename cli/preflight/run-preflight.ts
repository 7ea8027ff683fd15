/**
 * Runs every go/no-go check against the deployed sale. Checks run in parallel and each stands
 * alone: an error in one (a missing stack output, AccessDenied) fails that check with the error as
 * its reason and never hides the others. Credentials are resolved once first: without them the
 * report is one line saying what to configure rather than the same SDK error on every check.
 */
import { edgeStackName, saleStackName } from '../../contracts/config/names';
import type { SaledayConfig } from '../../contracts/config/schema';
import { checkAlarmSubscription, ALARM_SUBSCRIPTION_CHECK } from './alarm-subscription-check';
import { checkAlarms, ALARMS_CHECK } from './alarms-check';
import { missingCredentials, refusedCredentials } from './aws-credentials';
import { checkCache, CACHE_CHECK } from './cache-check';
import { checkCacheResilience, CACHE_RESILIENCE_CHECK } from './cache-resilience-check';
import { failed, type CheckResult } from './check-result';
import { checkEcsService, ECS_SERVICE_CHECK } from './ecs-service-check';
import { checkFargateQuota, FARGATE_QUOTA_CHECK } from './fargate-quota-check';
import { checkFlags, FLAGS_CHECK } from './flags-check';
import type { PreflightClients } from './preflight-clients';
import type { PreflightContext } from './preflight-context';
import { checkScheduledScaling, SCHEDULED_SCALING_CHECK } from './scheduled-scaling-check';
import { readStackOutputs, unreadableStack, type StackOutputs } from './stack-outputs';
import { checkEdgeWebAcl, checkRegionalWebAcl, EDGE_WEB_ACL_CHECK, REGIONAL_WEB_ACL_CHECK } from './web-acl-checks';

export const PREFLIGHT_CHECKS: readonly {
  readonly name: string;
  readonly run: (ctx: PreflightContext) => Promise<CheckResult>;
}[] = [
  { name: ECS_SERVICE_CHECK, run: checkEcsService },
  { name: SCHEDULED_SCALING_CHECK, run: checkScheduledScaling },
  { name: CACHE_CHECK, run: checkCache },
  { name: CACHE_RESILIENCE_CHECK, run: checkCacheResilience },
  { name: ALARMS_CHECK, run: checkAlarms },
  { name: ALARM_SUBSCRIPTION_CHECK, run: checkAlarmSubscription },
  { name: REGIONAL_WEB_ACL_CHECK, run: checkRegionalWebAcl },
  { name: EDGE_WEB_ACL_CHECK, run: checkEdgeWebAcl },
  { name: FARGATE_QUOTA_CHECK, run: checkFargateQuota },
  { name: FLAGS_CHECK, run: checkFlags },
];

export interface PreflightReport {
  readonly checks: readonly CheckResult[];
  readonly go: boolean;
}

export async function runPreflight(
  config: SaledayConfig,
  clients: PreflightClients,
  now: Date = new Date(),
): Promise<PreflightReport> {
  const noCredentials = await missingCredentials(clients);
  if (noCredentials) return { checks: [noCredentials], go: false };
  const [sale, edge] = await Promise.all([
    outputsOrReason(() => readStackOutputs(clients.cloudFormation, saleStackName(config)), saleStackName(config)),
    outputsOrReason(() => readStackOutputs(clients.edgeCloudFormation, edgeStackName(config)), edgeStackName(config)),
  ]);
  const ctx: PreflightContext = { config, clients, sale, edge, now };
  const checks = await Promise.all(
    PREFLIGHT_CHECKS.map(async (check) => {
      try {
        return await check.run(ctx);
      } catch (error) {
        return failed(check.name, error instanceof Error ? error.message : String(error));
      }
    }),
  );
  const refused = refusedCredentials(checks);
  if (refused) return { checks: [refused], go: false };
  return { checks, go: checks.every((c) => c.pass) };
}

async function outputsOrReason(read: () => Promise<StackOutputs>, stackName: string): Promise<StackOutputs> {
  try {
    return await read();
  } catch (error) {
    return unreadableStack(stackName, error instanceof Error ? error.message : String(error));
  }
}
