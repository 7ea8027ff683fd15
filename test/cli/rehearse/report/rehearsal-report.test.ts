import { PRIORITY_CLASSES } from '../../../../contracts/config/schema';
import { formatTerminalSummary } from '../../../../cli/rehearse/report/terminal-summary';
import { SAMPLE_SECONDS, sampleReport } from './sample-report';

describe('buildReport', () => {
  const report = sampleReport();

  it('has one timeline entry per second with per-class counts from the client side', () => {
    expect(report.timeline).toHaveLength(SAMPLE_SECONDS);
    const calm = report.timeline[2]!;
    const surge = report.timeline[6]!;
    expect(calm.classes.critical).toMatchObject({ sent: 4, served: 4, botSent: 0 });
    expect(surge.classes.critical).toMatchObject({ sent: 70, served: 21, limited: 49, botSent: 50, botRefused: 49 });
    expect(surge.classes.normal).toMatchObject({ sent: 20, served: 13, shed: 7 });
    expect(surge.classes.low).toMatchObject({ fallback: 20, served: 0 });
    expect(report.timeline[19]!.classes.critical).toMatchObject({ upstreamError: 4 });
  });

  it('carries the level, breakers and alarms per second, and latency percentiles per class', () => {
    expect(report.timeline.map((t) => t.level)).toEqual([
      0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ]);
    expect(report.timeline[11]!.openBreakers).toEqual(['payments']);
    expect(report.timeline[7]!.alarmsInAlarm).toEqual(['gate-shed-rate']);
    // Shopper critical latencies of a calm second: 40, 45, 50, 55 ms.
    expect(report.timeline[2]!.classes.critical.p99).toBe(55);
    expect(report.latency.checkout.count).toBeGreaterThan(0);
  });

  it('totals per class and for bots', () => {
    expect(report.totals.botSent).toBe(500);
    const sum = PRIORITY_CLASSES.reduce((s, c) => s + report.totals.perClass[c].sent, 0);
    expect(report.totals.sent).toBe(sum);
  });

  it('summarises the config with the scaled periods', () => {
    const shed = report.config.alarms.find((a) => a.name === 'gate-shed-rate')!;
    expect(shed).toMatchObject({
      periodSeconds: 10,
      scaledPeriodSeconds: 1,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      effect: 'level 1',
    });
    expect(report.config.alarms.find((a) => a.name === 'alb-p99-latency')!.scaledPeriodSeconds).toBe(5);
    expect(report.config.controller).toEqual({
      calmPeriodSeconds: 120,
      scaledCalmPeriodSeconds: 10,
      breakerCalmSeconds: 60,
      scaledBreakerCalmSeconds: 5,
    });
    expect(report.phases.map((p) => p.kind)).toEqual(['surge', 'bot-flood', 'slow-route', 'cache-outage']);
  });

  it('has every check with a name, a verdict and a measured value', () => {
    expect(report.checks.map((c) => c.name)).toEqual([
      'checkout-success-rate',
      'bot-requests-refused',
      'checkout-p99-within-sla',
      'no-oversell',
      'recovery-after-cache-outage',
      'degradation-flipped-and-restored',
    ]);
    for (const check of report.checks) {
      expect(typeof check.pass).toBe('boolean');
      expect(check.value.length).toBeGreaterThan(0);
    }
    const byName = Object.fromEntries(report.checks.map((c) => [c.name, c]));
    expect(byName['degradation-flipped-and-restored']!.pass).toBe(true);
    expect(byName['recovery-after-cache-outage']!.pass).toBe(true);
    expect(byName['bot-requests-refused']!.pass).toBe(true);
    // 10 bot checkouts answered 201 while the shop says it sold 0: a mismatch the check must catch.
    expect(byName['no-oversell']!.pass).toBe(false);
  });

  it('adds notices to what the run passed, including answers that mean the rehearsal itself is off', () => {
    expect(report.notices).toEqual([
      'a notice for the reader',
      "1 request(s) were answered bad-request: the generator and the storefront's API disagree",
    ]);
  });

  it('prints a terminal summary with a mark per check and where the report is', () => {
    const text = formatTerminalSummary(report, { json: '/r/report.json', html: '/r/report.html' });
    expect(text).toContain('✓ checkout-success-rate');
    expect(text).toContain('✗ no-oversell');
    expect(text).toContain('1 check(s) failed.');
    expect(text).toContain('/r/report.html');
  });
});

