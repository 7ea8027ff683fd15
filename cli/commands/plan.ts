/**
 * `saleday plan`: audience estimates and the measured capacity of one task → tasks, cache node and
 * cost (the model and its formulas: lib/planner/capacity-plan.ts). `--write` puts the result into
 * the config file (plan, fleet.plannedTasks/maxTasks, cache.nodeType), validated before writing.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { parseConfig, resolveConfigPath } from '../../lib/config/load-config';
import type { SaledayConfig } from '../../lib/config/schema';
import { computeCapacityPlan, type CapacityPlan } from '../../lib/planner/capacity-plan';
import { configPlanSection, planInputsFromConfig } from '../../lib/planner/plan-from-config';
import type { PlannerAssumptions } from '../../lib/planner/planner-assumptions';
import { configFor } from '../cli-config';
import { DEFAULT_LOADTEST_RESULT_FILE, readLoadtestResult } from '../loadtest/loadtest-result';
import { formatNumber, formatTable, formatUsd } from '../output/table';

export interface PlanCommandOptions {
  followers?: number;
  registered?: number;
  impressions?: number;
  taskCapacity?: number;
  loadtestResult?: string;
  headroom?: number;
  followerShare?: number;
  registeredShare?: number;
  impressionShare?: number;
  peakMinuteShare?: number;
  sessionMinutes?: number;
  requestsPerMinute?: number;
  edgeShare?: number;
  maxTasksFactor?: number;
  cacheOpsPerRequest?: number;
  natGateways?: number;
  json?: boolean;
  write?: boolean;
}

export class PlanCommandError extends Error {
  readonly code = 'SALEDAY_PLAN_FAILED';
  constructor(message: string) {
    super(message);
    this.name = 'PlanCommandError';
  }
}

export function isPlanCommandError(error: unknown): error is PlanCommandError {
  return error instanceof PlanCommandError;
}

export function registerPlanCommand(program: Command): void {
  const number = (flag: string) => (value: string) => {
    const parsed = Number(value);
    if (value.trim() === '' || !Number.isFinite(parsed)) throw new InvalidArgumentError(`${flag}: got ${JSON.stringify(value)}; expected a number`);
    return parsed;
  };
  program
    .command('plan')
    .description('Turn audience estimates and the capacity of one task into tasks, cache size and cost (see README: the model).')
    .option('--followers <n>', 'social followers (default: config audience.socialFollowers)', number('--followers'))
    .option('--registered <n>', 'registered users (default: config audience.registeredUsers)', number('--registered'))
    .option('--impressions <n>', 'ad impressions (default: config audience.adImpressions)', number('--impressions'))
    .option('--task-capacity <rps>', 'requests/s one task serves within the SLA (default: from the load-test result)', number('--task-capacity'))
    .option('--loadtest-result <file>', `load-test result to read the task capacity from (default: ./${DEFAULT_LOADTEST_RESULT_FILE} if present)`)
    .option('--headroom <factor>', 'safety factor over the expected load, 3–10 (default 5)', number('--headroom'))
    .option('--follower-share <share>', 'share of followers who visit (default 0.02)', number('--follower-share'))
    .option('--registered-share <share>', 'share of registered users who visit (default 0.10)', number('--registered-share'))
    .option('--impression-share <share>', 'share of ad impressions that become visits (default 0.005)', number('--impression-share'))
    .option('--peak-minute-share <share>', 'share of visitors arriving in the busiest minute (default 0.10)', number('--peak-minute-share'))
    .option('--session-minutes <min>', 'minutes a visitor stays active (default 6)', number('--session-minutes'))
    .option('--requests-per-minute <n>', 'requests per active visitor per minute (default 10)', number('--requests-per-minute'))
    .option('--edge-share <share>', 'share CloudFront answers from cache (default 0.6 if a route is cached, else 0)', number('--edge-share'))
    .option('--max-tasks-factor <f>', 'maxTasks = ceil(tasks × f) (default 1.5)', number('--max-tasks-factor'))
    .option('--cache-ops-per-request <n>', 'cache operations per fleet request (default 3)', number('--cache-ops-per-request'))
    .option('--nat-gateways <n>', 'NAT gateways in the sale stack (default 2)', number('--nat-gateways'))
    .option('--json', 'print the plan as JSON')
    .option('--write', 'write the plan, fleet.plannedTasks/maxTasks and cache.nodeType into the config file')
    .action((options: PlanCommandOptions, command: Command) => {
      const config = configFor(command);
      const plan = planFor(config, options);
      if (options.json) {
        process.stdout.write(`${JSON.stringify(plan, null, 2)}\n`);
      } else {
        process.stdout.write(`${renderPlan(plan)}\n`);
      }
      if (options.write) {
        const file = resolveConfigPath(command.optsWithGlobals<{ config?: string }>().config);
        writePlanToConfig(file, plan, new Date());
        (options.json ? process.stderr : process.stdout).write(`Wrote the plan to ${file}: ${plan.tasks} planned tasks, max ${plan.maxTasks}, ${plan.cache.nodeType}.\n`);
      }
    });
}

/** Computes the plan for a config and the command's options (the task capacity resolved as documented). */
export function planFor(config: SaledayConfig, options: PlanCommandOptions, cwd = process.cwd()): CapacityPlan {
  const assumptions: Partial<PlannerAssumptions> = {
    headroom: options.headroom,
    followerShowUpShare: options.followerShare,
    registeredShowUpShare: options.registeredShare,
    impressionVisitShare: options.impressionShare,
    peakMinuteShare: options.peakMinuteShare,
    sessionMinutes: options.sessionMinutes,
    requestsPerUserPerMinute: options.requestsPerMinute,
    edgeAbsorbedShare: options.edgeShare,
    maxTasksFactor: options.maxTasksFactor,
    cacheOpsPerRequest: options.cacheOpsPerRequest,
    natGateways: options.natGateways,
  };
  return computeCapacityPlan(
    planInputsFromConfig(config, {
      audience: { socialFollowers: options.followers, registeredUsers: options.registered, adImpressions: options.impressions },
      taskCapacityRps: resolveTaskCapacity(config, options, cwd),
      assumptions,
    }),
  );
}

