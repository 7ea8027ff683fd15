/**
 * The whole rehearsal through the CLI, shortened: 20 s, 2 gate+storefront pairs, a light profile,
 * against a redis-server the rehearsal starts itself. Then Ctrl-C's cousin (SIGTERM) in the middle
 * of a run: every child must be gone either way, and the part that ran still has its report.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EXIT_CODES, runVerdict } from '../../../cli/rehearse/report/delivery';
import type { RehearsalReport } from '../../../cli/rehearse/report/rehearsal-report';
import { eventually, processesMatching } from '../../support/process-table';

const ROOT = resolve(__dirname, '../../..');

const SMOKE_PROFILE = {
  name: 'smoke',
  baseline: { requestsPerSecond: 20, users: 500 },
  stockPerProduct: 5,
  phases: [
    { kind: 'surge', from: 0.1, to: 0.4, peakMultiplier: 5, rampShare: 0.3 },
    {
      kind: 'bot-flood',
      from: 0.15,
      to: 0.35,
      keys: 2,
      requestsPerSecond: 150,
      mix: { checkout: 0.7, 'list-products': 0.3 },
    },
    { kind: 'slow-route', from: 0.35, to: 0.45, route: 'recommendations', latencyMs: 2000 },
    { kind: 'cache-outage', from: 0.45, to: 0.6 },
  ],
};

const started: ChildProcess[] = [];

function rehearse(dir: string, extra: string[] = ['--no-progress']): ChildProcess {
  const child = spawn(
    process.execPath,
    [
      join(ROOT, 'bin/saleday.js'),
      '--config',
      join(dir, 'saleday.config.json'),
      'rehearse',
      '--duration',
      '20s',
      '--gates',
      '2',
      '--profile',
      join(dir, 'profile.json'),
      '--out',
      join(dir, 'out'),
      ...extra,
    ],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, REDIS_URL: '' } },
  );
  started.push(child);
  return child;
}

function collect(child: ChildProcess): {
  stdout: () => string;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
} {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return {
    stdout: () => stdout,
    stderr: () => stderr,
    exit: new Promise((r) => child.once('exit', (code, signal) => r({ code, signal }))),
  };
}

describe('saleday rehearse (end to end)', () => {
  let dir: string;
  beforeEach(() => {
    // A private copy of the config: its path in the children's command lines tells them apart.
    dir = mkdtempSync(join(tmpdir(), 'rehearse-e2e-'));
    copyFileSync(join(ROOT, 'saleday.config.json'), join(dir, 'saleday.config.json'));
    writeFileSync(join(dir, 'profile.json'), JSON.stringify(SMOKE_PROFILE));
  });
  afterEach(async () => {
    // A test that failed half-way: stop the CLI the way a person would (its hooks stop its children,
    // redis-server included), then make sure.
    for (const child of started.splice(0)) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    for (const pid of processesMatching(dir)) process.kill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a short rehearsal, writes report.json with checks and report.html, and leaves no process behind', async () => {
    const run = collect(rehearse(dir));
    const { code } = await run.exit;
    const report = JSON.parse(readFileSync(join(dir, 'out/report.json'), 'utf8')) as RehearsalReport;

    expect(report.checks.map((c) => c.name)).toEqual([
      'checkout-success-rate',
      'bot-requests-refused',
      'checkout-p99-within-sla',
      'no-oversell',
      'recovery-after-cache-outage',
      'degradation-flipped-and-restored',
      'checkout-after-failover',
      'limits-back-on-redis',
      'flags-writable-after-failover',
      'gates-follow-after-flags-key-loss',
    ]);
    // The exit code follows the checks, and the terminal shows each of them.
    expect(code).toBe(EXIT_CODES[runVerdict(report.checks)]);
    for (const check of report.checks) expect(run.stdout()).toContain(check.name);
    // Whatever the machine's load, the shop never sells what it does not have.
    expect(report.checks.find((c) => c.name === 'no-oversell')).toMatchObject({ pass: true });
    expect(report.config).toMatchObject({ gates: 2, durationSeconds: 20, profile: 'smoke' });
    // The calibration ran first and the profile's rates were scaled to what it measured.
    expect(report.calibration?.steps.length).toBeGreaterThan(0);
    expect(run.stdout()).toMatch(/calibration: (at least )?\d+ req\/s over 2 pair\(s\)/);
    expect(report.timeline).toHaveLength(20);
    expect(report.totals.sent).toBeGreaterThan(500);
    expect(report.totals.botSent).toBeGreaterThan(100);
    expect(report.outage).not.toBeNull();
    // Metrics came from both gates' EMF lines.
    expect(report.timeline.some((t) => t.gateLevelMin !== null)).toBe(true);

    const html = readFileSync(join(dir, 'out/report.html'), 'utf8');
    expect(html).toContain('<script id="report-data" type="application/json">');
    expect(existsSync(join(dir, 'out/logs/gate-1.log'))).toBe(true);

    // The cache outage was a failover: a primary and a replica, neither restarted, both stopped at the end.
    const [, primaryPort, replicaPort] = /port (\d+) \(primary\) and port (\d+) \(replica\)/.exec(report.config.redis)!;
    expect(processesMatching(dir)).toEqual([]);
    expect(processesMatching(`redis-server 127.0.0.1:${primaryPort}`)).toEqual([]);
    expect(processesMatching(`redis-server 127.0.0.1:${replicaPort}`)).toEqual([]);
    process.stdout.write(
      `rehearse-e2e: ${report.checks
        .filter((c) => /failover|redis|key-loss/.test(c.name))
        .map((c) => `${c.name}: ${c.value}`)
        .join(' | ')}\n`,
    );
  }, 90_000);

  it('stops every child process and reports the part that ran when interrupted with SIGTERM in the middle of the traffic', async () => {
    // Progress on: printed every 5 s when stderr is not a terminal, it shows the traffic running.
    const child = rehearse(dir, []);
    const run = collect(child);
    await eventually(() => /\s5\/20s/.test(run.stderr()), 60_000);
    // This CLI, two storefronts and two gates carry the private config path in their command lines.
    expect(processesMatching(join(dir, 'saleday.config.json'))).toHaveLength(5);
    const port = /redis-server on port (\d+)/.exec(run.stderr())![1];
    expect(processesMatching(`redis-server 127.0.0.1:${port}`)).toHaveLength(1);
    child.kill('SIGTERM');
    const { code } = await run.exit;
    expect(code).toBe(143);
    expect(run.stderr()).toContain(
      'interrupted; stopping the traffic, writing the report of the part that ran, then stopping every child process',
    );
    await eventually(
      () => processesMatching(dir).length === 0 && processesMatching(`redis-server 127.0.0.1:${port}`).length === 0,
      5000,
    );
    const report = JSON.parse(readFileSync(join(dir, 'out/report.json'), 'utf8')) as RehearsalReport;
    expect(report).toMatchObject({ interrupted: true, interruptedBy: 'SIGTERM', duration: { plannedSeconds: 20 } });
    expect(report.duration.ranSeconds).toBeLessThan(20);
    // The outage (9–12 s) never came: its check says so instead of failing.
    expect(report.checks.find((c) => c.name === 'recovery-after-cache-outage')).toMatchObject({
      skipped: true,
      value: expect.stringContaining('before the cache outage'),
    });
    expect(report.checks.find((c) => c.name === 'no-oversell')).toMatchObject({ pass: true });
    expect(run.stdout()).toContain('interrupted by SIGTERM');
  }, 90_000);
});