describe('buildReport for a run a signal cut short', () => {
  // SIGINT 3.65 s into the 30 s run: inside the surge (2–11 s), before the bot flood (5 s) and the outage (13 s).
  const report = sampleReport({ interruption: { signal: 'SIGINT', ranMs: 3650 }, outage: undefined });

  it('is marked interrupted, with the planned and the actual duration', () => {
    expect(report).toMatchObject({
      interrupted: true,
      interruptedBy: 'SIGINT',
      duration: { plannedSeconds: 30, ranSeconds: 3.7 },
    });
    expect(report.config.durationSeconds).toBe(30);
    expect(sampleReport()).toMatchObject({
      interrupted: false,
      interruptedBy: null,
      duration: { plannedSeconds: 30, ranSeconds: 30 },
    });
  });

  it('covers the seconds that ran and the phases they reached, and names the phases never reached', () => {
    expect(report.timeline).toHaveLength(4);
    // Four calm seconds of four requests per class (the recorder's later seconds are left out).
    expect(report.totals.sent).toBe(4 * 4 * 4);
    expect(report.phases).toEqual([{ kind: 'surge', label: 'surge to 10×', startSecond: 2, endSecond: 3.7 }]);
    expect(report.notices).toContain(
      'interrupted before these phases began: bot flood (2 keys, 2000 req/s) (5–9s), slow recommendations (+2500 ms) (11–13s), cache outage (13–18s)',
    );
  });

  it('evaluates the checks on the part that ran and skips, with why, those that need what never came', () => {
    const byName = Object.fromEntries(report.checks.map((c) => [c.name, c]));
    expect(byName['checkout-success-rate']).toMatchObject({
      pass: true,
      value: expect.stringContaining('of 16 shopper checkouts'),
    });
    expect(byName['checkout-success-rate']!.skipped).toBeUndefined();
    expect(byName['bot-requests-refused']).toMatchObject({
      pass: true,
      skipped: true,
      value: 'skipped: interrupted at 3.7 s of 30 s, before the bot flood (planned from 5 s)',
    });
    expect(byName['recovery-after-cache-outage']).toMatchObject({
      skipped: true,
      value: 'skipped: interrupted at 3.7 s of 30 s, before the cache outage (planned from 13 s)',
    });
    expect(byName['degradation-flipped-and-restored']).toMatchObject({
      skipped: true,
      value: expect.stringContaining('which never came (peak level 0, final level 0)'),
    });
  });

  it('says so in the terminal summary, with a – for each skipped check', () => {
    const text = formatTerminalSummary(report, { json: '/r/report.json', html: '/r/report.html' });
    expect(text).toContain('interrupted by SIGINT after 3.7 s of 30 s: this report covers the part that ran');
    expect(text).toContain('– bot-requests-refused');
    expect(text).toContain('✓ checkout-success-rate');
    expect(text).toMatch(/Interrupted: 1 check\(s\) failed, 3 skipped, 2 passed on the part that ran\./);
  });
});

describe('the terminal after a run', () => {
  const files = { json: '/r/report.json', html: '/r/report.html' };

  it('ends with what to do next: the report (at the chart of the first problem), then loadtest and plan', () => {
    const text = formatTerminalSummary(sampleReport(), files);
    const next = text.slice(text.indexOf('  Next:'));
    expect(next).toMatch(/1\. Open the report: file:\/\/\/r\/report\.html#checkout-chart \(no-oversell failed/);
    expect(next).toMatch(
      /3\. Measure one task's real capacity: npx saleday loadtest .*then size the fleet: npx saleday plan$/,
    );
  });

  it('marks an inconclusive check with ?, its reason and what to do, and says the run was inconclusive', () => {
    const report = sampleReport();
    report.checks = report.checks.map((c) =>
      c.name === 'no-oversell'
        ? { ...c, pass: true }
        : c.name === 'checkout-p99-within-sla'
          ? { ...c, pass: false, inconclusive: true, reason: 'the generator fell behind', advice: 'run it again' }
          : c,
    );
    const text = formatTerminalSummary(report, files);
    expect(text).toMatch(/\? checkout-p99-within-sla +inconclusive: /);
    expect(text).toContain('      why: the generator fell behind');
    expect(text).toContain('      what to do: run it again');
    expect(text).toContain(
      'Inconclusive: no check failed, but 1 could not be judged because this machine could not deliver the planned traffic (exit code 3).',
    );
  });

  it('states the calibration', () => {
    const report = {
      ...sampleReport(),
      calibration: {
        capacityRps: 120,
        gates: 3,
        bound: { p99Ms: 200, errorRate: 0.01 },
        steps: [],
        durationMs: 4200,
        atLeast: false,
        baseRps: 30,
        peakRps: 300,
        botFloodRps: [200],
        summary: 'calibration: 120 req/s over 3 pair(s)',
      },
    };
    expect(formatTerminalSummary(report, files)).toContain('  calibration: 120 req/s over 3 pair(s)');
  });
});
