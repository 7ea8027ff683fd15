/**
 * report.json: everything a rehearsal observed, second by second, and the checks. Built by a pure
 * function from the recorder (client side), the fleet metrics (gate side), the control plane's
 * timeline and the shop's statistics, so the report can be tested without running a sale.
 */
import { PRIORITY_CLASSES, type PriorityClass, type SaledayConfig } from '../../../contracts/config/schema';
import { groupFailedCycles, type FailedCycle, type FailedCycleStretch } from '../control-plane/controller-failures';
import type { CalibrationReport } from '../traffic/calibration';
import { placeChecks } from './check-context';
import { deliveryTrouble } from './delivery';
import { judgeChecksOnDelivery } from './delivery-judgement';
import type { FleetSecond } from '../metrics/fleet-metrics';
import type { LatencySummary, OutcomeRecorder, SecondTally, Tally } from '../traffic/outcome-recorder';
import {
  botRefusalCheck,
  checkoutLatencyCheck,
  checkoutSuccessCheck,
  checksOfInterruptedRun,
  levelsCheck,
  noOversellCheck,
  recoveryCheck,
  type Check,
  type OutageWindow,
  type ShopNumbers,
} from './rehearsal-checks';
import type { TrafficProfile } from '../traffic/traffic-profile';
import { phaseReports, reportConfig } from './report-config';
import { buildTimeline, classTotals, mergeTallies } from './report-timeline';

export interface ClassSecondReport {
  /** Requests sent in this second (shoppers and bots), by intended send time. */
  sent: number;
  botSent: number;
  served: number;
  fallback: number;
  degraded: number;
  shed: number;
  limited: number;
  shortCircuited: number;
  upstreamError: number;
  /** Timeouts, connection errors and answers without the outcome header. */
  failed: number;
  /** Sends the generator could not make (too many outstanding requests). */
  dropped: number;
  botRefused: number;
  /** The shoppers' part of the counts above (bots' 429s would otherwise hide them on a chart). */
  shopper?: Omit<ClassSecondReport, 'p50' | 'p99' | 'shopper'>;
  /** Shopper latency percentiles (ms) of requests meant for this second. */
  p50: number;
  p99: number;
}

export interface TimelineSecond {
  /** Seconds from the start of the run. */
  second: number;
  classes: Record<PriorityClass, ClassSecondReport>;
  /** The controller's effective level at the end of this second. */
  level: number;
  /** Lowest and highest level reported by the gates (they follow the controller within a poll). */
  gateLevelMin: number | null;
  gateLevelMax: number | null;
  openBreakers: string[];
  alarmsInAlarm: string[];
  redisFallbackGates: number;
  checkout: { attempts: number; succeeded: number; failed: number; limited: number };
  fleetCpuPercent: number | null;
  generatorCpuPercent: number | null;
  /** CPU of the whole machine (percent of all cores), and how late the generator's scheduler ran (ms). */
  machineCpuPercent: number | null;
  /** The part of the machine's CPU other processes used (percent of all cores). */
  outsideCpuPercent: number | null;
  scheduleLagMs: number | null;
}

export interface ControlSecond {
  level: number;
  openBreakers: string[];
  alarmsInAlarm: string[];
}

export interface FlagsChange {
  second: number;
  version: number;
  level: number;
  openBreakers: string[];
  reason: string;
}

export interface PhaseReport {
  kind: string;
  label: string;
  startSecond: number;
  endSecond: number;
}

export interface RehearsalReport {
  generatedAt: string;
  /**
   * Ctrl-C or SIGTERM stopped the traffic before its planned end: the timeline, totals and checks
   * cover the part that ran, and the phases it never reached are left out (a notice names them).
   */
  interrupted: boolean;
  /** The signal that stopped the run (SIGINT, SIGTERM), or null. */
  interruptedBy: string | null;
  /** Seconds of traffic planned (as config.durationSeconds) and sent (to a tenth). */
  duration: { plannedSeconds: number; ranSeconds: number };
  config: {
    saleName: string;
    sla: SaledayConfig['sla'];
    gates: number;
    durationSeconds: number;
    timeScale: number;
    redis: string;
    profile: string;
    seed: number;
    routes: { name: string; path: string; priority: PriorityClass }[];
    degradation: SaledayConfig['degradation'];
    alarms: {
      name: string;
      metric: string;
      threshold: number;
      periodSeconds: number;
      scaledPeriodSeconds: number;
      evaluationPeriods: number;
      datapointsToAlarm: number;
      effect: string;
    }[];
    controller: {
      calmPeriodSeconds: number;
      scaledCalmPeriodSeconds: number;
      breakerCalmSeconds: number;
      scaledBreakerCalmSeconds: number;
    };
  };
  phases: PhaseReport[];
  outage: OutageWindow | null;
  timeline: TimelineSecond[];
  latency: { perClass: Record<PriorityClass, LatencySummary>; checkout: LatencySummary };
  totals: {
    sent: number;
    botSent: number;
    dropped: number;
    perClass: Record<PriorityClass, Omit<ClassSecondReport, 'p50' | 'p99'>>;
  };
  flagsChanges: FlagsChange[];
  shop: ShopNumbers | null;
  notices: string[];
  checks: Check[];
  /** Controller cycles that failed, in consecutive stretches (controller-failures.ts). */
  controllerFailures?: FailedCycleStretch[];
  /** Seconds the rehearsal could not deliver as planned, and why (see delivery.ts). */
  delivery: { troubledSeconds: number[]; reasons: string[] };
  /** What this machine's fleet served before the run, and the rates the profile was scaled to. */
  calibration: CalibrationReport | null;
}

