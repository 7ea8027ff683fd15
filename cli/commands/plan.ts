/**
 * `saleday plan`: audience estimates and the measured capacity of one task → tasks, cache node and
 * cost (the model and its formulas: lib/planner/capacity-plan.ts). The plan is checked against the
 * limits it must fit (lib/planner/plan-bounds.ts) and against the origin of the capacity figure;
 * `--write` puts it into the config file (cli/plan/write-plan.ts) only when it fits.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { derivedRequestsPerTargetPerSecond } from '../../contracts/config/fleet-rules';
import { resolveConfigPath } from '../../contracts/config/load-config';
import type { SaledayConfig } from '../../contracts/config/schema';
import { partitionWindowsAt, windowInstants, formatUtcMinute } from '../../contracts/config/window-schedule';
import { computeCapacityPlan, type CapacityPlan } from '../../lib/planner/capacity-plan';
import { planBounds, type PlanBounds } from '../../lib/planner/plan-bounds';
import { planInputsFromConfig } from '../../lib/planner/plan-from-config';
import type { PlannerAssumptions } from '../../lib/planner/planner-assumptions';
import { configFor } from '../cli-config';
import { DEFAULT_LOADTEST_RESULT_FILE } from '../loadtest/loadtest-result';
import { formatNumber, formatTable, formatUsd } from '../output/table';
import { PlanCommandError } from '../plan/plan-command-error';
import { localCapacityWarning, taskCapacitySource, type TaskCapacitySource } from '../plan/task-capacity-source';
import { writePlanToConfig } from '../plan/write-plan';

export { isPlanCommandError, PlanCommandError } from '../plan/plan-command-error';
export { writePlanToConfig } from '../plan/write-plan';

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
  fargateVcpuQuota?: number;
  acceptLocalCapacity?: boolean;
  json?: boolean;
  write?: boolean;
}

/** The plan with what it was computed from and what it must fit. */
export interface PlanOutcome {
  readonly plan: CapacityPlan;
  readonly capacity: TaskCapacitySource;
  readonly limits: PlanBounds;
  /** `fleet.requestsPerTargetPerSecond` for this capacity: capacity × fleet.targetCpuPercent. */
  readonly requestsPerTargetPerSecond: number;
  /** The model's warnings and the command's own (windows over, a local capacity, …). */
  readonly warnings: readonly string[];
}

/** A commander parser for a numeric option that names the flag when the value is not a number. */
const number = (flag: string) => (value: string) => {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed))
    throw new InvalidArgumentError(`${flag}: got ${JSON.stringify(value)}; expected a number`);
  return parsed;
};

export function registerPlanCommand(program: Command): void {
  const command = program
    .command('plan')
    .description(
      'Turn audience estimates and the capacity of one task into tasks, cache size and cost (see README: the model).',
    );
  addPlanOptions(command).action(runPlanCommand);
}

