/**
 * The limits a plan must fit before it is written to the config: the account's Fargate On-Demand
 * vCPU quota (with the surge of a deployment), the fleet's configured ceiling `fleet.maxTasks`,
 * and ECS's tasks-per-service quota. A plan past any of them would deploy and then fail to start
 * tasks on sale day, so `saleday plan` says so and `--write` refuses it.
 */

/** Service Quotas code of "Fargate On-Demand vCPU resource count" (per account and region). */
export const FARGATE_ON_DEMAND_VCPU_QUOTA_CODE = 'L-3032A538';

/**
 * The AWS default of that quota for an account that never asked for more; the value applied to an
 * account is often higher (AWS raises it with usage), which `--fargate-vcpu-quota` or
 * `saleday preflight` tells.
 */
export const DEFAULT_FARGATE_ON_DEMAND_VCPU_QUOTA = 6;

/** ECS "Tasks per service" default quota. */
export const ECS_TASKS_PER_SERVICE_QUOTA = 5_000;

/**
 * The deployment's maximum percent (ECS `maximumPercent`, CDK `maxHealthyPercent`): a rolling deploy
 * starts the new tasks before stopping the old ones, so for a while the service runs up to this
 * share of its desired count. lib/fleet/sale-fleet.ts sets the same figure.
 */
export const DEPLOYMENT_MAXIMUM_PERCENT = 200;

export interface PlanBoundsInputs {
  /** Planned tasks (the scheduled floor during a window). */
  readonly plannedTasks: number;
  /** The configured ceiling target tracking may reach. */
  readonly maxTasks: number;
  /** Task CPU units (1024 per vCPU). */
  readonly cpu: number;
  /** The account's quota when known; the AWS default otherwise. */
  readonly fargateVcpuQuota?: number;
  readonly deploymentMaximumPercent?: number;
}

export interface PlanBounds {
  /** vCPUs the fleet may run at once: its ceiling, or a deployment's surge at the planned count. */
  readonly vcpusNeeded: number;
  readonly fargateVcpuQuota: number;
  readonly quotaIsDefault: boolean;
  /** What the plan cannot be written with, one sentence each. */
  readonly violations: readonly string[];
}

export function planBounds(inputs: PlanBoundsInputs): PlanBounds {
  const vcpusPerTask = inputs.cpu / 1024;
  const maximumPercent = inputs.deploymentMaximumPercent ?? DEPLOYMENT_MAXIMUM_PERCENT;
  const surgeTasks = Math.ceil((inputs.plannedTasks * maximumPercent) / 100);
  const peakTasks = Math.max(inputs.maxTasks, surgeTasks);
  const vcpusNeeded = peakTasks * vcpusPerTask;
  const quotaIsDefault = inputs.fargateVcpuQuota === undefined;
  const fargateVcpuQuota = inputs.fargateVcpuQuota ?? DEFAULT_FARGATE_ON_DEMAND_VCPU_QUOTA;
  const violations: string[] = [];

  if (inputs.plannedTasks > inputs.maxTasks) {
    violations.push(
      `the plan needs ${inputs.plannedTasks} tasks, over the configured ceiling fleet.maxTasks ${inputs.maxTasks}: raise fleet.maxTasks if you accept that many tasks, or lower the headroom`,
    );
  }
  if (vcpusNeeded > fargateVcpuQuota) {
    const which = quotaIsDefault
      ? `the AWS default Fargate On-Demand vCPU quota of ${fargateVcpuQuota} (${FARGATE_ON_DEMAND_VCPU_QUOTA_CODE}; your account's may be higher: pass --fargate-vcpu-quota, which \`saleday preflight\` reads from the account)`
      : `the account's Fargate On-Demand vCPU quota of ${fargateVcpuQuota} (${FARGATE_ON_DEMAND_VCPU_QUOTA_CODE})`;
    violations.push(
      `the fleet may run ${vcpusNeeded} vCPU (max(${inputs.maxTasks} max tasks, ${inputs.plannedTasks} planned × ${maximumPercent}% during a deployment) × ${vcpusPerTask} vCPU), over ${which}: request an increase before the sale`,
    );
  }
  const largest = Math.max(inputs.plannedTasks, inputs.maxTasks);
  if (largest > ECS_TASKS_PER_SERVICE_QUOTA) {
    violations.push(
      `${largest} tasks in one service is over the ECS tasks-per-service quota of ${ECS_TASKS_PER_SERVICE_QUOTA} (the AWS default): use larger tasks (fleet.cpu) or request an increase`,
    );
  }
  return { vcpusNeeded, fargateVcpuQuota, quotaIsDefault, violations };
}
