/**
 * The capacity model behind `saleday plan`: a pure function from audience, assumptions, the
 * measured capacity of one task and list prices to a plan. No I/O; the CLI reads the files.
 *
 * Formulas (all rates per second unless named otherwise; defaults in planner-assumptions.ts):
 *
 *   visitors            = followers × followerShowUpShare            (default 0.02)
 *                       + registeredUsers × registeredShowUpShare    (default 0.10)
 *                       + adImpressions × impressionVisitShare       (default 0.005)
 *   peakArrivalsPerMin  = visitors × peakMinuteShare                 (default 0.10)
 *   peakConcurrentUsers = min(visitors, peakArrivalsPerMin × sessionMinutes)      (Little's law; default 6 min)
 *   peakRps             = peakConcurrentUsers × requestsPerUserPerMinute / 60     (default 10 / min)
 *   edgeAbsorbedShare   = given, else 0.6 if any route is cached (static/semi-static), else 0
 *   fleetRps            = peakRps × (1 − edgeAbsorbedShare)
 *   tasks               = max(baselineTasks, ceil(fleetRps × headroom / taskCapacityRps))
 *                         (headroom 3–10, default 5; taskCapacityRps from `saleday loadtest`)
 *   maxTasks            = max(tasks, ceil(tasks × maxTasksFactor))                (default 1.5)
 *
 *   cache ops/s         = fleetRps × headroom × cacheOpsPerRequest                (default 3)
 *   cache connections   = maxTasks × cacheConnectionsPerTask                      (default 8)
 *   cache memory (GiB)  = visitors × cacheBytesPerVisitor / 2^30                  (default 4 KiB)
 *   cache node          = the cheapest priced node type with
 *                           opsPerSecond × utilization ≥ ops/s,
 *                           maxConnections × utilization ≥ connections,
 *                           memoryGiB × utilization ≥ memory                      (utilization default 0.5)
 *                         none fits alone: the cheapest type × shards (cluster mode) with
 *                           shards = max(ops/s ÷ (opsPerSecond × utilization), memory ÷ (memoryGiB × utilization))
 *                         (see cache-sizing.ts)
 *
 *   cost per hour (at planned tasks and peak traffic, so an upper bound):
 *     fargate    = tasks × (cpu/1024 × fargateVcpuHour + memoryMiB/1024 × fargateGbHour)
 *     alb        = albHour + albLcuHour × max(1, processedGB/h, newConnections/s ÷ 25)
 *                  processedGB/h = fleetRps × averageResponseKiB × 1024 × 3600 / 10^9
 *                  newConnections/s = fleetRps × albNewConnectionsPerRequest
 *     nat        = natGateways × natGatewayHour
 *     cache      = cacheNodeHour[node] × shards × (1 + replicas)
 *     cloudfront = peakRps × 3600 / 10,000 × cloudfrontPer10kRequests
 *     waf        = (peakRps + fleetRps) × 3600 / 10^6 × wafPerMillionRequests    (edge + regional ACL)
 *                + 2 × (wafWebAclMonth + wafRulesPerWebAcl × wafRuleMonth) / 730
 *   sale window cost = cost per hour × Σ over windows (end − start + warm-up + cool-down), in hours
 */
import type { Pricing } from '../../contracts/config/schema';
import { chooseCacheNode } from './cache-sizing';
import { expectedVisitors } from './expected-visitors';
import {
  DEFAULT_ASSUMPTIONS,
  DEFAULT_EDGE_ABSORBED_SHARE_WHEN_CACHED,
  HEADROOM_RANGE,
  type PlannerAssumptions,
} from './planner-assumptions';
import { PlannerInputError } from './planner-input-error';

export interface Audience {
  readonly socialFollowers: number;
  readonly registeredUsers: number;
  readonly adImpressions: number;
}

export interface CapacityPlanInputs {
  readonly audience: Audience;
  /** Requests per second one task (gate + app) serves within the SLA. */
  readonly taskCapacityRps: number;
  readonly fleet: { readonly cpu: number; readonly memoryMiB: number; readonly baselineTasks: number };
  readonly cache: { readonly replicas: number };
  readonly pricing: Pricing;
  /** Whether any route is cached at the edge (decides the default edge share). */
  readonly hasCachedRoutes: boolean;
  /** Total hours of the sale windows including warm-up and cool-down (see saleWindowHours). */
  readonly saleHours: number;
  /** Overrides of the defaults. */
  readonly assumptions?: Partial<PlannerAssumptions>;
}

export interface CostPerHour {
  readonly fargate: number;
  readonly alb: number;
  readonly nat: number;
  readonly cache: number;
  readonly cloudfront: number;
  readonly waf: number;
  readonly total: number;
}