/** Every option of `saleday plan`: the audience, the task capacity, the model's assumptions and the output. */
function addPlanOptions(command: Command): Command {
  return command
    .option('--followers <n>', 'social followers (default: config audience.socialFollowers)', number('--followers'))
    .option('--registered <n>', 'registered users (default: config audience.registeredUsers)', number('--registered'))
    .option('--impressions <n>', 'ad impressions (default: config audience.adImpressions)', number('--impressions'))
    .option(
      '--task-capacity <rps>',
      'requests/s one task serves within the SLA (default: from the load-test result)',
      number('--task-capacity'),
    )
    .option(
      '--loadtest-result <file>',
      `load-test result to read the task capacity from (default: ./${DEFAULT_LOADTEST_RESULT_FILE} if present)`,
    )
    .option('--headroom <factor>', 'safety factor over the expected load, 3–10 (default 5)', number('--headroom'))
    .option('--follower-share <share>', 'share of followers who visit (default 0.02)', number('--follower-share'))
    .option(
      '--registered-share <share>',
      'share of registered users who visit (default 0.10)',
      number('--registered-share'),
    )
    .option(
      '--impression-share <share>',
      'share of ad impressions that become visits (default 0.005)',
      number('--impression-share'),
    )
    .option(
      '--peak-minute-share <share>',
      'share of visitors arriving in the busiest minute (default 0.10)',
      number('--peak-minute-share'),
    )
    .option('--session-minutes <min>', 'minutes a visitor stays active (default 6)', number('--session-minutes'))
    .option(
      '--requests-per-minute <n>',
      'requests per active visitor per minute (default 10)',
      number('--requests-per-minute'),
    )
    .option(
      '--edge-share <share>',
      'share CloudFront answers from cache (default 0.6 if a route is cached, else 0)',
      number('--edge-share'),
    )
    .option('--max-tasks-factor <f>', 'maxTasks = ceil(tasks × f) (default 1.5)', number('--max-tasks-factor'))
    .option(
      '--cache-ops-per-request <n>',
      'cache operations per fleet request (default 3)',
      number('--cache-ops-per-request'),
    )
    .option('--nat-gateways <n>', 'NAT gateways in the sale stack (default 2)', number('--nat-gateways'))
    .option(
      '--fargate-vcpu-quota <vcpus>',
      "the account's Fargate On-Demand vCPU quota (default: the AWS default, 6; saleday preflight reads yours)",
      number('--fargate-vcpu-quota'),
    )
    .option('--accept-local-capacity', 'let --write use a task capacity measured against this machine (127.0.0.1)')
    .option('--json', 'print the plan as JSON')
    .option(
      '--write',
      'write the plan, fleet.plannedTasks, fleet.requestsPerTargetPerSecond and cache.nodeType into the config file',
    );
}

/** Prints the plan (a table, or JSON with --json) and, with --write, writes it into the config file if it fits. */
function runPlanCommand(options: PlanCommandOptions, command: Command): void {
  const config = configFor(command);
  const now = new Date();
  const outcome = planOutcome(config, options, process.cwd(), now);
  if (options.json) {
    process.stdout.write(
      `${JSON.stringify({ ...outcome.plan, warnings: outcome.warnings, requestsPerTargetPerSecond: outcome.requestsPerTargetPerSecond, taskCapacitySource: outcome.capacity, limits: outcome.limits }, null, 2)}\n`,
    );
    for (const warning of outcome.warnings) process.stderr.write(`warning: ${warning}\n`);
  } else {
    process.stdout.write(`${renderPlanOutcome(outcome, config)}\n`);
  }
  if (options.write) {
    refuseUnwritable(outcome, options);
    const file = resolveConfigPath(command.optsWithGlobals<{ config?: string }>().config);
    writePlanToConfig(file, outcome.plan, now, { requestsPerTargetPerSecond: outcome.requestsPerTargetPerSecond });
    (options.json ? process.stderr : process.stdout).write(
      `Wrote the plan to ${file}: ${outcome.plan.tasks} planned tasks (ceiling fleet.maxTasks ${config.fleet.maxTasks}), ${outcome.requestsPerTargetPerSecond} requests/s per task target, ${outcome.plan.cache.nodeType}.\n`,
    );
  }
}

