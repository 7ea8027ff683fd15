/**
 * The rehearsal's verdict for a terminal: the checks as ✓/✗ lines (– when skipped), then where the
 * full report is. An interrupted run says so at the top and in the verdict.
 */
import { PRIORITY_CLASSES } from '../../../contracts/config/schema';
import { failedCyclesTerminalLines } from '../control-plane/controller-failures';
import { runVerdict } from './delivery';
import { nextSteps } from './next-steps';
import type { RehearsalReport } from './rehearsal-report';

type Paint = (code: number, text: string) => string;

/** The run at a glance: what ran, whether it was cut short, what was sent and the calibration. */
function headerLines(report: RehearsalReport, paint: Paint): string[] {
  const lines: string[] = [];
  lines.push(
    `Rehearsal of ${report.config.saleName}: ${report.config.gates} gate+storefront pair(s), ${report.config.durationSeconds} s, Redis ${report.config.redis}`,
  );
  if (report.interrupted) {
    lines.push(
      paint(
        33,
        `  interrupted${report.interruptedBy ? ` by ${report.interruptedBy}` : ''} after ${report.duration.ranSeconds} s of ${report.duration.plannedSeconds} s: this report covers the part that ran`,
      ),
    );
  }
  lines.push(
    `  ${report.totals.sent.toLocaleString('en-US')} requests sent (${report.totals.botSent.toLocaleString('en-US')} by bots, ${report.totals.dropped.toLocaleString('en-US')} dropped by the generator)`,
  );
  if (report.calibration) lines.push(`  ${report.calibration.summary}`);
  return lines;
}

/** One row per priority class: what happened to its requests and its p99. */
function classTableLines(report: RehearsalReport): string[] {
  const lines = [
    '  class      sent      served  fallback  degraded    shed   limited  short-c.  upstream  failed    p99 ms',
  ];
  for (const c of PRIORITY_CLASSES) {
    const t = report.totals.perClass[c];
    const cells = [
      t.sent,
      t.served,
      t.fallback,
      t.degraded,
      t.shed,
      t.limited,
      t.shortCircuited,
      t.upstreamError,
      t.failed,
    ].map((n) => String(n).padStart(8));
    lines.push(`  ${c.padEnd(8)} ${cells.join('  ')}  ${String(report.latency.perClass[c].p99).padStart(8)}`);
  }
  return lines;
}

/** What happened during the run: flag changes, the cache outage, notices and the controller's failed cycles. */
function runEventLines(report: RehearsalReport): string[] {
  const levels = report.flagsChanges.map((f) => f.level);
  const lines = [
    `  flags: ${report.flagsChanges.length} change(s), levels ${levels.length > 0 ? levels.join(' → ') : 'unchanged'}`,
  ];
  if (report.outage) lines.push(`  cache outage: ${report.outage.startSecond}s → ${report.outage.endSecond}s`);
  for (const notice of report.notices) lines.push(`  note: ${notice}`);
  for (const line of failedCyclesTerminalLines(report.controllerFailures)) lines.push(`  ${line}`);
  return lines;
}

/** Each check as a marked line, with why or when it did not pass and what to do. */
function checkLines(report: RehearsalReport, paint: Paint): string[] {
  const lines: string[] = [];
  for (const check of report.checks) {
    const mark = check.skipped
      ? paint(33, '–')
      : check.pass
        ? paint(32, '✓')
        : check.inconclusive
          ? paint(33, '?')
          : paint(31, '✗');
    const label = check.inconclusive ? `inconclusive: ${check.value}` : check.value;
    lines.push(`  ${mark} ${check.name.padEnd(34)} ${label}${check.pass ? '' : `  (expected ${check.expected})`}`);
    if (check.reason) lines.push(`      ${check.inconclusive || check.skipped ? 'why' : 'when'}: ${check.reason}`);
    if (check.advice) lines.push(`      what to do: ${check.advice}`);
  }
  return lines;
}

/** The verdict in one line: interrupted, passed, failed or inconclusive. */
function verdictLine(report: RehearsalReport, paint: Paint): string {
  const failed = report.checks.filter((c) => !c.pass && !c.inconclusive);
  const inconclusive = report.checks.filter((c) => c.inconclusive);
  const skipped = report.checks.filter((c) => c.skipped);
  const verdict = runVerdict(report.checks);
  const passed = report.checks.length - failed.length - inconclusive.length - skipped.length;
  if (report.interrupted) {
    const undecided = inconclusive.length > 0 ? `, ${inconclusive.length} inconclusive` : '';
    return paint(
      33,
      `  Interrupted: ${failed.length} check(s) failed${undecided}, ${skipped.length} skipped, ${passed} passed on the part that ran.`,
    );
  }
  if (verdict === 'passed') return paint(32, '  All checks passed.');
  if (verdict === 'failed') {
    return paint(
      31,
      `  ${failed.length} check(s) failed${inconclusive.length > 0 ? `, ${inconclusive.length} inconclusive` : ''}.`,
    );
  }
  return paint(
    33,
    `  Inconclusive: no check failed, but ${inconclusive.length} could not be judged because this machine could not deliver the planned traffic (exit code 3).`,
  );
}

export function formatTerminalSummary(
  report: RehearsalReport,
  files: { json: string; html: string },
  color = false,
): string {
  const paint: Paint = (code, text) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const lines: string[] = [];
  lines.push('');
  lines.push(...headerLines(report, paint));
  lines.push('');
  lines.push(...classTableLines(report));
  lines.push('');
  lines.push(...runEventLines(report));
  lines.push('');
  lines.push(...checkLines(report, paint));
  lines.push('');
  lines.push(verdictLine(report, paint));
  lines.push(`  Report: ${files.html}`);
  lines.push(`          ${files.json}`);
  lines.push('');
  lines.push('  Next:');
  for (const step of nextSteps(report, files)) lines.push(`    ${step}`);
  return lines.join('\n');
}
