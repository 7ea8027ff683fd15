/**
 * The math of every ratio alarm, written once as data and read two ways: as a CloudWatch metric
 * math string for the CDK alarms (lib/observability/sale-metrics.ts) and as a local computation over counts summed
 * over a period for the rehearsal (cli/rehearse/alarm-metrics.ts). Both sides only say where each
 * named count comes from; neither can drift from the formula.
 *
 * A ratio is (sum of `failures` − sum of `excused`) / `over`: no datapoint when `over` is missing
 * or 0, and, with `clampAtZero`, never below 0 (the excused count and the failures it excuses are
 * published by different sources, so a period may hold more of one than of the other).
 */

/** A count summed over an alarm period (CloudWatch statistic Sum), by the name the formulas use. */
export type AlarmCount =
  /** ALB HTTPCode_Target_5XX_Count: 5xx answered by a target (the gate). */
  | 'target5xx'
  /** ALB HTTPCode_ELB_5XX_Count: 5xx the load balancer answered itself (target unreachable, timed out). */
  | 'elb5xx'
  /** ALB RequestCount. */
  | 'albRequests'
  /** Gate DeliberateRefusals: the gates' 5xx answers on the controller's orders. */
  | 'deliberateRefusals'
  /** Gate Shed over every class: refusals by overload (queue full, queue timeout). */
  | 'gateShed'
  /** Gate Requests over every class. */
  | 'gateRequests'
  /** Gate DependencyFailures of the alarm's dependency. */
  | 'dependencyFailures'
  /** Gate DependencyCalls of the alarm's dependency. */
  | 'dependencyCalls';

export interface RatioAlarmMath {
  readonly failures: readonly AlarmCount[];
  readonly excused: readonly AlarmCount[];
  readonly over: AlarmCount;
  readonly clampAtZero: boolean;
}

export type RatioAlarmMetric = 'alb-5xx-rate' | 'gate-shed-rate' | 'gate-dependency-failure-rate';

/**
 * The ratio alarms of the config. The 5xx rate leaves out the refusals the controller ordered:
 * counting them would keep the level up by its own effect (a level that sheds classes without a
 * fallback answers 503, which the ALB counts as target 5xx). Overload sheds stay in: they are real.
 */
export const RATIO_ALARM_MATH: Readonly<Record<RatioAlarmMetric, RatioAlarmMath>> = {
  'alb-5xx-rate': {
    failures: ['target5xx', 'elb5xx'],
    excused: ['deliberateRefusals'],
    over: 'albRequests',
    clampAtZero: true,
  },
  'gate-shed-rate': { failures: ['gateShed'], excused: [], over: 'gateRequests', clampAtZero: false },
  'gate-dependency-failure-rate': {
    failures: ['dependencyFailures'],
    excused: [],
    over: 'dependencyCalls',
    clampAtZero: false,
  },
};

export function isRatioAlarmMetric(metric: string): metric is RatioAlarmMetric {
  return Object.prototype.hasOwnProperty.call(RATIO_ALARM_MATH, metric);
}

/** The ratio from counts summed over one period; undefined (no datapoint) when `over` is missing or 0. */
export function evaluateRatio(
  math: RatioAlarmMath,
  sums: Readonly<Partial<Record<AlarmCount, number>>>,
): number | undefined {
  const over = sums[math.over] ?? 0;
  if (!(over > 0)) return undefined;
  const total = (counts: readonly AlarmCount[]) => counts.reduce((sum, count) => sum + (sums[count] ?? 0), 0);
  const value = (total(math.failures) - total(math.excused)) / over;
  return math.clampAtZero ? Math.max(0, value) : value;
}

/**
 * The CloudWatch metric math string of `math`, given the metric ids each count is summed from (a
 * count published per priority class has one id per class). Numerator ids are filled with 0 (a
 * quiet source publishes nothing); a single-id denominator is not, so no requests means no datapoint.
 */
export function ratioMetricMath(math: RatioAlarmMath, idsOf: (count: AlarmCount) => readonly string[]): string {
  const filled = (count: AlarmCount) => {
    const ids = idsOf(count);
    if (ids.length === 0) throw new Error(`alarm math: count ${count}: got no metric ids; expected at least one`);
    return ids.map((id) => `FILL(${id}, 0)`);
  };
  const failureTerms = math.failures.flatMap(filled);
  const excusedTerms = math.excused.flatMap(filled);
  const difference = failureTerms.join(' + ') + excusedTerms.map((term) => ` - ${term}`).join('');
  const numerator = failureTerms.length + excusedTerms.length > 1 ? `(${difference})` : difference;
  const overIds = idsOf(math.over);
  const denominator = overIds.length === 1 ? overIds[0]! : `(${filled(math.over).join(' + ')})`;
  const ratio = `${numerator} / ${denominator}`;
  return math.clampAtZero ? `IF(${ratio} < 0, 0, ${ratio})` : ratio;
}
