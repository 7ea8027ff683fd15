/** The bridge between the sale config and the pure model: inputs from the config, and the plan back into it. */
import type { SaledayConfig } from '../../contracts/config/schema';
import { partitionWindowsAt } from '../../contracts/config/window-schedule';
import type { Audience, CapacityPlan, CapacityPlanInputs } from './capacity-plan';
import type { PlannerAssumptions } from './planner-assumptions';
import { saleWindowHours } from './sale-window-hours';

export interface PlanOverrides {
  readonly audience?: Partial<Audience>;
  readonly taskCapacityRps: number;
  readonly assumptions?: Partial<PlannerAssumptions>;
  /** When given, windows already over at this time are not costed (the stack schedules none for them). */
  readonly now?: Date;
}

export function planInputsFromConfig(config: SaledayConfig, overrides: PlanOverrides): CapacityPlanInputs {
  const fromConfig: Audience = config.audience ?? { socialFollowers: 0, registeredUsers: 0, adImpressions: 0 };
  const given = overrides.audience ?? {};
  return {
    audience: {
      socialFollowers: given.socialFollowers ?? fromConfig.socialFollowers,
      registeredUsers: given.registeredUsers ?? fromConfig.registeredUsers,
      adImpressions: given.adImpressions ?? fromConfig.adImpressions,
    },
    taskCapacityRps: overrides.taskCapacityRps,
    fleet: { cpu: config.fleet.cpu, memoryMiB: config.fleet.memoryMiB, baselineTasks: config.fleet.baselineTasks },
    cache: { replicas: config.cache.replicas },
    pricing: config.pricing,
    hasCachedRoutes: config.routes.some((r) => r.cache !== 'none'),
    saleHours: saleWindowHours(
      overrides.now ? partitionWindowsAt(config.windows, overrides.now).upcoming : config.windows,
    ),
    assumptions: overrides.assumptions ?? {},
  };
}

/** The `plan` section of the config (schema PlanSchema) for a computed plan. */
export function configPlanSection(plan: CapacityPlan, computedAt: Date): NonNullable<SaledayConfig['plan']> {
  return {
    computedAt: computedAt.toISOString(),
    peakRequestsPerSecond: round(plan.peakRequestsPerSecond, 1),
    fleetRequestsPerSecond: round(plan.fleetRequestsPerSecond, 1),
    taskCapacityRps: plan.taskCapacityRps,
    headroom: plan.headroom,
    tasks: plan.tasks,
    cacheNodeType: plan.cache.nodeType,
    costPerHourUsd: round(plan.costPerHourUsd.total, 2),
  };
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
