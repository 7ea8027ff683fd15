/**
 * The drop rehearsal's checks (`waiting-room-…`), each a pure function of the recorded visitors,
 * the room's seconds and the facts of the run (the calibrated capacity, the SLA, the opening).
 * They return the rehearsal's Check shape, so the terminal and the reports print them alike.
 */
import type { Check } from '../report/rehearsal-checks';
import { spearman } from './rank-correlation';
import { waitingSeconds, type DropFacts, type ShopAnswer, type VisitorRecord } from './drop-records';

/** The numbers. */
export const DROP_LIMITS = {
  goodputShareOfCapacity: 0.9,
  estimateErrorAtP90: 0.2,
  botAdmissionShare: 0.05,
  /** Pre-queue order: |ρ| between arrival and admission order at most this (unrelated orders). */
  preQueueMaxAbsRho: 0.25,
  /** After the opening: ρ between ticket and admission order at least this (first come, first served). */
  fifoMinRho: 0.9,
  /** The queue keeps moving: no longer stretch without an admission while people wait. */
  maxStallSeconds: 3,
  /** Fewer ordered visitors than this say nothing about an order. */
  minOrderSample: 30,
} as const;

const admitted = (records: readonly VisitorRecord[]) =>
  records.filter((r) => r.kind === 'visitor' && r.admittedAtMs !== undefined && r.ticketNumber !== undefined);
/** Admitted visitors whose place in line the waiting page told: the room's admission order. */
const placed = (records: readonly VisitorRecord[]) => admitted(records).filter((r) => r.place !== undefined);

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Admitted shoppers' checkouts: p99 within the SLA. */
export function admittedCheckoutLatencyCheck(records: readonly VisitorRecord[], facts: DropFacts): Check {
  const latencies = records
    .filter((r) => r.kind === 'visitor')
    .flatMap((r) => r.shop.filter((a) => a.checkout).map((a) => a.latencyMs));
  const p99 = percentile(latencies, 99);
  return {
    name: 'waiting-room-checkout-p99-within-sla',
    pass: latencies.length > 0 && p99 <= facts.slaP99Ms,
    value:
      latencies.length > 0
        ? `p99 ${Math.round(p99)} ms over ${latencies.length} admitted shoppers' checkouts`
        : 'no admitted shopper checked out',
    expected: `≤ ${facts.slaP99Ms} ms (sla.p99LatencyMs)`,
  };
}

/** An admitted shopper is never told the shop is overloaded (a 503), nor left without an answer. */
export function noOverloadForAdmittedCheck(records: readonly VisitorRecord[]): Check {
  const answers = records.filter((r) => r.kind === 'visitor').flatMap((r) => r.shop);
  const overloaded = answers.filter((a) => a.status === 503).length;
  const unanswered = answers.filter((a) => a.status === undefined).length;
  return {
    name: 'waiting-room-no-overload-for-admitted',
    pass: answers.length > 0 && overloaded === 0 && unanswered === 0,
    value: `${overloaded} overload 503(s) and ${unanswered} timeout(s) or error(s) in ${answers.length} admitted shoppers' requests`,
    expected: '0 of each',
  };
}

/** Useful work: an answer the shopper could use (below 400, or a checkout's sold-out 409) within the SLA. */
export function isGoodAnswer(answer: ShopAnswer, slaP99Ms: number): boolean {
  if (answer.status === undefined || answer.latencyMs > slaP99Ms) return false;
  return answer.status < 400 || (answer.checkout && answer.status === 409);
}

/**
 * While people wait, the room admits enough shoppers to keep the fleet at its measured capacity;
 * counted from when the first admissions can show in the fleet's load (a page refresh and a visit
 * after the opening), since before that no admission rate could fill the fleet.
 */
