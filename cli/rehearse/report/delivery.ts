/**
 * Whether the rehearsal delivered the traffic it planned. A check that fails only in seconds where
 * the generator fell behind its schedule, dropped sends at its in-flight cap, or the machine had no
 * CPU left, says nothing about the shop: those seconds measure the machine. Such a check is
 * "inconclusive", with the reason and what to do, and the run's exit code says so (3, not 1).
 *
 * The rule: the seconds of trouble (and the one after each, while the backlog drains) are set
 * aside and the check is evaluated again on the rest. It fails for real when it also fails there;
 * it is inconclusive when it passes there, or when too little of the run is left to judge.
 */
import type { Check } from './rehearsal-checks';

/** A second of the run as the rehearsal saw its own delivery. */
export interface DeliverySecond {
  /** Sends the generator dropped at its in-flight cap. */
  dropped: number;
  /** How late the generator's scheduler ran (ms); its requests left that late. */
  scheduleLagMs: number | null;
  /** CPU of the generator's process, in percent of one core. */
  generatorCpuPercent: number | null;
  /** CPU of the whole machine, in percent of all its cores. */
  machineCpuPercent: number | null;
  /** The part of it other processes used (not the rehearsal's own), in percent of all cores. */
  outsideCpuPercent: number | null;
}

export const DELIVERY_LIMITS = {
  /** A scheduler this late sends visibly late (the SLA is counted in hundreds of ms). */
  scheduleLagMs: 200,
  /** The generator's latencies describe the generator once it is this busy. */
  generatorCpuPercent: 85,
  /**
   * No core left, and much of it taken by other processes: the rehearsal's fleet waited for CPU it
   * would have had alone. (The rehearsal saturating the machine by itself is the overload it is
   * there to show, and does not count.)
   */
  machineCpuPercent: 95,
  outsideCpuPercent: 40,
  /** Below this share of the run left to judge on, a check cannot be judged at all. */
  minimumCleanShare: 0.25,
} as const;

export interface DeliveryTrouble {
  /** Seconds set aside (trouble and the second after it), ascending. */
  seconds: number[];
  /** One line per kind of trouble: what, how much, from when. */
  reasons: string[];
  totalSeconds: number;
}

export function deliveryTrouble(timeline: readonly DeliverySecond[]): DeliveryTrouble {
  const kinds = {
    dropped: [] as number[],
    late: [] as number[],
    generatorBusy: [] as number[],
    machineBusy: [] as number[],
  };
  let droppedTotal = 0;
  let worstLag = 0;
  timeline.forEach((s, second) => {
    if (s.dropped > 0) kinds.dropped.push(second);
    droppedTotal += s.dropped;
    if ((s.scheduleLagMs ?? 0) >= DELIVERY_LIMITS.scheduleLagMs) kinds.late.push(second);
    worstLag = Math.max(worstLag, s.scheduleLagMs ?? 0);
    if ((s.generatorCpuPercent ?? 0) >= DELIVERY_LIMITS.generatorCpuPercent) kinds.generatorBusy.push(second);
    if (
      (s.machineCpuPercent ?? 0) >= DELIVERY_LIMITS.machineCpuPercent &&
      (s.outsideCpuPercent ?? 0) >= DELIVERY_LIMITS.outsideCpuPercent
    )
      kinds.machineBusy.push(second);
  });
  const reasons: string[] = [];
  const from = (seconds: number[]) => `${seconds.length} s from ${seconds[0]}s`;
  if (kinds.dropped.length > 0)
    reasons.push(`the generator dropped ${droppedTotal} sends at its in-flight cap (${from(kinds.dropped)})`);
  if (kinds.late.length > 0)
    reasons.push(`the generator fell behind its schedule by up to ${worstLag} ms (${from(kinds.late)})`);
  if (kinds.generatorBusy.length > 0)
    reasons.push(
      `the generator used ≥ ${DELIVERY_LIMITS.generatorCpuPercent}% of a core (${from(kinds.generatorBusy)})`,
    );
  if (kinds.machineBusy.length > 0)
    reasons.push(
      `the machine's CPU was ≥ ${DELIVERY_LIMITS.machineCpuPercent}% busy, ≥ ${DELIVERY_LIMITS.outsideCpuPercent}% of it other programs (${from(kinds.machineBusy)})`,
    );
  const troubled = new Set<number>();
  for (const second of [...kinds.dropped, ...kinds.late, ...kinds.generatorBusy, ...kinds.machineBusy]) {
    troubled.add(second);
    if (second + 1 < timeline.length) troubled.add(second + 1);
  }
  return { seconds: [...troubled].sort((a, b) => a - b), reasons, totalSeconds: timeline.length };
}

/** What a person can do about a run the machine could not deliver. */
export const INCONCLUSIVE_ADVICE =
  'run it again on a quieter machine (close other programs), or with a lighter load: fewer pairs (--gates 1) or a profile with lower rates (--profile); the calibration at the start scales the traffic to what this machine measured';

/**
 * The check as it stands, or inconclusive: it failed, the run had delivery trouble, and on the
 * seconds without trouble it passes (or too little is left to tell).
 */
export function judgeDelivery(check: Check, onCleanSeconds: () => Check | undefined, trouble: DeliveryTrouble): Check {
  if (check.pass || check.skipped || trouble.seconds.length === 0) return check;
  const cleanSeconds = trouble.totalSeconds - trouble.seconds.length;
  const why = trouble.reasons.join('; ');
  if (cleanSeconds < trouble.totalSeconds * DELIVERY_LIMITS.minimumCleanShare) {
    return inconclusive(check, `only ${cleanSeconds} of ${trouble.totalSeconds} s were delivered as planned: ${why}`);
  }
  const clean = onCleanSeconds();
  if (!clean)
    return inconclusive(
      check,
      `nothing to judge it on outside the ${trouble.seconds.length} s the rehearsal could not deliver as planned (${why})`,
    );
  if (!clean.pass)
    return {
      ...check,
      value: `${check.value}; it fails on the ${cleanSeconds} s delivered as planned too (${clean.value})`,
    };
  return inconclusive(
    check,
    `it fails only in the ${trouble.seconds.length} s the rehearsal could not deliver as planned (${why}); on the other ${cleanSeconds} s: ${clean.value}`,
  );
}

function inconclusive(check: Check, reason: string): Check {
  return { ...check, pass: false, inconclusive: true, reason, advice: INCONCLUSIVE_ADVICE };
}

/** What the run says: 'failed' when a check failed, 'inconclusive' when none did but one could not tell, else 'passed'. */
export type RunVerdict = 'passed' | 'failed' | 'inconclusive';

export function runVerdict(checks: readonly Check[]): RunVerdict {
  if (checks.some((c) => !c.pass && !c.inconclusive)) return 'failed';
  if (checks.some((c) => c.inconclusive)) return 'inconclusive';
  return 'passed';
}

/** The exit code of `saleday rehearse`: 0 passed, 1 a check failed, 3 inconclusive (the machine, not the shop). */
export const EXIT_CODES: Record<RunVerdict, number> = { passed: 0, failed: 1, inconclusive: 3 };
