/**
 * The drop rehearsal's report.json, built by a pure function of what was recorded: the queue second
 * by second (arrivals, waiting, admitted, the rate the controller set, estimated against actual
 * waits), the checks, and the numbers the drop was scaled to. Also its terminal summary.
 */
import type { SaledayConfig } from '../../../contracts/config/schema';
import type { Calibration } from '../traffic/calibration';
import type { Check } from '../report/rehearsal-checks';
import { dropChecks, isGoodAnswer } from './drop-checks';
import { arrivalsBySecond, type DropPlan } from './drop-plan';
import { admissionsBySecond, waitingBySecond, type RoomSecond, type VisitorRecord } from './drop-records';

export interface QueueSecond {
  second: number;
  arrivals: number;
  /** Visitors in line at the end of the second (joined or joining, not admitted, not gone). */
  waiting: number;
  admitted: number;
  botAdmitted: number;
  abandoned: number;
  /** The controller's admission rate (tickets per second), null before the room opened. */
  ratePerSecond: number | null;
  /** The rate the waiting page estimated with (0 while estimating), null before the room opened. */
  estimateRatePerSecond: number | null;
  /** What the controller last read of the gates in this second: requests served per second and the share of capacity. */
  servedPerSecond: number | null;
  utilization: number | null;
  /**
   * The gates' own requests in flight and adaptive concurrency limits (summed over the gates) over the
   * same window: the room reads its utilization against the calibrated capacity instead (see
   * room-measurement.ts), so these say whether shedding came from limits that had shrunk.
   */
  gateInFlight: number | null;
  gateConcurrencyLimit: number | null;
  /** Tickets issued and not yet reached by the line. */
  ticketsAhead: number | null;
  /** Admitted shoppers' good answers (below 400, or sold out, within the SLA) sent this second. */
  goodput: number;
  /**
   * Of the visitors admitted this second: mean first estimated wait, mean actual wait (until the line
   * reached them) and mean wait until they noticed (their page's next refresh), in seconds.
   */
  estimatedWait: number | null;
  actualWait: number | null;
  noticedWait: number | null;
  change?: string;
}

export interface DropReport {
  scenario: 'drop';
  generatedAt: string;
  config: { saleName: string; sla: SaledayConfig['sla']; gates: number; timeScale: number; redis: string };
  capacity: { rps: number; shoppersPerSecond: number; atLeast: boolean; steps: Calibration['steps'] };
  plan: {
    visitors: number;
    preQueueVisitors: number;
    preQueueSeconds: number;
    peakArrivalsPerSecond: number;
    rampSeconds: number;
    abandonShare: number;
    botAddresses: number;
    botJoinsPerSecondPerAddress: number;
    requestsPerVisit: number;
  };
  totals: {
    visitors: number;
    admitted: number;
    abandoned: number;
    botTries: number;
    botTickets: number;
    botAdmitted: number;
    shopRequests: number;
  };
  openedAtSecond: number;
  durationSeconds: number;
  queue: QueueSecond[];
  checks: Check[];
  notices: string[];
}

export interface DropReportInputs {
  config: SaledayConfig;
  gates: number;
  calibration: Calibration;
  plan: DropPlan;
  records: readonly VisitorRecord[];
  room: readonly (RoomSecond | undefined)[];
  openedAtMs: number;
  endedAtMs: number;
  notices: string[];
  redis: string;
  generatedAt?: Date;
}