export function goodputWhileWaitingCheck(records: readonly VisitorRecord[], facts: DropFacts): Check {
  const firstSecond = Math.floor((facts.openedAtMs + (facts.admissionShowsAfterMs ?? 0)) / 1000);
  const seconds = new Set([...waitingSeconds(records, facts)].filter((s) => s >= firstSecond));
  const good = new Map<number, number>();
  for (const r of records) {
    if (r.kind !== 'visitor') continue;
    for (const a of r.shop) {
      const s = Math.floor(a.atMs / 1000);
      if (seconds.has(s) && isGoodAnswer(a, facts.slaP99Ms)) good.set(s, (good.get(s) ?? 0) + 1);
    }
  }
  const total = [...seconds].reduce((sum, s) => sum + (good.get(s) ?? 0), 0);
  const goodput = seconds.size > 0 ? total / seconds.size : 0;
  const share = facts.capacityRps > 0 ? goodput / facts.capacityRps : 0;
  return {
    name: 'waiting-room-goodput-while-waiting',
    pass: seconds.size > 0 && share >= DROP_LIMITS.goodputShareOfCapacity,
    value:
      seconds.size > 0
        ? `${goodput.toFixed(1)} good answers/s over ${seconds.size} s with people waiting: ${percent(share)} of the measured ${facts.capacityRps} req/s`
        : 'nobody waited after the opening',
    expected: `≥ ${percent(DROP_LIMITS.goodputShareOfCapacity)} of the measured capacity`,
  };
}

/**
 * Pre-queue visitors are let in in an order that has nothing to do with when they arrived: arrival
 * order is the ticket's number (one INCR per join), admission order the place the line reaches.
 * Every pre-queue visitor told a place counts, admitted or not: those told one were all there at the
 * opening, so who they are cannot depend on their place, while whether they stayed until the line
 * reached them does (an impatient visitor stays only with an early place).
 */
export function preQueueOrderCheck(records: readonly VisitorRecord[]): Check {
  const sample = records.filter(
    (r) => r.kind === 'visitor' && r.preQueue && r.place !== undefined && r.ticketNumber !== undefined,
  );
  const rho = spearman(
    sample.map((r) => r.ticketNumber!),
    sample.map((r) => r.place!),
  );
  const enough = sample.length >= DROP_LIMITS.minOrderSample;
  return {
    name: 'waiting-room-pre-queue-random-order',
    pass: enough && Math.abs(rho) <= DROP_LIMITS.preQueueMaxAbsRho,
    value: enough
      ? `rank correlation ${rho.toFixed(2)} between arrival and admission order over ${sample.length} pre-queue visitors told their place`
      : `only ${sample.length} pre-queue visitors were told their place`,
    expected: `|ρ| ≤ ${DROP_LIMITS.preQueueMaxAbsRho} over at least ${DROP_LIMITS.minOrderSample} visitors`,
  };
}

/** After the opening, first come, first served. */
export function fifoAfterOpeningCheck(records: readonly VisitorRecord[]): Check {
  const sample = placed(records).filter((r) => !r.preQueue);
  const rho = spearman(
    sample.map((r) => r.ticketNumber!),
    sample.map((r) => r.place!),
  );
  const enough = sample.length >= DROP_LIMITS.minOrderSample;
  return {
    name: 'waiting-room-fifo-after-opening',
    pass: enough && rho >= DROP_LIMITS.fifoMinRho,
    value: enough
      ? `rank correlation ${rho.toFixed(3)} between ticket and admission order over ${sample.length} visitors who came after the opening`
      : `only ${sample.length} visitors came after the opening and got in`,
    expected: `ρ ≥ ${DROP_LIMITS.fifoMinRho}`,
  };
}

/**
 * The first estimated wait the page gave, against the wait that followed: until the line reached the
 * visitor's place (what the estimate predicts). A visitor notices only at its page's next refresh
 * (at least 2 s, not compressed with the rest of the rehearsal's time), so that wait is shown too.
 */
