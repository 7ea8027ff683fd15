/**
 * The report's timeline, second by second: what the clients saw per class (the recorder), what the
 * control plane and the gates were doing (its timeline, the fleet metrics), and the machine's load.
 */
import { PRIORITY_CLASSES, type PriorityClass } from '../../../contracts/config/schema';
import type { LatencySummary, OutcomeRecorder, SecondTally, Tally } from '../traffic/outcome-recorder';
import { refusedCount } from './rehearsal-checks';
import type { ClassSecondReport, ControlSecond, ReportInputs, TimelineSecond } from './rehearsal-report';

export function buildTimeline(
  inputs: Pick<ReportInputs, 'recorder' | 'control' | 'fleetSeconds' | 'scheduleLagMs'>,
  seconds: readonly SecondTally[],
  length: number,
): TimelineSecond[] {
  const { recorder } = inputs;
  const timeline: TimelineSecond[] = [];
  let lastControl: ControlSecond = { level: 0, openBreakers: [], alarmsInAlarm: [] };
  for (let second = 0; second < length; second += 1) {
    const tally = seconds[second];
    lastControl = inputs.control[second] ?? lastControl;
    const fleet = inputs.fleetSeconds[second];
    const gateLevels = fleet ? Object.values(fleet.flagsLevelByGate) : [];
    const classes = {} as Record<PriorityClass, ClassSecondReport>;
    for (const c of PRIORITY_CLASSES) {
      const latency = recorder.secondLatency(second, c);
      classes[c] = {
        ...classCounts(tally?.classes[c].shopper, tally?.classes[c].bot),
        shopper: classCounts(tally?.classes[c].shopper, undefined),
        p50: latency.p50,
        p99: latency.p99,
      };
    }
    timeline.push({
      second,
      classes,
      level: lastControl.level,
      gateLevelMin: gateLevels.length > 0 ? Math.min(...gateLevels) : null,
      gateLevelMax: gateLevels.length > 0 ? Math.max(...gateLevels) : null,
      openBreakers: lastControl.openBreakers,
      alarmsInAlarm: lastControl.alarmsInAlarm,
      redisFallbackGates: fleet?.redisFallbackGates ?? 0,
      checkout: {
        attempts: tally?.checkout.attempts ?? 0,
        succeeded: tally?.checkout.succeeded ?? 0,
        failed: tally?.checkout.failed ?? 0,
        limited: tally?.checkout.limited ?? 0,
      },
      fleetCpuPercent: fleet?.resources.fleetCpuPercent ?? null,
      generatorCpuPercent: fleet?.resources.generatorCpuPercent ?? null,
      machineCpuPercent: fleet?.resources.machineCpuPercent ?? null,
      outsideCpuPercent: fleet?.resources.outsideCpuPercent ?? null,
      scheduleLagMs: inputs.scheduleLagMs?.[second] ?? null,
    });
  }
  return timeline;
}

/** The run's totals per class (shoppers and bots), their latencies, and the sums over classes. */
export function classTotals(recorder: OutcomeRecorder, seconds: readonly SecondTally[]) {
  const perClass = {} as Record<PriorityClass, Omit<ClassSecondReport, 'p50' | 'p99'>>;
  const latency = {} as Record<PriorityClass, LatencySummary>;
  for (const c of PRIORITY_CLASSES) {
    const shopper = mergeTallies(seconds.map((s) => s.classes[c].shopper));
    const bot = mergeTallies(seconds.map((s) => s.classes[c].bot));
    perClass[c] = classCounts(shopper, bot);
    latency[c] = recorder.classLatency(c);
  }
  const sum = (field: 'sent' | 'botSent' | 'dropped') =>
    PRIORITY_CLASSES.reduce((total, c) => total + perClass[c][field], 0);
  return { perClass, latency, sent: sum('sent'), botSent: sum('botSent'), dropped: sum('dropped') };
}

export function classCounts(
  shopper: Tally | undefined,
  bot: Tally | undefined,
): Omit<ClassSecondReport, 'p50' | 'p99'> {
  const both = [shopper, bot].filter((t): t is Tally => t !== undefined);
  const count = (outcome: keyof Tally['outcomes']) => both.reduce((sum, t) => sum + (t.outcomes[outcome] ?? 0), 0);
  return {
    sent: both.reduce((sum, t) => sum + t.sent, 0),
    botSent: bot?.sent ?? 0,
    served: count('served'),
    fallback: count('fallback'),
    degraded: count('degraded'),
    shed: count('shed'),
    limited: count('limited'),
    shortCircuited: count('short-circuited'),
    upstreamError: count('upstream-error'),
    failed: count('timeout') + count('error') + count('unlabelled'),
    dropped: count('dropped'),
    botRefused: bot ? refusedCount(bot) : 0,
  };
}

export function mergeTallies(tallies: readonly Tally[]): Tally {
  const merged: Tally = { sent: 0, outcomes: {}, statuses: {} };
  for (const t of tallies) {
    merged.sent += t.sent;
    for (const [outcome, n] of Object.entries(t.outcomes)) {
      const key = outcome as keyof Tally['outcomes'];
      merged.outcomes[key] = (merged.outcomes[key] ?? 0) + (n ?? 0);
    }
    for (const [status, n] of Object.entries(t.statuses)) merged.statuses[status] = (merged.statuses[status] ?? 0) + n;
  }
  return merged;
}
