/**
 * `plan --write`: puts the plan into the config file by editing only the values that change in the
 * file's text (cli/config-file/json-text-patch.ts), so its layout, key order and one-line arrays
 * stay as written. The edited text is validated by the schema before anything is written.
 *
 * Written: `plan`, `fleet.plannedTasks`, `fleet.requestsPerTargetPerSecond` (the measured capacity
 * at the fleet's target utilisation) and `cache.nodeType`. Not written: `fleet.maxTasks`, the
 * user's ceiling, which the plan is checked against instead (lib/planner/plan-bounds.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseConfig } from '../../contracts/config/load-config';
import type { CapacityPlan } from '../../lib/planner/capacity-plan';
import { configPlanSection } from '../../lib/planner/plan-from-config';
import { patchJsonText, type JsonEdit } from '../config-file/json-text-patch';

export interface PlanWriteExtras {
  /** The request target derived from the measured capacity; omitted leaves the file's value. */
  readonly requestsPerTargetPerSecond?: number;
}

export function planEdits(plan: CapacityPlan, computedAt: Date, extras: PlanWriteExtras = {}): JsonEdit[] {
  return [
    { path: ['fleet', 'plannedTasks'], value: plan.tasks },
    ...(extras.requestsPerTargetPerSecond === undefined
      ? []
      : [{ path: ['fleet', 'requestsPerTargetPerSecond'], value: extras.requestsPerTargetPerSecond }]),
    { path: ['cache', 'nodeType'], value: plan.cache.nodeType },
    { path: ['plan'], value: configPlanSection(plan, computedAt) },
  ];
}

/** Writes the plan into `file`, or throws (a ConfigError naming the field) leaving the file untouched. */
export function writePlanToConfig(
  file: string,
  plan: CapacityPlan,
  computedAt: Date,
  extras: PlanWriteExtras = {},
): void {
  const text = readFileSync(file, 'utf8');
  const updated = patchJsonText(text, planEdits(plan, computedAt, extras));
  parseConfig(JSON.parse(updated), `${file} with the new plan`);
  writeFileSync(file, updated);
}
