/**
 * The fleet's request target in its stated unit. ALBRequestCountPerTarget counts requests per target
 * per minute, so a bare `requestsPerTarget` of 500 meant about 8 requests/s per task and pinned the
 * fleet at its maximum; the config now names the unit (per second, converted by lib/fleet/sale-scaling.ts)
 * and the old name is refused with the new one. Hooked into contracts/config/schema.ts.
 */
import { z } from 'zod';

/** The fleet field that replaced `requestsPerTarget`. */
export const REQUESTS_PER_TARGET_FIELD = 'requestsPerTargetPerSecond';

/** Requests per second per task at which target tracking adds tasks, when neither the config nor a plan says. */
export const DEFAULT_REQUESTS_PER_TARGET_PER_SECOND = 100;

/** The old field: refused, with the new name and unit. */
export const renamedRequestsPerTarget = () =>
  z
    .never({
      error: `renamed to fleet.${REQUESTS_PER_TARGET_FIELD}, in requests per second per task (the old value was per minute: 500 meant about 8 requests/s); \`saleday plan --write\` sets it from the load-tested capacity`,
    })
    .optional();

type RefinementContext = z.core.$RefinementCtx<unknown>;

/**
 * A config refinement: the request target does not exceed what one task was measured to serve
 * (`plan.taskCapacityRps`, written by `saleday plan --write` from the load test), or target
 * tracking would add tasks only once the existing ones are past their SLA.
 */
export function checkRequestsPerTargetWithinCapacity(
  config: {
    readonly fleet: { readonly requestsPerTargetPerSecond: number };
    readonly plan?: { readonly taskCapacityRps: number };
  },
  ctx: RefinementContext,
): void {
  const capacity = config.plan?.taskCapacityRps;
  const value = config.fleet.requestsPerTargetPerSecond;
  if (capacity !== undefined && value > capacity) {
    ctx.addIssue({
      code: 'custom',
      path: ['fleet', REQUESTS_PER_TARGET_FIELD],
      input: value,
      message: `expected at most ${capacity}, the measured capacity of one task in requests/s (plan.taskCapacityRps, from \`saleday loadtest\` through \`saleday plan --write\`): above it target tracking adds tasks only after the running ones are past the SLA`,
    });
  }
}

/** The request target `plan --write` derives: the measured capacity at the fleet's target utilisation. */
export function derivedRequestsPerTargetPerSecond(taskCapacityRps: number, targetUtilizationPercent: number): number {
  return Math.max(1, Math.floor((taskCapacityRps * targetUtilizationPercent) / 100));
}