export interface ReportInputs {
  config: SaledayConfig;
  scaledConfig: SaledayConfig;
  profile: TrafficProfile;
  run: { gates: number; durationMs: number; timeScale: number; redis: string; seed: number; generatedAt: Date };
  recorder: OutcomeRecorder;
  /** Fleet metrics per second of the run (index = second from the start; undefined when no gate reported). */
  fleetSeconds: readonly (FleetSecond | undefined)[];
  /** The control plane's state per second of the run. */
  control: readonly (ControlSecond | undefined)[];
  flagsChanges: FlagsChange[];
  outage: OutageWindow | undefined;
  shop: ShopNumbers | undefined;
  notices: string[];
  /** Set when a signal stopped the traffic `ranMs` after its start. */
  interruption?: { signal: string; ranMs: number };
  /** The control plane's failed cycles. */
  failedCycles?: readonly FailedCycle[];
  /** Checks of the scenarios measured outside the recorder (failover, flags key loss). */
  scenarioChecks?: Check[];
  /** How late the generator's scheduler ran in each second (ms). */
  scheduleLagMs?: readonly number[];
  /** The calibration the profile's rates were scaled to (none with --no-calibration). */
  calibration?: CalibrationReport;
}

export function buildReport(inputs: ReportInputs): RehearsalReport {
  const { profile, run, recorder, interruption } = inputs;
  const durationSeconds = Math.round(run.durationMs / 1000);
  const ranSeconds = interruption
    ? Math.round(Math.min(interruption.ranMs, run.durationMs) / 100) / 10
    : durationSeconds;
  // An interrupted run's timeline ends with the (maybe partial) second the traffic stopped in.
  const timelineSeconds = interruption ? Math.max(1, Math.ceil(ranSeconds)) : durationSeconds;
  const seconds = recorder.timeline().slice(0, Math.max(timelineSeconds, 1));
  const timeline = buildTimeline(inputs, seconds, Math.max(seconds.length, timelineSeconds));
  const totals = classTotals(recorder, seconds);
  const everything = mergeTallies(
    seconds.flatMap((s) => PRIORITY_CLASSES.flatMap((c) => [s.classes[c].shopper, s.classes[c].bot])),
  );
  const phases = phaseReports(profile, run.durationMs);
  const { checks, trouble } = judgeChecks(inputs, { seconds, timeline, phases, durationSeconds, ranSeconds });
  const reached = phases.filter((p) => !interruption || p.startSecond < ranSeconds);
  const notReached = phases.filter((p) => !reached.includes(p));
  return {
    generatedAt: run.generatedAt.toISOString(),
    interrupted: interruption !== undefined,
    interruptedBy: interruption?.signal ?? null,
    duration: { plannedSeconds: durationSeconds, ranSeconds },
    config: reportConfig(inputs, durationSeconds),
    // What ran of each phase, so the charts end where the run did.
    phases: reached.map((p) => ({ ...p, endSecond: Math.min(p.endSecond, ranSeconds) })),
    outage:
      inputs.outage && interruption
        ? { ...inputs.outage, endSecond: Math.min(inputs.outage.endSecond, ranSeconds) }
        : (inputs.outage ?? null),
    timeline,
    latency: { perClass: totals.latency, checkout: recorder.checkoutLatency() },
    totals: { sent: totals.sent, botSent: totals.botSent, dropped: totals.dropped, perClass: totals.perClass },
    flagsChanges: inputs.flagsChanges,
    shop: inputs.shop ?? null,
    notices: [
      ...inputs.notices,
      ...(notReached.length > 0
        ? [
            `interrupted before these phases began: ${notReached.map((p) => `${p.label} (${p.startSecond}–${p.endSecond}s)`).join(', ')}`,
          ]
        : []),
      ...generatorNotice(timeline),
      ...oddAnswerNotices(everything),
    ],
    checks,
    controllerFailures: groupFailedCycles(inputs.failedCycles ?? [], [
      ...phases,
      ...(inputs.outage ? [{ label: 'Redis down', ...inputs.outage }] : []),
    ]),
    delivery: { troubledSeconds: trouble.seconds, reasons: trouble.reasons },
    calibration: inputs.calibration ?? null,
  };
}

