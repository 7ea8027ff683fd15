/**
 * The fallback without any Redis: one gate and one storefront inside this process, on memory stores
 * and MemoryFlags, with the same alarms, controller and report. Short and light, which also makes it
 * the quick way to see the CLI take Ctrl-C.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runRehearsal } from '../../../cli/rehearse/rehearsal';
import type { RehearsalReport } from '../../../cli/rehearse/report/rehearsal-report';
import { parseProfile } from '../../../cli/rehearse/traffic/traffic-profile';
import { eventually } from '../../support/process-table';

const ROOT = resolve(__dirname, '../../..');

describe('runRehearsal without Redis (embedded mode)', () => {
  const out = mkdtempSync(join(tmpdir(), 'rehearse-embedded-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('runs one in-process pair, skips the cache outage with a notice, and still writes the report', async () => {
    const lines: string[] = [];
    const { report, files } = await runRehearsal({
      configPath: resolve(__dirname, '../../../saleday.config.json'),
      gates: 3,
      durationMs: 8000,
      profile: parseProfile({
        name: 'embedded-smoke',
        baseline: { requestsPerSecond: 15, users: 50 },
        recommendationsWork: 100,
        phases: [
          // 180 req/s written for 3 pairs: the single embedded pair gets a third of it.
          { kind: 'bot-flood', from: 0.2, to: 0.6, keys: 1, requestsPerSecond: 180 },
          { kind: 'cache-outage', from: 0.6, to: 0.8 },
        ],
      }),
      outDir: out,
      seed: 3,
      progress: false,
      calibrate: false, // the written rates: this test is about the embedded pair, not the calibration
      notify: (line) => lines.push(line),
      redisServerAvailable: () => false,
    });

    expect(report.config).toMatchObject({ gates: 1, redis: 'embedded (in-process)', durationSeconds: 8 });
    expect(report.notices.join('\n')).toMatch(
      /embedded mode[\s\S]*--gates 3 needs a shared Redis; running 1 pair at 1\/3 of the profile's request rates[\s\S]*no cache to take down/,
    );
    expect(lines.some((line) => line.includes('embedded mode'))).toBe(true);
    expect(report.outage).toBeNull();
    expect(report.checks.find((c) => c.name === 'recovery-after-cache-outage')).toMatchObject({
      pass: true,
      value: expect.stringContaining('skipped'),
    });
    expect(report.checks.find((c) => c.name === 'no-oversell')).toMatchObject({ pass: true });
    // The gate's EMF lines reached the fleet metrics through its metrics sink.
    expect(report.timeline.filter((t) => t.gateLevelMax !== null).length).toBeGreaterThan(4);
    // 60 req/s for 40% of 8 s is 192 (the unscaled 180 req/s would send 576).
    expect(report.totals.botSent).toBeGreaterThan(150);
    expect(report.totals.botSent).toBeLessThan(250);
    expect(report.totals.perClass.critical.limited).toBeGreaterThan(0);
    const checks = JSON.parse(readFileSync(files.json, 'utf8')).checks as { name: string; skipped?: boolean }[];
    expect(checks).toHaveLength(10);
    // No cache to fail over and no flags key to lose: those checks say so instead of failing.
    expect(checks.filter((c) => /failover|redis|key-loss/.test(c.name)).every((c) => c.skipped)).toBe(true);
    expect(readFileSync(files.html, 'utf8')).toContain('embedded-smoke');
  }, 60_000);
});

describe('saleday rehearse interrupted by Ctrl-C (embedded mode, through the CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rehearse-sigint-'));
  // A PATH with node and nothing else: no redis-server on it, so the CLI runs the embedded mode.
  const pathDir = join(dir, 'path');
  mkdirSync(pathDir);
  symlinkSync(process.execPath, join(pathDir, 'node'));
  writeFileSync(
    join(dir, 'profile.json'),
    JSON.stringify({
      name: 'interrupted',
      baseline: { requestsPerSecond: 20, users: 50 },
      recommendationsWork: 100,
      phases: [
        { kind: 'bot-flood', from: 0.6, to: 0.75, keys: 1, requestsPerSecond: 60 },
        { kind: 'cache-outage', from: 0.8, to: 0.9 },
      ],
    }),
  );
  let child: ChildProcess | undefined;
  afterEach(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function rehearse(out: string): { stdout: () => string; stderr: () => string; exit: Promise<number | null> } {
    child = spawn(
      process.execPath,
      [
        join(ROOT, 'bin/saleday.js'),
        '--config',
        join(ROOT, 'saleday.config.json'),
        'rehearse',
        '--gates',
        '1',
        '--duration',
        '10s',
        '--profile',
        join(dir, 'profile.json'),
        '--out',
        out,
        '--no-calibration',
      ],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, REDIS_URL: '', PATH: pathDir } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exit = new Promise<number | null>((r) => child!.once('exit', (code) => r(code)));
    return { stdout: () => stdout, stderr: () => stderr, exit };
  }

  it('stops the traffic, writes the report of the part that ran marked interrupted, and exits 130', async () => {
    const out = join(dir, 'mid-traffic');
    const run = rehearse(out);
    // The first progress line comes a quarter of a second into the traffic; let it run a little more
    // (a real clock: real requests must be answered).
    await eventually(() => /\s0\/10s/.test(run.stderr()), 20_000);
    await new Promise((r) => setTimeout(r, 1500));
    child!.kill('SIGINT');
    expect(await run.exit).toBe(130);

    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as RehearsalReport;
    expect(report).toMatchObject({ interrupted: true, interruptedBy: 'SIGINT', duration: { plannedSeconds: 10 } });
    expect(report.duration.ranSeconds).toBeGreaterThanOrEqual(1.5);
    expect(report.duration.ranSeconds).toBeLessThan(6);
    expect(report.timeline).toHaveLength(Math.ceil(report.duration.ranSeconds));
    expect(report.totals.sent).toBeGreaterThan(20);
    const byName = Object.fromEntries(report.checks.map((c) => [c.name, c]));
    expect(byName['bot-requests-refused']).toMatchObject({
      skipped: true,
      value: expect.stringContaining('before the bot flood (planned from 6 s)'),
    });
    expect(byName['recovery-after-cache-outage']).toMatchObject({
      skipped: true,
      value: expect.stringContaining('before the cache outage (planned from 8 s)'),
    });
    // What the part that ran can answer is answered.
    expect(byName['checkout-success-rate']!.skipped).toBeUndefined();
    expect(byName['no-oversell']).toMatchObject({ pass: true, value: expect.stringMatching(/^sold \d+ of \d+ units/) });
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('class="interrupted">interrupted after');
    expect(run.stderr()).toContain('interrupted; stopping the traffic, writing the report of the part that ran');
    expect(run.stdout()).toContain(`interrupted by SIGINT after ${report.duration.ranSeconds} s of 10 s`);
  }, 30_000);

  it('writes no report when the signal comes before any traffic', async () => {
    const out = join(dir, 'before-traffic');
    const run = rehearse(out);
    await eventually(() => run.stderr().includes('embedded mode'), 20_000);
    child!.kill('SIGINT');
    expect(await run.exit).toBe(130);
    expect(run.stderr()).toContain('no traffic sent yet, no report written');
    expect(existsSync(join(out, 'report.json'))).toBe(false);
  }, 30_000);
});
