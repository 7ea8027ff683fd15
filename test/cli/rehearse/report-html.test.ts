import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { renderReportHtml } from '../../../cli/rehearse/report-html';
import { openReport } from './report-browser';
import { sampleReport } from './sample-report';

describe('report.html in headless Chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'report-html-'));
  const file = join(dir, 'report.html');
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let requests: string[];

  beforeAll(async () => {
    writeFileSync(file, renderReportHtml(sampleReport()));
    ({ browser, page, errors, requests } = await openReport(file));
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('renders without console errors and loads nothing but itself', () => {
    expect(errors).toEqual([]);
    expect(requests).toEqual([`file://${file}`]);
  });

  it('shows every check with its mark', async () => {
    const rows = await page.$$eval('#checks tbody tr', (trs) => trs.map((tr) => tr.textContent ?? ''));
    expect(rows).toHaveLength(6);
    expect(rows[0]).toContain('checkout-success-rate');
    expect(await page.textContent('#verdict')).toBe('1 check failed');
  });

  it('draws a chart per class, with lines that have one point per second', async () => {
    const count = await page.$$eval('#class-charts svg', (svgs) => svgs.length);
    const charts = [];
    for (let i = 1; i <= count; i += 1) {
      charts.push(
        await page.$$eval(`#class-charts .chart:nth-child(${i}) path`, (paths) =>
          paths.map((p) => ({ series: p.getAttribute('data-series'), points: (p.getAttribute('d') ?? '').split(/[ML]/).filter(Boolean).length })),
        ),
      );
    }
    expect(charts).toHaveLength(4);
    const critical = charts[0]!;
    expect(critical.find((s) => s.series === 'served')!.points).toBe(30);
    expect(critical.find((s) => s.series === 'limited (429)')!.points).toBe(30);
    expect(charts[2]!.some((s) => s.series === 'shed')).toBe(true);
  });

  it('draws latency, level, breaker and checkout charts with data', async () => {
    const series = await page.$$eval('#latency-chart path, #level-chart path, #checkout-chart path', (paths) =>
      paths.map((p) => ({ series: p.getAttribute('data-series'), points: (p.getAttribute('d') ?? '').split(/[ML]/).filter(Boolean).length })),
    );
    const names = series.map((s) => s.series);
    expect(names).toEqual(expect.arrayContaining(['critical p99', 'controller level', 'breaker payments open', 'succeeded']));
    for (const s of series.filter((x) => x.series !== 'gates (highest)' && x.series !== 'gates (lowest)')) expect(s.points).toBeGreaterThan(1);
    // The level is a step line that climbs to 2.
    const levelPath = await page.getAttribute('#level-chart path[data-series="controller level"]', 'd');
    const ys = new Set((levelPath ?? '').split(/[ML]/).filter(Boolean).map((pt) => pt.split(' ')[1]));
    expect(ys.size).toBe(3); // levels 0, 1 and 2
  });

  it('labels the profile phases on a timeline strip', async () => {
    const labels = await page.$$eval('#phase-strip text', (texts) => texts.map((t) => t.textContent ?? ''));
    expect(await page.$$eval('#phase-strip rect.phase', (rects) => rects.length)).toBe(4);
    expect(labels).toEqual(expect.arrayContaining(['surge to 10× (2–11s)', 'cache outage (13–18s)']));
  });

  it('marks the cache outage on every time chart', async () => {
    expect(await page.$$eval('rect.outage', (rects) => rects.length)).toBe(7);
  });

  it('escapes what it embeds (a reason containing </script> stays text)', async () => {
    const reasons = await page.$$eval('#flags tbody tr td:last-child', (tds) => tds.map((td) => td.textContent));
    expect(reasons).toContain('breaker payments opened: alarm saleday-winter-flash-payments-failing in ALARM </script><b>');
  });
});

describe('report.html of an interrupted run', () => {
  it('says in its verdict and title that the run was cut short, and what that left unchecked', () => {
    const html = renderReportHtml(sampleReport({ interruption: { signal: 'SIGINT', ranMs: 3650 }, outage: undefined }));
    expect(html).toContain('<p id="verdict" class="interrupted">interrupted after 3.7 s of 30 s: 1 failed, 3 skipped</p>');
    expect(html).toMatch(/<title>[^<]*interrupted after 3\.7 s of 30 s/);
  });
});
