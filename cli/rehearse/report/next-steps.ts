/** What a person does after a rehearsal, by its verdict: read the report, then size the real fleet. */
import { runVerdict } from './delivery';
import type { RehearsalReport } from './rehearsal-report';

export function nextSteps(report: RehearsalReport, files: { html: string }): string[] {
  const verdict = runVerdict(report.checks);
  const firstProblem = report.checks.find((c) => !c.pass && !c.skipped);
  const anchor = firstProblem?.chart ? `#${firstProblem.chart}` : '';
  const steps = [
    `1. Open the report: file://${files.html}${anchor}${firstProblem ? ` (${firstProblem.name} ${firstProblem.inconclusive ? 'could not be judged' : 'failed'}: the chart that shows it)` : ''}`,
  ];
  if (verdict === 'inconclusive')
    steps.push(
      '2. Run it again with less competing for the CPU (see "what to do" above); the calibration then measures more room.',
    );
  else if (verdict === 'failed')
    steps.push(
      '2. Fix what the failed check points at (the gate and controller settings in saleday.config.json), then rehearse again.',
    );
  steps.push(
    `${steps.length + 1}. Measure one task's real capacity: npx saleday loadtest (against a staging task: --url), then size the fleet: npx saleday plan`,
  );
  return steps;
}