export interface CapacityPlan {
  readonly assumptions: PlannerAssumptions & { readonly edgeAbsorbedShare: number };
  readonly visitors: number;
  readonly peakArrivalsPerMinute: number;
  readonly peakConcurrentUsers: number;
  readonly peakRequestsPerSecond: number;
  readonly edgeRequestsPerSecond: number;
  readonly fleetRequestsPerSecond: number;
  readonly taskCapacityRps: number;
  readonly headroom: number;
  readonly tasks: number;
  readonly maxTasks: number;
  readonly cache: {
    readonly nodeType: string;
    /** Primaries: above 1, the cache runs in cluster mode with this many shards. */
    readonly shards: number;
    /** Every node: shards × (1 + replicas). */
    readonly nodes: number;
    readonly opsPerSecond: number;
    readonly connections: number;
    readonly memoryGiB: number;
  };
  readonly costPerHourUsd: CostPerHour;
  readonly saleHours: number;
  readonly saleWindowCostUsd: number;
  readonly pricingAsOf: string;
  /** Things the user should know (a cache demand beyond the largest node, …). */
  readonly warnings: readonly string[];
}

const HOURS_PER_MONTH = 730;
const ALB_NEW_CONNECTIONS_PER_LCU = 25;

export function computeCapacityPlan(inputs: CapacityPlanInputs): CapacityPlan {
  const assumptions = resolveAssumptions(inputs);
  validate(inputs, assumptions);
  const a = assumptions;
  const { audience } = inputs;
  const warnings: string[] = [];

  const visitors = expectedVisitors(audience, a);
  const peakArrivalsPerMinute = visitors * a.peakMinuteShare;
  const peakConcurrentUsers = Math.min(visitors, peakArrivalsPerMinute * a.sessionMinutes);
  const peakRequestsPerSecond = (peakConcurrentUsers * a.requestsPerUserPerMinute) / 60;
  const fleetRequestsPerSecond = peakRequestsPerSecond * (1 - a.edgeAbsorbedShare);
  const edgeRequestsPerSecond = peakRequestsPerSecond - fleetRequestsPerSecond;

  const neededTasks = Math.ceil((fleetRequestsPerSecond * a.headroom) / inputs.taskCapacityRps);
  const tasks = Math.max(inputs.fleet.baselineTasks, neededTasks, 1);
  const maxTasks = Math.max(tasks, Math.ceil(tasks * a.maxTasksFactor));

  const cacheDemand = {
    opsPerSecond: fleetRequestsPerSecond * a.headroom * a.cacheOpsPerRequest,
    connections: maxTasks * a.cacheConnectionsPerTask,
    memoryGiB: (visitors * a.cacheBytesPerVisitor) / 2 ** 30,
  };
  const { node, shards } = chooseCacheNode(cacheDemand, a.cacheTargetUtilization, inputs.pricing, warnings);
  const cacheNodes = shards * (1 + inputs.cache.replicas);

  const p = inputs.pricing;
  const fargate =
    tasks * ((inputs.fleet.cpu / 1024) * p.fargateVcpuHour + (inputs.fleet.memoryMiB / 1024) * p.fargateGbHour);
  const processedGbPerHour = (fleetRequestsPerSecond * a.averageResponseKiB * 1024 * 3600) / 1e9;
  const newConnectionsPerSecond = fleetRequestsPerSecond * a.albNewConnectionsPerRequest;
  const lcus = Math.max(1, processedGbPerHour, newConnectionsPerSecond / ALB_NEW_CONNECTIONS_PER_LCU);
  const alb = p.albHour + lcus * p.albLcuHour;
  const nat = a.natGateways * p.natGatewayHour;
  const cache = (p.cacheNodeHour[node.nodeType] ?? 0) * cacheNodes;
  const cloudfront = ((peakRequestsPerSecond * 3600) / 10_000) * p.cloudfrontPer10kRequests;
  const waf =
    (((peakRequestsPerSecond + fleetRequestsPerSecond) * 3600) / 1e6) * p.wafPerMillionRequests +
    (2 * (p.wafWebAclMonth + a.wafRulesPerWebAcl * p.wafRuleMonth)) / HOURS_PER_MONTH;
  const total = fargate + alb + nat + cache + cloudfront + waf;

  return {
    assumptions,
    visitors,
    peakArrivalsPerMinute,
    peakConcurrentUsers,
    peakRequestsPerSecond,
    edgeRequestsPerSecond,
    fleetRequestsPerSecond,
    taskCapacityRps: inputs.taskCapacityRps,
    headroom: a.headroom,
    tasks,
    maxTasks,
    cache: { nodeType: node.nodeType, shards, nodes: cacheNodes, ...cacheDemand },
    costPerHourUsd: { fargate, alb, nat, cache, cloudfront, waf, total },
    saleHours: inputs.saleHours,
    saleWindowCostUsd: total * inputs.saleHours,
    pricingAsOf: p.asOf,
    warnings,
  };
}