/** --task-capacity, else --loadtest-result, else ./loadtest-result.json, else the capacity of the config's last plan. */
export function resolveTaskCapacity(config: SaledayConfig, options: Pick<PlanCommandOptions, 'taskCapacity' | 'loadtestResult'>, cwd = process.cwd()): number {
  if (options.taskCapacity !== undefined) return options.taskCapacity;
  const file = options.loadtestResult ?? `${cwd}/${DEFAULT_LOADTEST_RESULT_FILE}`;
  if (options.loadtestResult !== undefined || existsSync(file)) {
    const result = readLoadtestResult(file);
    if (result.capacityRps <= 0) {
      throw new PlanCommandError(`${file}: the load test found no rate within the SLA (capacityRps 0); fix the target or pass --task-capacity`);
    }
    return result.capacityRps;
  }
  if (config.plan) return config.plan.taskCapacityRps;
  throw new PlanCommandError('No task capacity: run `saleday loadtest` first (it writes loadtest-result.json) or pass --task-capacity <rps>');
}

/**
 * Rewrites the config file with the plan: the raw JSON (not the defaults-filled config) is edited so
 * the rest of the file stays as written; the result is validated by the schema before it is written.
 */
export function writePlanToConfig(file: string, plan: CapacityPlan, computedAt: Date): void {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const fleet = (raw.fleet ?? {}) as Record<string, unknown>;
  const cache = (raw.cache ?? {}) as Record<string, unknown>;
  const updated = {
    ...raw,
    fleet: { ...fleet, plannedTasks: plan.tasks, maxTasks: plan.maxTasks },
    cache: { ...cache, nodeType: plan.cache.nodeType },
    plan: configPlanSection(plan, computedAt),
  };
  parseConfig(updated, `${file} with the new plan`);
  writeFileSync(file, `${JSON.stringify(updated, null, 2)}\n`);
}

export function renderPlan(plan: CapacityPlan): string {
  const a = plan.assumptions;
  const pct = (share: number) => `${formatNumber(share * 100, share * 100 < 1 ? 1 : 0)}%`;
  const c = plan.costPerHourUsd;
  const rows: [string, string, string][] = [
    ['Expected visitors', formatNumber(plan.visitors), `followers×${pct(a.followerShowUpShare)} + registered×${pct(a.registeredShowUpShare)} + impressions×${pct(a.impressionVisitShare)}`],
    ['Peak arrivals / minute', formatNumber(plan.peakArrivalsPerMinute), `visitors × ${pct(a.peakMinuteShare)} in the busiest minute`],
    ['Peak concurrent users', formatNumber(plan.peakConcurrentUsers), `arrivals/min × ${a.sessionMinutes} min session`],
    ['Peak requests/s', formatNumber(plan.peakRequestsPerSecond), `concurrent × ${a.requestsPerUserPerMinute} req/min ÷ 60`],
    ['Absorbed by CloudFront', formatNumber(plan.edgeRequestsPerSecond), `${pct(a.edgeAbsorbedShare)} of peak`],
    ['Requests/s to the fleet', formatNumber(plan.fleetRequestsPerSecond), 'peak − absorbed'],
    ['Capacity of one task', `${formatNumber(plan.taskCapacityRps)} rps`, 'from saleday loadtest (or --task-capacity)'],
    ['Headroom', `${formatNumber(plan.headroom, 1)}×`, 'safety over the expected load (3–10)'],
    ['Planned tasks', formatNumber(plan.tasks), 'max(baseline, ceil(fleet rps × headroom ÷ capacity))'],
    ['Max tasks', formatNumber(plan.maxTasks), `ceil(tasks × ${a.maxTasksFactor})`],
    ['Cache node', `${plan.cache.nodeType} × ${plan.cache.nodes}`, `${formatNumber(plan.cache.opsPerSecond)} ops/s, ${formatNumber(plan.cache.connections)} connections, ${formatNumber(plan.cache.memoryGiB, 2)} GiB`],
    ['Cost / hour: Fargate', formatUsd(c.fargate), 'tasks × (vCPU + GB) per hour'],
    ['Cost / hour: ALB', formatUsd(c.alb), 'hourly + LCUs'],
    ['Cost / hour: NAT', formatUsd(c.nat), `${a.natGateways} gateways`],
    ['Cost / hour: cache', formatUsd(c.cache), 'node price × (1 + replicas)'],
    ['Cost / hour: CloudFront', formatUsd(c.cloudfront), 'peak requests'],
    ['Cost / hour: WAF', formatUsd(c.waf), 'edge + regional requests, ACLs and rules'],
    ['Cost / hour at peak', formatUsd(c.total), `prices as of ${plan.pricingAsOf}`],
    ['Sale window cost', formatUsd(plan.saleWindowCostUsd), `${formatNumber(plan.saleHours, 2)} h incl. warm-up and cool-down, at peak (upper bound)`],
  ];
  const table = formatTable(['Quantity', 'Value', 'How'], rows, { alignRight: [1] });
  const warnings = plan.warnings.map((w) => `! ${w}`);
  return [table, ...warnings].join('\n');
}