export function buildDropReport(inputs: DropReportInputs): DropReport {
  const { plan, records, config } = inputs;
  const seconds = Math.ceil(inputs.endedAtMs / 1000);
  const facts = {
    capacityRps: inputs.calibration.capacityRps,
    slaP99Ms: config.sla.p99LatencyMs,
    openedAtMs: inputs.openedAtMs,
    endedAtMs: inputs.endedAtMs,
    admissionShowsAfterMs: plan.admissionShowsAfterMs,
  };
  return {
    scenario: 'drop',
    generatedAt: (inputs.generatedAt ?? new Date()).toISOString(),
    config: {
      saleName: config.saleName,
      sla: config.sla,
      gates: inputs.gates,
      timeScale: plan.timeScale,
      redis: inputs.redis,
    },
    capacity: {
      rps: inputs.calibration.capacityRps,
      shoppersPerSecond: round1(plan.shoppersPerSecond),
      atLeast: inputs.calibration.atLeast,
      steps: inputs.calibration.steps,
    },
    plan: planSummary(plan),
    totals: dropTotals(records),
    openedAtSecond: round1(inputs.openedAtMs / 1000),
    durationSeconds: seconds,
    queue: queueBySecond(inputs, seconds),
    checks: dropChecks(records, facts),
    notices: [...inputs.notices, ...problemNotices(records)],
  };
}

/** The queue second by second, from the recorded visitors and the room's timeline. */
function queueBySecond(inputs: DropReportInputs, seconds: number): QueueSecond[] {
  const { records, config } = inputs;
  const arrivals = arrivalsBySecond(
    records.filter((r) => r.kind === 'visitor').map((r) => r.arrivedAtMs),
    seconds,
  );
  const waiting = waitingBySecond(records, seconds);
  const admitted = admissionsBySecond(records, seconds, 'visitor');
  const botAdmitted = admissionsBySecond(records, seconds, 'bot');
  const queue: QueueSecond[] = [];
  let room: RoomSecond | undefined;
  for (let second = 0; second < seconds; second += 1) {
    room = inputs.room[second] ?? room;
    queue.push({
      second,
      arrivals: arrivals[second]!,
      waiting: waiting[second]!,
      admitted: admitted[second]!,
      botAdmitted: botAdmitted[second]!,
      abandoned: records.filter(
        (r) => r.kind === 'visitor' && r.abandonedAtMs !== undefined && Math.floor(r.abandonedAtMs / 1000) === second,
      ).length,
      ratePerSecond: room?.open ? round1(room.ratePerSecond) : null,
      estimateRatePerSecond: room?.open ? round1(room.estimateRatePerSecond ?? room.ratePerSecond) : null,
      servedPerSecond: room?.measured ? round1(room.measured.servedPerSecond) : null,
      utilization: room?.measured ? Math.round(room.measured.utilization * 100) / 100 : null,
      gateInFlight: room?.measured?.gates ? round1(room.measured.gates.inFlight) : null,
      gateConcurrencyLimit: room?.measured?.gates ? round1(room.measured.gates.concurrencyLimit) : null,
      ticketsAhead: room?.open ? Math.max(0, room.issued - room.admittedBelow) : null,
      goodput: goodputIn(records, second, config.sla.p99LatencyMs),
      ...waitsOfAdmittedIn(records, second),
      ...(inputs.room[second]?.change ? { change: inputs.room[second]!.change } : {}),
    });
  }
  return queue;
}

/** Admitted shoppers' good answers sent during this second. */
function goodputIn(records: readonly VisitorRecord[], second: number, slaP99Ms: number): number {
  return records.reduce(
    (sum, r) =>
      sum +
      (r.kind === 'visitor'
        ? r.shop.filter((a) => Math.floor(a.atMs / 1000) === second && isGoodAnswer(a, slaP99Ms)).length
        : 0),
    0,
  );
}

/** Of the visitors admitted this second: their mean estimated, actual and noticed waits. */
function waitsOfAdmittedIn(
  records: readonly VisitorRecord[],
  second: number,
): Pick<QueueSecond, 'estimatedWait' | 'actualWait' | 'noticedWait'> {
  const admittedHere = records.filter(
    (r) =>
      r.kind === 'visitor' &&
      r.firstEstimate &&
      r.admittedAtMs !== undefined &&
      Math.floor(r.admittedAtMs / 1000) === second,
  );
  const mean = (f: (r: VisitorRecord) => number) =>
    admittedHere.length > 0 ? round1(admittedHere.reduce((sum, r) => sum + f(r), 0) / admittedHere.length) : null;
  return {
    estimatedWait: mean((r) => r.firstEstimate!.seconds),
    actualWait: mean((r) => ((r.lineReachedAtMs ?? r.admittedAtMs!) - r.firstEstimate!.atMs) / 1000),
    noticedWait: mean((r) => (r.admittedAtMs! - r.firstEstimate!.atMs) / 1000),
  };
}

