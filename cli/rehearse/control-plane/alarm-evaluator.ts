/**
 * Evaluates the config's alarms locally the way CloudWatch does: one datapoint per period, the
 * alarm goes to ALARM when at least `datapointsToAlarm` of the last `evaluationPeriods` datapoints
 * breach the threshold ("M out of N"), to OK otherwise, and to INSUFFICIENT_DATA when none of those
 * periods has data (missing datapoints among present ones count as not breaching).
 *
 * Periods are aligned to the start of the rehearsal and taken from the (time-scaled) config; a
 * period is evaluated once it is complete and `settleMs` has passed, because each gate flushes its
 * metrics for a second only after that second.
 */
import { cloudWatchAlarmName } from '../../../contracts/config/names';
import type { AlarmConfig, SaledayConfig } from '../../../contracts/config/schema';
import { alarmDatapoint, type RatioMathOverrides } from './alarm-metrics';
import type { FleetMetrics } from '../metrics/fleet-metrics';

export type AlarmStateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** The controller's view of an alarm (what DescribeAlarms gives it on AWS). */
export interface EvaluatedAlarm {
  /** The CloudWatch alarm name, as the controller expects it. */
  name: string;
  state: AlarmStateValue;
  /** When the state last changed (ISO 8601). */
  updatedAt: string;
  alarm: AlarmConfig;
  /** The datapoints of the last evaluation, oldest first (undefined = no data in that period). */
  datapoints: (number | undefined)[];
}

export interface AlarmEvaluatorOptions {
  config: Pick<SaledayConfig, 'saleName' | 'alarms'>;
  metrics: FleetMetrics;
  /** When the rehearsal started (ms since the epoch); periods are aligned to the next whole second. */
  startMs: number;
  /** Delay after a period ends before it is evaluated, so every gate has flushed it. @default 1500 */
  settleMs?: number;
  /** Formulas to use instead of the shared ones (contracts/metrics/alarm-math.ts); for tests. */
  ratioMath?: RatioMathOverrides;
}

export class AlarmEvaluator {
  private readonly startSecond: number;
  private readonly settleMs: number;
  private readonly states = new Map<string, EvaluatedAlarm>();

  constructor(private readonly options: AlarmEvaluatorOptions) {
    this.startSecond = Math.ceil(options.startMs / 1000);
    this.settleMs = options.settleMs ?? 1500;
    const startedAt = new Date(options.startMs).toISOString();
    for (const alarm of options.config.alarms) {
      const name = cloudWatchAlarmName(options.config, alarm);
      this.states.set(alarm.name, { name, state: 'INSUFFICIENT_DATA', updatedAt: startedAt, alarm, datapoints: [] });
    }
  }

  /** Re-evaluates every alarm at `nowMs`; returns all states and the ones that changed. */
  evaluate(nowMs: number): { states: EvaluatedAlarm[]; changed: EvaluatedAlarm[] } {
    const changed: EvaluatedAlarm[] = [];
    for (const alarm of this.options.config.alarms) {
      const previous = this.states.get(alarm.name)!;
      const datapoints = this.datapoints(alarm, nowMs);
      const state = decideState(alarm, datapoints);
      const next: EvaluatedAlarm = { ...previous, datapoints, state };
      if (state !== previous.state) {
        next.updatedAt = new Date(nowMs).toISOString();
        changed.push(next);
      }
      this.states.set(alarm.name, next);
    }
    return { states: this.current(), changed };
  }

  current(): EvaluatedAlarm[] {
    return [...this.states.values()];
  }

  /** Datapoints of the last `evaluationPeriods` complete periods, oldest first. */
  private datapoints(alarm: AlarmConfig, nowMs: number): (number | undefined)[] {
    const period = alarm.periodSeconds;
    const settledSecond = Math.floor((nowMs - this.settleMs) / 1000);
    const completePeriods = Math.floor((settledSecond - this.startSecond) / period);
    const first = Math.max(0, completePeriods - alarm.evaluationPeriods);
    const points: (number | undefined)[] = [];
    for (let index = first; index < completePeriods; index += 1) {
      const from = this.startSecond + index * period;
      points.push(alarmDatapoint(alarm, this.options.metrics.range(from, from + period), this.options.ratioMath));
    }
    return points;
  }
}

export function breaches(alarm: Pick<AlarmConfig, 'comparison' | 'threshold'>, value: number): boolean {
  return alarm.comparison === 'less' ? value < alarm.threshold : value > alarm.threshold;
}

export function decideState(
  alarm: Pick<AlarmConfig, 'comparison' | 'threshold' | 'datapointsToAlarm'>,
  datapoints: readonly (number | undefined)[],
): AlarmStateValue {
  const present = datapoints.filter((d): d is number => d !== undefined);
  if (present.length === 0) return 'INSUFFICIENT_DATA';
  const breaching = present.filter((d) => breaches(alarm, d)).length;
  return breaching >= alarm.datapointsToAlarm ? 'ALARM' : 'OK';
}