export function waitEstimateCheck(records: readonly VisitorRecord[]): Check {
  const sample = admitted(records).filter((r) => r.firstEstimate !== undefined && r.lineReachedAtMs !== undefined);
  const error = (actualMs: number, r: VisitorRecord) => {
    const actual = Math.max(0, actualMs - r.firstEstimate!.atMs) / 1000;
    return Math.abs(r.firstEstimate!.seconds - actual) / Math.max(actual, 1);
  };
  const errors = sample.map((r) => error(r.lineReachedAtMs!, r));
  const noticed = sample.map((r) => error(r.admittedAtMs!, r));
  const p90 = percentile(errors, 90);
  return {
    name: 'waiting-room-wait-estimate',
    pass: errors.length > 0 && p90 <= DROP_LIMITS.estimateErrorAtP90,
    value:
      errors.length > 0
        ? `p90 error ${percent(p90)} (median ${percent(percentile(errors, 50))}) over ${errors.length} admitted visitors; against the moment they noticed, p90 ${percent(percentile(noticed, 90))}`
        : 'no admitted visitor was given an estimate',
    expected: `p90 of |estimated − actual| / actual ≤ ${percent(DROP_LIMITS.estimateErrorAtP90)}`,
  };
}

/** Farming tickets does not pay: bots get a small share of the admissions. */
export function botAdmissionsCheck(records: readonly VisitorRecord[]): Check {
  const bots = records.filter((r) => r.kind === 'bot');
  const botAdmitted = bots.filter((r) => r.admittedAtMs !== undefined).length;
  const all = botAdmitted + admitted(records).length;
  const share = all > 0 ? botAdmitted / all : 0;
  const farmed = bots.filter((r) => r.ticketNumber !== undefined).length;
  return {
    name: 'waiting-room-bot-admissions',
    pass: all > 0 && bots.length > 0 && share <= DROP_LIMITS.botAdmissionShare,
    value:
      bots.length > 0
        ? `bots got ${botAdmitted} of ${all} admissions (${percent(share)}) from ${farmed} tickets farmed in ${bots.length} tries`
        : 'no bot tried',
    expected: `≤ ${percent(DROP_LIMITS.botAdmissionShare)}`,
  };
}

/**
 * Half the line walks away, and the line still moves: no stretch of more than a few seconds
 * without an admission while people wait, and everyone who stayed got in.
 */
export function queueMovesWithAbandonmentCheck(records: readonly VisitorRecord[], facts: DropFacts): Check {
  const visitors = records.filter((r) => r.kind === 'visitor' && r.ticketNumber !== undefined);
  const abandoned = visitors.filter((r) => r.abandonedAtMs !== undefined).length;
  const stayedOut = visitors.filter((r) => r.admittedAtMs === undefined && r.abandonedAtMs === undefined).length;
  const admissions = new Set(admitted(records).map((r) => Math.floor(r.admittedAtMs! / 1000)));
  let longest = 0;
  let run = 0;
  for (const s of [...waitingSeconds(records, facts)].sort((a, b) => a - b)) {
    run = admissions.has(s) ? 0 : run + 1;
    longest = Math.max(longest, run);
  }
  const share = visitors.length > 0 ? abandoned / visitors.length : 0;
  return {
    name: 'waiting-room-queue-moves-with-abandonment',
    pass: visitors.length > 0 && longest <= DROP_LIMITS.maxStallSeconds && stayedOut === 0,
    value: `${percent(share)} of ${visitors.length} visitors in line abandoned; longest stretch without an admission while people waited ${longest} s; ${stayedOut} who stayed never got in`,
    expected: `no stall over ${DROP_LIMITS.maxStallSeconds} s, everyone who stayed admitted`,
  };
}

export function dropChecks(records: readonly VisitorRecord[], facts: DropFacts): Check[] {
  return [
    admittedCheckoutLatencyCheck(records, facts),
    noOverloadForAdmittedCheck(records),
    goodputWhileWaitingCheck(records, facts),
    preQueueOrderCheck(records),
    fifoAfterOpeningCheck(records),
    waitEstimateCheck(records),
    botAdmissionsCheck(records),
    queueMovesWithAbandonmentCheck(records, facts),
  ];
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}