function planSummary(plan: DropPlan): DropReport['plan'] {
  return {
    visitors: plan.arrivalsMs.length,
    preQueueVisitors: plan.arrivalsMs.filter((t) => t < plan.preQueueMs).length,
    preQueueSeconds: plan.preQueueMs / 1000,
    peakArrivalsPerSecond: Math.round(plan.peakArrivalsPerSecond),
    rampSeconds: plan.rampMs / 1000,
    abandonShare: plan.abandonShare,
    botAddresses: plan.bots.addresses,
    botJoinsPerSecondPerAddress: plan.bots.joinsPerSecondPerAddress,
    requestsPerVisit: plan.requestsPerVisit,
  };
}

function dropTotals(records: readonly VisitorRecord[]): DropReport['totals'] {
  const visitors = records.filter((r) => r.kind === 'visitor');
  const bots = records.filter((r) => r.kind === 'bot');
  return {
    visitors: visitors.length,
    admitted: visitors.filter((r) => r.admittedAtMs !== undefined).length,
    abandoned: visitors.filter((r) => r.abandonedAtMs !== undefined).length,
    botTries: bots.length,
    botTickets: bots.filter((r) => r.ticketNumber !== undefined).length,
    botAdmitted: bots.filter((r) => r.admittedAtMs !== undefined).length,
    shopRequests: visitors.reduce((sum, r) => sum + r.shop.length, 0),
  };
}

/** The most frequent problems visitors met (a refused join, an unreachable edge), counted. */
function problemNotices(records: readonly VisitorRecord[]): string[] {
  const counts = new Map<string, number>();
  for (const r of records) {
    for (const p of r.problems) {
      const key = `${r.kind}: ${p.replace(/\d+/g, 'N')}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([p, n]) => `${n} × ${p}`);
}

export function formatDropTerminalSummary(
  report: DropReport,
  files: { json: string; html: string },
  color = false,
): string {
  const paint = (code: number, text: string) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const t = report.totals;
  const lines = [
    '',
    `Drop rehearsal of ${report.config.saleName}: ${report.config.gates} gate+storefront pair(s), ${report.durationSeconds} s, time scale ${report.config.timeScale}×`,
    `  capacity ${report.capacity.atLeast ? 'at least ' : ''}${report.capacity.rps} req/s (${report.capacity.shoppersPerSecond} shoppers/s); ${t.visitors} visitors (${report.plan.preQueueVisitors} in the pre-queue), peak ${report.plan.peakArrivalsPerSecond} arrivals/s`,
    `  ${t.admitted} admitted, ${t.abandoned} gave up, ${t.shopRequests} shop requests; bots: ${t.botTries} tries, ${t.botTickets} tickets, ${t.botAdmitted} admitted`,
    ...report.notices.map((n) => `  note: ${n}`),
    '',
  ];
  for (const check of report.checks) {
    const mark = check.pass ? paint(32, '✓') : paint(31, '✗');
    lines.push(
      `  ${mark} ${check.name.padEnd(44)} ${check.value}${check.pass ? '' : `  (expected ${check.expected})`}`,
    );
  }
  const failed = report.checks.filter((c) => !c.pass).length;
  lines.push(
    '',
    failed === 0 ? paint(32, '  All checks passed.') : paint(31, `  ${failed} check(s) failed.`),
    `  Report: ${files.html}`,
    `          ${files.json}`,
  );
  return lines.join('\n');
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
