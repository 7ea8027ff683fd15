/**
 * The fallback without any Redis: one gate and one storefront inside this process, on memory stores
 * and MemoryFlags, with the same alarms, controller and report. Short and light.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runRehearsal } from '../../../cli/rehearse/rehearsal';
import { parseProfile } from '../../../cli/rehearse/traffic-profile';

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
      notify: (line) => lines.push(line),
      redisServerAvailable: () => false,
    });

    expect(report.config).toMatchObject({ gates: 1, redis: 'embedded (in-process)', durationSeconds: 8 });
    expect(report.notices.join('\n')).toMatch(/embedded mode[\s\S]*--gates 3 needs a shared Redis; running 1 pair at 1\/3 of the profile's request rates[\s\S]*no cache to take down/);
    expect(lines.some((line) => line.includes('embedded mode'))).toBe(true);
    expect(report.outage).toBeNull();
    expect(report.checks.find((c) => c.name === 'recovery-after-cache-outage')).toMatchObject({ pass: true, value: expect.stringContaining('skipped') });
    expect(report.checks.find((c) => c.name === 'no-oversell')).toMatchObject({ pass: true });
    // The gate's EMF lines reached the fleet metrics through its metrics sink.
    expect(report.timeline.filter((t) => t.gateLevelMax !== null).length).toBeGreaterThan(4);
    // 60 req/s for 40% of 8 s is 192 (the unscaled 180 req/s would send 576).
    expect(report.totals.botSent).toBeGreaterThan(150);
    expect(report.totals.botSent).toBeLessThan(250);
    expect(report.totals.perClass.critical.limited).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(files.json, 'utf8')).checks).toHaveLength(6);
    expect(readFileSync(files.html, 'utf8')).toContain('embedded-smoke');
  }, 60_000);
});
