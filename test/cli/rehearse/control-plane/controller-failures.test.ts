/**
 * Failed controller cycles, told so a person can link them to the run: consecutive failures grouped,
 * with when they ran, during which phase and why, in report.json, report.html and the terminal.
 */
import { join } from 'node:path';
import { MemoryFlags } from '../../../../guard/flags/memory-flags';
import type { FlagsDocument } from '../../../../contracts/flags/flags-document';
import { loadConfig } from '../../../../contracts/config/load-config';
import { AlarmEvaluator } from '../../../../cli/rehearse/control-plane/alarm-evaluator';
import {
  describeFailedCycles,
  failedCyclesHtmlSection,
  groupFailedCycles,
  type FailedCycle,
} from '../../../../cli/rehearse/control-plane/controller-failures';
import { FleetMetrics } from '../../../../cli/rehearse/metrics/fleet-metrics';
import { LocalControlPlane } from '../../../../cli/rehearse/control-plane/local-control-plane';
import { OutcomeRecorder } from '../../../../cli/rehearse/traffic/outcome-recorder';
import { buildReport } from '../../../../cli/rehearse/report/rehearsal-report';
import { renderReportHtml } from '../../../../cli/rehearse/report/report-html';
import { formatTerminalSummary } from '../../../../cli/rehearse/report/terminal-summary';
import { scaleConfigForRehearsal } from '../../../../cli/rehearse/control-plane/time-scale';
import { defaultProfile } from '../../../../cli/rehearse/traffic/traffic-profile';
import { FakeClock } from '../../../support/fake-clock';

const START_MS = 1_700_000_000_000;
const config = loadConfig(join(__dirname, '../../../../saleday.config.json'));
const PHASES = [
  { label: 'surge to 5×', startSecond: 10, endSecond: 30 },
  { label: 'cache outage', startSecond: 40, endSecond: 50 },
];

const failure = (second: number, error = 'Command timed out'): FailedCycle => ({ second, trigger: 'schedule', error });

describe('groupFailedCycles', () => {
  it('groups consecutive failures, names the phases they fall in and counts each error', () => {
    const cycles = [41, 42, 43, 44, 46, 47]
      .map((s) => failure(s))
      .concat([failure(48, 'Connection is closed.'), failure(5, 'READONLY')]);
    const stretches = groupFailedCycles(cycles, PHASES);
    expect(stretches).toEqual([
      { fromSecond: 5, toSecond: 5, count: 1, phases: [], errors: [{ error: 'READONLY', count: 1 }] },
      {
        fromSecond: 41,
        toSecond: 48,
        count: 7,
        phases: ['cache outage'],
        errors: [
          { error: 'Command timed out', count: 6 },
          { error: 'Connection is closed.', count: 1 },
        ],
      },
    ]);
    expect(describeFailedCycles(stretches)).toEqual([
      '5s during normal traffic: 1 cycle failed (1× READONLY)',
      '41s–48s during cache outage: 7 cycles failed (6× Command timed out; 1× Connection is closed.)',
    ]);
  });

  it('starts a new stretch after a gap of more than two seconds', () => {
    expect(groupFailedCycles([failure(1), failure(3), failure(6)], []).map((s) => [s.fromSecond, s.toSecond])).toEqual([
      [1, 3],
      [6, 6],
    ]);
  });
});

it('the local control plane logs each failed cycle with its second, trigger and error', async () => {
  const clock = new FakeClock(START_MS);
  const scaled = scaleConfigForRehearsal(config, 12);
  const flags = new MemoryFlags();
  let down = false;
  const store = {
    read: () => (down ? Promise.reject(new Error('Command timed out')) : flags.read()),
    write: (doc: FlagsDocument) => (down ? Promise.reject(new Error('Command timed out')) : flags.write(doc)),
    close: async () => undefined,
  };
  const control = new LocalControlPlane({
    config: scaled,
    evaluator: new AlarmEvaluator({ config: scaled, metrics: new FleetMetrics(), startMs: START_MS }),
    store,
    startMs: START_MS,
    tickMs: 1000,
    now: () => clock.now(),
  });
  await control.reset();
  for (let second = 0; second < 10; second += 1) {
    down = second >= 4 && second < 7;
    clock.set(START_MS + second * 1000 + 600);
    await control.step();
  }
  expect(control.failedCycleLog()).toEqual(
    [4, 5, 6].map((second) => ({ second, trigger: 'schedule', error: 'Command timed out' })),
  );
  expect(control.failedCycles()).toEqual({ count: 3, lastError: 'Command timed out' });
  await flags.close();
});

describe('the report of a run whose controller failed during the outage', () => {
  const recorder = new OutcomeRecorder();
  const report = buildReport({
    config,
    scaledConfig: scaleConfigForRehearsal(config, 12),
    profile: defaultProfile(),
    run: {
      gates: 1,
      durationMs: 60_000,
      timeScale: 12,
      redis: 'local',
      seed: 1,
      generatedAt: new Date('2026-11-27T10:00:00Z'),
    },
    recorder,
    fleetSeconds: [],
    control: [],
    flagsChanges: [],
    outage: { startSecond: 40, endSecond: 50 },
    shop: undefined,
    notices: [],
    failedCycles: [41, 42, 43].map((s) => failure(s)),
  });
  recorder.close();

  it('says in report.json which cycles failed, when, during what and why', () => {
    expect(report.controllerFailures).toEqual([
      {
        fromSecond: 41,
        toSecond: 43,
        count: 3,
        phases: expect.arrayContaining(['Redis down']),
        errors: [{ error: 'Command timed out', count: 3 }],
      },
    ]);
  });

  it('says it in the terminal summary', () => {
    const text = formatTerminalSummary(report, { json: '/r/report.json', html: '/r/report.html' });
    expect(text).toContain('controller: 3 cycle(s) failed, each retried the next second:');
    expect(text).toMatch(/41s–43s during .*Redis down.*: 3 cycles failed \(3× Command timed out\)/);
  });

  it('says it in report.html, escaped', () => {
    expect(renderReportHtml(report)).toContain('<h2>Controller cycles that failed</h2>');
    expect(
      failedCyclesHtmlSection(
        [{ fromSecond: 1, toSecond: 2, count: 2, phases: [], errors: [{ error: '<script>', count: 2 }] }],
        (t) => t.replace(/</g, '&lt;'),
      ),
    ).toContain('2× &lt;script>');
    expect(failedCyclesHtmlSection([], (t) => t)).toBe('');
  });
});