/** The plan, checked: windows over are not costed, the capacity's origin and the limits are known. */
export function planOutcome(
  config: SaledayConfig,
  options: PlanCommandOptions,
  cwd = process.cwd(),
  now = new Date(),
): PlanOutcome {
  const capacity = taskCapacitySource(config, options, cwd);
  const plan = computePlan(config, options, capacity.rps, now);
  const limits = planBounds({
    plannedTasks: plan.tasks,
    maxTasks: config.fleet.maxTasks,
    cpu: config.fleet.cpu,
    fargateVcpuQuota: options.fargateVcpuQuota,
  });
  const requestsPerTargetPerSecond = derivedRequestsPerTargetPerSecond(capacity.rps, config.fleet.targetCpuPercent);
  const warnings = [...plan.warnings];
  for (const window of partitionWindowsAt(config.windows, now).over) {
    warnings.push(
      `window ${window.name} is over (its cool-down ended ${formatUtcMinute(windowInstants(window).restoreAt)}): not costed, and the stack schedules nothing for it`,
    );
  }
  if (capacity.local) warnings.push(localCapacityWarning(capacity, config.fleet));
  if (plan.maxTasks > config.fleet.maxTasks && plan.tasks <= config.fleet.maxTasks) {
    warnings.push(
      `target tracking stops at fleet.maxTasks ${config.fleet.maxTasks}, below the plan's suggested ceiling of ${plan.maxTasks} (tasks × ${plan.assumptions.maxTasksFactor})`,
    );
  }
  if (config.fleet.requestsPerTargetPerSecond > capacity.rps) {
    warnings.push(
      `fleet.requestsPerTargetPerSecond ${config.fleet.requestsPerTargetPerSecond} is above the measured capacity of one task (${capacity.rps} rps, ${describeCapacitySource(capacity)}): --write sets it to ${requestsPerTargetPerSecond}`,
    );
  }
  return { plan, capacity, limits, requestsPerTargetPerSecond, warnings };
}

/** `--write` writes only a plan that fits its limits and rests on a capacity measured where it runs. */
function refuseUnwritable(outcome: PlanOutcome, options: PlanCommandOptions): void {
  const reasons = [...outcome.limits.violations];
  if (outcome.capacity.local && !options.acceptLocalCapacity) {
    reasons.push(
      `the task capacity was measured against ${outcome.capacity.url ?? 'this machine'} (a local measurement): pass --accept-local-capacity to write it anyway`,
    );
  }
  if (reasons.length > 0)
    throw new PlanCommandError(`Not written: the plan does not fit:\n${reasons.map((r) => `  - ${r}`).join('\n')}`);
}

function describeCapacitySource(capacity: TaskCapacitySource): string {
  if (capacity.from === 'loadtest') return `load-test result ${capacity.file}`;
  if (capacity.from === 'config-plan') return "the config's plan.taskCapacityRps";
  return '--task-capacity';
}

/** Computes the plan for a config and the command's options (the task capacity resolved as documented). */
export function planFor(config: SaledayConfig, options: PlanCommandOptions, cwd = process.cwd()): CapacityPlan {
  return computePlan(config, options, resolveTaskCapacity(config, options, cwd));
}

function computePlan(
  config: SaledayConfig,
  options: PlanCommandOptions,
  taskCapacityRps: number,
  now?: Date,
): CapacityPlan {
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
      audience: {
        socialFollowers: options.followers,
        registeredUsers: options.registered,
        adImpressions: options.impressions,
      },
      taskCapacityRps,
      assumptions,
      now,
    }),
  );
}

/** --task-capacity, else --loadtest-result, else ./loadtest-result.json, else the capacity of the config's last plan. */
export function resolveTaskCapacity(
  config: SaledayConfig,
  options: Pick<PlanCommandOptions, 'taskCapacity' | 'loadtestResult'>,
  cwd = process.cwd(),
): number {
  return taskCapacitySource(config, options, cwd).rps;
}

/** The plan table, then the limits it must fit, then every warning. */
export function renderPlanOutcome(outcome: PlanOutcome, config: SaledayConfig): string {
  const { limits } = outcome;
  const quota = `${formatNumber(limits.fargateVcpuQuota)} vCPU ${limits.quotaIsDefault ? 'quota (the AWS default: pass --fargate-vcpu-quota)' : 'quota (--fargate-vcpu-quota)'}`;
  const extra: [string, string, string][] = [
    [
      'Request target per task',
      `${formatNumber(outcome.requestsPerTargetPerSecond)} rps`,
      `capacity × ${config.fleet.targetCpuPercent}% (fleet.targetCpuPercent); ${formatNumber(outcome.requestsPerTargetPerSecond * 60)}/min to the ALB`,
    ],
    ['Configured ceiling', formatNumber(config.fleet.maxTasks), 'fleet.maxTasks (yours; --write leaves it)'],
    [
      'Fargate vCPU at peak',
      formatNumber(limits.vcpusNeeded),
      `max(ceiling, planned × deployment surge) × vCPU, of a ${quota}`,
    ],
  ];
  const lines = [renderPlan({ ...outcome.plan, warnings: [] }, extra)];
  if (limits.violations.length > 0) lines.push(...limits.violations.map((v) => `✗ ${v}`), '--write refuses this plan.');
  lines.push(...outcome.warnings.map((w) => `! ${w}`));
  return lines.join('\n');
}

