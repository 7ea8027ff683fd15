import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { renderReportHtml } from '../../../../cli/rehearse/report/report-html';
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
          paths.map((p) => ({
            series: p.getAttribute('data-series'),
            points: (p.getAttribute('d') ?? '').split(/[ML]/).filter(Boolean).length,
          })),
        ),
      );
    }
    expect(charts).toHaveLength(4);
    const critical = charts[0]!;
    expect(critical.find((s) => s.series === 'shoppers served')!.points).toBe(30);
    expect(charts[2]!.some((s) => s.series === 'shoppers shed')).toBe(true);
  });

  it("keeps the bots' 429s from flattening the shoppers' checkouts: the scale is the shoppers', the bots a line of their own", async () => {
    const critical = await page.$$eval('#class-charts .chart:nth-child(1) path', (paths) =>
      paths.map((p) => p.getAttribute('data-series')),
    );
    // The sample's bots send 50 checkouts a second and the shoppers at most 20: the bots are off scale.
    expect(critical).toContain('bots sent (off scale, peak 50/s)');
    expect(critical).not.toContain('shoppers limited (429)'); // every 429 went to a bot
    const servedYs = (
      (await page.getAttribute('#class-charts .chart:nth-child(1) path[data-series="shoppers served"]', 'd')) ?? ''
    )
      .split(/[ML]/)
      .filter(Boolean)
      .map((pt) => Number(pt.split(' ')[1]));
    // The shoppers' surge reaches the top half of the chart (plot area 22..186 px) rather than hugging the axis.
    expect(Math.min(...servedYs)).toBeLessThan(104);
  });

  it('draws latency, level, breaker and checkout charts with data', async () => {
    const series = await page.$$eval('#latency-chart path, #level-chart path, #checkout-chart path', (paths) =>
      paths.map((p) => ({
        series: p.getAttribute('data-series'),
        points: (p.getAttribute('d') ?? '').split(/[ML]/).filter(Boolean).length,
      })),
    );
    const names = series.map((s) => s.series);
    expect(names).toEqual(
      expect.arrayContaining(['critical p99', 'controller level', 'breaker payments open', 'succeeded']),
    );
    for (const s of series.filter((x) => x.series !== 'gates (highest)' && x.series !== 'gates (lowest)'))
      expect(s.points).toBeGreaterThan(1);
    // The level is a step line that climbs to 2.
    const levelPath = await page.getAttribute('#level-chart path[data-series="controller level"]', 'd');
    const ys = new Set(
      (levelPath ?? '')
        .split(/[ML]/)
        .filter(Boolean)
        .map((pt) => pt.split(' ')[1]),
    );
    expect(ys.size).toBe(3); // levels 0, 1 and 2
  });

  it('labels the profile phases on a timeline strip', async () => {
    const labels = await page.$$eval('#phase-strip text', (texts) => texts.map((t) => t.textContent ?? ''));
    expect(await page.$$eval('#phase-strip rect.phase', (rects) => rects.length)).toBe(4);
    expect(labels).toEqual(expect.arrayContaining(['surge to 10× (2–11s)', 'cache outage (13–18s)']));
  });

  it('marks the cache outage on every time chart', async () => {
    expect(await page.$$eval('rect.outage', (rects) => rects.length)).toBe(8);
  });

  it('escapes what it embeds (a reason containing </script> stays text)', async () => {
    const reasons = await page.$$eval('#flags tbody tr td:last-child', (tds) => tds.map((td) => td.textContent));
    expect(reasons).toContain(
      'breaker payments opened: alarm saleday-winter-flash-payments-failing in ALARM </script><b>',
    );
  });

  describe('the story', () => {
    it('splits the traffic into shoppers and bots, with the phases named (ramp, flood, outage, calm)', async () => {
      const series = await page.$$eval('#traffic-chart path', (paths) =>
        paths.map((p) => p.getAttribute('data-series')),
      );
      expect(series).toEqual(['total', 'shoppers', 'bots']);
      const names = await page.$$eval('#traffic-chart text.phase-name', (texts) =>
        texts.map((t) => t.textContent ?? ''),
      );
      expect(names.join(' | ')).toMatch(
        /ramp to 10× \(shoppers\) 2s.*bot flood 5s.*cache outage \(Redis down, failover\) 13s.*calm \(recovery\) 18s/,
      );
    });

    it('says what is expected during the cache outage', async () => {
      const text = await page.textContent('#outage-expectation');
      expect(text).toMatch(/^Cache outage 18–22s: .*checkouts are refused cleanly.*succeed again/);
    });

    it('shows which alarm fired when, and what the controller did', async () => {
      expect(await page.$$eval('#control-timeline rect.alarm', (rects) => rects.length)).toBe(5); // gate-shed-rate, 7–11s
      const labels = await page.$$eval('#control-timeline text', (texts) => texts.map((t) => t.textContent));
      expect(labels).toContain('gate-shed-rate');
      const actions = await page.$$eval('#control-timeline li', (lis) => lis.map((li) => li.textContent ?? ''));
      expect(actions[0]).toMatch(/^8s: level 2 \(level 0 → 2: alarm/);
    });

    it('links a failed check to the chart that shows it', async () => {
      const failed = await page.$$eval('#checks tbody tr', (trs) =>
        trs
          .filter((tr) => tr.querySelector('td.mark.fail'))
          .map((tr) => ({ text: tr.textContent ?? '', href: tr.querySelector('a')?.getAttribute('href') })),
      );
      expect(failed).toHaveLength(1);
      expect(failed[0]!.text).toContain('no-oversell');
      expect(failed[0]!.text).toContain('see the chart');
      expect(failed[0]!.href).toBe('#checkout-chart');
      expect(await page.$$eval(failed[0]!.href!, (nodes) => nodes.length)).toBe(1);
    });

    it('draws the SLA line unlike any latency line, and labels it', async () => {
      const sla = await page.$eval('#latency-chart line.sla', (line) => ({
        stroke: line.getAttribute('stroke'),
        dash: line.getAttribute('stroke-dasharray'),
      }));
      const strokes = await page.$$eval('#latency-chart path', (paths) => paths.map((p) => p.getAttribute('stroke')));
      expect(strokes).not.toContain(sla.stroke);
      expect(await page.$$eval('#latency-chart text', (texts) => texts.map((t) => t.textContent))).toContain(
        'SLA 800 ms',
      );
    });

    it('states the calibration, or that there was none', async () => {
      expect(await page.textContent('#calibration')).toMatch(/^No calibration/);
    });
  });
});

describe('report.html of an interrupted run', () => {
  it('says in its verdict and title that the run was cut short, and what that left unchecked', () => {
    const html = renderReportHtml(sampleReport({ interruption: { signal: 'SIGINT', ranMs: 3650 }, outage: undefined }));
    expect(html).toContain(
      '<p id="verdict" class="interrupted">interrupted after 3.7 s of 30 s: 1 failed, 3 skipped</p>',
    );
    expect(html).toMatch(/<title>[^<]*interrupted after 3\.7 s of 30 s/);
  });
});