function resolveAssumptions(inputs: CapacityPlanInputs): CapacityPlan['assumptions'] {
  const merged = { ...DEFAULT_ASSUMPTIONS, ...definedOnly(inputs.assumptions ?? {}) };
  const edgeAbsorbedShare =
    merged.edgeAbsorbedShare ?? (inputs.hasCachedRoutes ? DEFAULT_EDGE_ABSORBED_SHARE_WHEN_CACHED : 0);
  return { ...merged, edgeAbsorbedShare };
}

/** `{ headroom: undefined }` from an unset flag must not erase the default. */
function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function validate(inputs: CapacityPlanInputs, a: CapacityPlan['assumptions']): void {
  const problems: string[] = [];
  const check = (name: string, value: number, ok: (v: number) => boolean, expected: string) => {
    if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value))
      problems.push(`${name}: got ${JSON.stringify(value)}; expected ${expected}`);
  };
  const nonNegative = (v: number) => v >= 0;
  const positive = (v: number) => v > 0;
  const shareOf = (v: number) => v >= 0 && v <= 1;

  check('audience.socialFollowers', inputs.audience.socialFollowers, nonNegative, 'a number of people, 0 or more');
  check('audience.registeredUsers', inputs.audience.registeredUsers, nonNegative, 'a number of people, 0 or more');
  check('audience.adImpressions', inputs.audience.adImpressions, nonNegative, 'a number of impressions, 0 or more');
  check(
    'taskCapacityRps',
    inputs.taskCapacityRps,
    positive,
    'requests per second above 0 (run `saleday loadtest` or pass --task-capacity)',
  );
  check(
    'fleet.baselineTasks',
    inputs.fleet.baselineTasks,
    (v) => Number.isInteger(v) && v >= 1,
    'a whole number of tasks, 1 or more',
  );
  check('fleet.cpu', inputs.fleet.cpu, positive, 'CPU units above 0');
  check('fleet.memoryMiB', inputs.fleet.memoryMiB, positive, 'MiB above 0');
  check(
    'cache.replicas',
    inputs.cache.replicas,
    (v) => Number.isInteger(v) && v >= 0,
    'a whole number of replicas, 0 or more',
  );
  check('saleHours', inputs.saleHours, nonNegative, 'hours, 0 or more');
  check('followerShowUpShare', a.followerShowUpShare, shareOf, 'a share between 0 and 1');
  check('registeredShowUpShare', a.registeredShowUpShare, shareOf, 'a share between 0 and 1');
  check('impressionVisitShare', a.impressionVisitShare, shareOf, 'a share between 0 and 1');
  check('peakMinuteShare', a.peakMinuteShare, (v) => v > 0 && v <= 1, 'a share above 0 and at most 1');
  check('sessionMinutes', a.sessionMinutes, positive, 'minutes above 0');
  check('requestsPerUserPerMinute', a.requestsPerUserPerMinute, positive, 'requests per minute above 0');
  check('edgeAbsorbedShare', a.edgeAbsorbedShare, (v) => v >= 0 && v < 1, 'a share from 0 up to (not including) 1');
  check(
    'headroom',
    a.headroom,
    (v) => v >= HEADROOM_RANGE.min && v <= HEADROOM_RANGE.max,
    `a factor between ${HEADROOM_RANGE.min} and ${HEADROOM_RANGE.max}`,
  );
  check('maxTasksFactor', a.maxTasksFactor, (v) => v >= 1, 'a factor of 1 or more');
  check('cacheOpsPerRequest', a.cacheOpsPerRequest, nonNegative, 'operations, 0 or more');
  check('cacheConnectionsPerTask', a.cacheConnectionsPerTask, nonNegative, 'connections, 0 or more');
  check('cacheTargetUtilization', a.cacheTargetUtilization, (v) => v > 0 && v <= 1, 'a share above 0 and at most 1');
  check('cacheBytesPerVisitor', a.cacheBytesPerVisitor, nonNegative, 'bytes, 0 or more');
  check('averageResponseKiB', a.averageResponseKiB, nonNegative, 'KiB, 0 or more');
  check(
    'albNewConnectionsPerRequest',
    a.albNewConnectionsPerRequest,
    nonNegative,
    'connections per request, 0 or more',
  );
  check('natGateways', a.natGateways, (v) => Number.isInteger(v) && v >= 0, 'a whole number, 0 or more');
  check('wafRulesPerWebAcl', a.wafRulesPerWebAcl, (v) => Number.isInteger(v) && v >= 0, 'a whole number, 0 or more');
  if (problems.length > 0) throw new PlannerInputError(problems);
}