/**
 * The checks, as the run measured them, then as an interrupted run can answer them, then judged
 * again without the seconds the rehearsal could not deliver, each placed on its chart.
 */
function judgeChecks(
  inputs: ReportInputs,
  run: {
    seconds: readonly SecondTally[];
    timeline: readonly TimelineSecond[];
    phases: PhaseReport[];
    durationSeconds: number;
    ranSeconds: number;
  },
): { checks: Check[]; trouble: ReturnType<typeof deliveryTrouble> } {
  const { config, recorder, outage } = inputs;
  const { seconds, timeline } = run;
  const recoveryLimitSeconds = Math.max(3, Math.min(10, Math.round(run.durationSeconds * 0.08)));
  const evaluated: Check[] = [
    checkoutSuccessCheck(seconds, outage, recoveryLimitSeconds, 1 - config.sla.errorRate),
    botRefusalCheck(seconds, 0.9),
    checkoutLatencyCheck(recorder.checkoutLatency(), config.sla.p99LatencyMs),
    noOversellCheck(inputs.shop, recorder.unitsBoughtByClients()),
    recoveryCheck(seconds, outage, recoveryLimitSeconds),
    levelsCheck(
      timeline.map((t) => t.level),
      degradingAlarmFired(config, timeline),
    ),
    ...(inputs.scenarioChecks ?? []),
  ];
  const standing = inputs.interruption
    ? checksOfInterruptedRun(evaluated, {
        ranSeconds: run.ranSeconds,
        plannedSeconds: run.durationSeconds,
        phases: run.phases,
        outage,
        recoveryLimitSeconds,
      })
    : evaluated;
  const trouble = deliveryTrouble(
    timeline.map((t) => ({ ...t, dropped: PRIORITY_CLASSES.reduce((sum, c) => sum + t.classes[c].dropped, 0) })),
  );
  const judged = judgeChecksOnDelivery(standing, {
    seconds: [...seconds],
    trouble,
    recorder,
    outage,
    recoveryLimitSeconds,
    sla: config.sla,
    minimumBotRefusal: 0.9,
  });
  const checks = placeChecks(
    judged,
    [...timeline],
    config.sla.p99LatencyMs,
    (s) => outage !== undefined && s >= outage.startSecond && s < outage.endSecond + recoveryLimitSeconds,
  );
  return { checks, trouble };
}

/** Answers that mean the rehearsal itself is off (requests the shop's API refuses, a gate that did not label its answer). */
function oddAnswerNotices(all: Tally): string[] {
  const notices: string[] = [];
  const badRequests = all.outcomes['bad-request'] ?? 0;
  const unlabelled = all.outcomes.unlabelled ?? 0;
  if (badRequests > 0)
    notices.push(
      `${badRequests} request(s) were answered bad-request: the generator and the storefront's API disagree`,
    );
  if (unlabelled > 0)
    notices.push(`${unlabelled} answer(s) had no saleday-outcome header: something other than a gate answered`);
  return notices;
}

/** The generator's latencies are trustworthy only while it had CPU to spare. */
export const BUSY_GENERATOR_PERCENT = 85;

function generatorNotice(timeline: readonly TimelineSecond[]): string[] {
  const busy = timeline.filter((t) => (t.generatorCpuPercent ?? 0) >= BUSY_GENERATOR_PERCENT).map((t) => t.second);
  if (busy.length === 0) return [];
  return [
    `the traffic generator used ≥ ${BUSY_GENERATOR_PERCENT}% of a core for ${busy.length} s (from ${busy[0]}s): requests may have left late, and latencies (measured from the intended send time) then include the generator's own delay`,
  ];
}

/** Whether any alarm whose effect raises the level was in ALARM during the run. */
function degradingAlarmFired(config: Pick<SaledayConfig, 'alarms'>, timeline: readonly TimelineSecond[]): boolean {
  const degrading = new Set(
    config.alarms.filter((alarm) => alarm.effect.type === 'degrade').map((alarm) => alarm.name),
  );
  return timeline.some((second) => second.alarmsInAlarm.some((name) => degrading.has(name)));
}