export function renderPlan(plan: CapacityPlan, extraRows: readonly [string, string, string][] = []): string {
  const a = plan.assumptions;
  const pct = (share: number) => `${formatNumber(share * 100, share * 100 < 1 ? 1 : 0)}%`;
  const c = plan.costPerHourUsd;
  const rows: [string, string, string][] = [
    [
      'Expected visitors',
      formatNumber(plan.visitors),
      `followers×${pct(a.followerShowUpShare)} + registered×${pct(a.registeredShowUpShare)} + impressions×${pct(a.impressionVisitShare)}`,
    ],
    [
      'Peak arrivals / minute',
      formatNumber(plan.peakArrivalsPerMinute),
      `visitors × ${pct(a.peakMinuteShare)} in the busiest minute`,
    ],
    ['Peak concurrent users', formatNumber(plan.peakConcurrentUsers), `arrivals/min × ${a.sessionMinutes} min session`],
    [
      'Peak requests/s',
      formatNumber(plan.peakRequestsPerSecond),
      `concurrent × ${a.requestsPerUserPerMinute} req/min ÷ 60`,
    ],
    ['Absorbed by CloudFront', formatNumber(plan.edgeRequestsPerSecond), `${pct(a.edgeAbsorbedShare)} of peak`],
    ['Requests/s to the fleet', formatNumber(plan.fleetRequestsPerSecond), 'peak − absorbed'],
    ['Capacity of one task', `${formatNumber(plan.taskCapacityRps)} rps`, 'from saleday loadtest (or --task-capacity)'],
    ['Headroom', `${formatNumber(plan.headroom, 1)}×`, 'safety over the expected load (3–10)'],
    ['Planned tasks', formatNumber(plan.tasks), 'max(baseline, ceil(fleet rps × headroom ÷ capacity))'],
    ['Suggested max tasks', formatNumber(plan.maxTasks), `ceil(tasks × ${a.maxTasksFactor})`],
    [
      'Cache node',
      `${plan.cache.nodeType} × ${plan.cache.nodes}`,
      `${formatNumber(plan.cache.opsPerSecond)} ops/s, ${formatNumber(plan.cache.connections)} connections, ${formatNumber(plan.cache.memoryGiB, 2)} GiB`,
    ],
    ['Cost / hour: Fargate', formatUsd(c.fargate), 'tasks × (vCPU + GB) per hour'],
    ['Cost / hour: ALB', formatUsd(c.alb), 'hourly + LCUs'],
    ['Cost / hour: NAT', formatUsd(c.nat), `${a.natGateways} gateways`],
    ['Cost / hour: cache', formatUsd(c.cache), 'node price × (1 + replicas)'],
    ['Cost / hour: CloudFront', formatUsd(c.cloudfront), 'peak requests'],
    ['Cost / hour: WAF', formatUsd(c.waf), 'edge + regional requests, ACLs and rules'],
    ['Cost / hour at peak', formatUsd(c.total), `prices as of ${plan.pricingAsOf}`],
    [
      'Sale window cost',
      formatUsd(plan.saleWindowCostUsd),
      `${formatNumber(plan.saleHours, 2)} h incl. warm-up and cool-down, at peak (upper bound)`,
    ],
    ...extraRows,
  ];
  const table = formatTable(['Quantity', 'Value', 'How'], rows, { alignRight: [1] });
  const warnings = plan.warnings.map((w) => `! ${w}`);
  return [table, ...warnings].join('\n');
}
