/**
 * The drop rehearsal's report.html: one self-contained page (no script, no external file) with the
 * checks and the queue's charts drawn as inline SVG: people waiting, arrivals and admissions per
 * second with the controller's rate, the first estimated wait against the actual one, and the
 * admitted shoppers' goodput against the measured capacity.
 */
import type { DropReport, QueueSecond } from './drop-report';

interface Series {
  label: string;
  color: string;
  values: readonly (number | null)[];
  dash?: string;
}

export const QUEUE_CHART_ID = 'queue-chart';

export function renderDropReportHtml(report: DropReport): string {
  const q = report.queue;
  const failed = report.checks.filter((c) => !c.pass).length;
  const verdict = failed === 0 ? 'all checks passed' : `${failed} check${failed === 1 ? '' : 's'} failed`;
  const rows = report.checks
    .map(
      (c) =>
        `<tr id="check-${escapeHtml(c.name)}"><td class="${c.pass ? 'pass' : 'fail'}">${c.pass ? '✓' : '✗'}</td><td>${escapeHtml(c.name)}</td><td>${escapeHtml(c.value)}</td><td>${escapeHtml(c.expected)}</td></tr>`,
    )
    .join('\n');
  const charts = queueCharts(report);
  const changes = q
    .filter((s) => s.change)
    .map((s) => `<tr><td>${s.second}s</td><td>${escapeHtml(s.change!)}</td></tr>`)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>saleday drop rehearsal · ${escapeHtml(report.config.saleName)} · ${verdict}</title>
<style>${STYLE}</style></head>
<body>
<header><h1>Drop rehearsal: <span>${escapeHtml(report.config.saleName)}</span></h1>
<p id="verdict" class="${failed === 0 ? 'pass' : 'fail'}">${verdict}</p>
<p>${report.config.gates} gate+storefront pair(s), ${report.durationSeconds} s at time scale ${report.config.timeScale}×; measured capacity ${report.capacity.rps} req/s (${report.capacity.shoppersPerSecond} shoppers/s); ${report.totals.visitors} visitors (${report.plan.preQueueVisitors} in a ${report.plan.preQueueSeconds} s pre-queue), arrivals up to ${report.plan.peakArrivalsPerSecond}/s within ${report.plan.rampSeconds} s; ${report.totals.admitted} admitted, ${report.totals.abandoned} gave up; bots: ${report.totals.botTries} tries, ${report.totals.botTickets} tickets, ${report.totals.botAdmitted} admitted.</p></header>
<main>
<section><h2>Checks</h2><table id="checks"><thead><tr><th></th><th>check</th><th>measured</th><th>expected</th></tr></thead><tbody>
${rows}
</tbody></table></section>
<section id="${QUEUE_CHART_ID}"><h2>The queue</h2><p class="hint">The dashed vertical line is the opening (the pre-queue's random draw).</p>
${charts}
</section>
<section><h2>Controller changes</h2><table id="changes"><tbody>${changes || '<tr><td>no change</td></tr>'}</tbody></table></section>
<section><h2>Notes</h2><ul>${report.notices.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul></section>
</main>
</body></html>
`;
}

/** The queue's four charts: waiting, arrivals and admissions, waits, goodput against capacity. */
function queueCharts(report: DropReport): string {
  const q = report.queue;
  const pick = (f: (s: QueueSecond) => number | null) => q.map(f);
  return [
    chart(
      'people waiting and tickets ahead of the line',
      [
        { label: 'visitors waiting', color: '#0b5cad', values: pick((s) => s.waiting) },
        {
          label: 'tickets not yet reached (abandoned ones included)',
          color: '#8c959f',
          values: pick((s) => s.ticketsAhead),
          dash: '4 3',
        },
      ],
      report.openedAtSecond,
    ),
    chart(
      'arrivals and admissions per second; the rate the controller set',
      [
        { label: 'arrivals', color: '#e3a35b', values: pick((s) => s.arrivals), dash: '2 2' },
        { label: 'visitors admitted', color: '#1a7f37', values: pick((s) => s.admitted) },
        { label: 'bots admitted', color: '#cf222e', values: pick((s) => s.botAdmitted) },
        { label: 'admission rate (tickets/s)', color: '#8250df', values: pick((s) => s.ratePerSecond) },
      ],
      report.openedAtSecond,
      () => Math.max(...q.map((x) => Math.max(x.admitted, x.ratePerSecond ?? 0))) * 2,
    ),
    chart(
      'wait of the visitors admitted each second: first estimate vs actual (s)',
      [
        { label: 'estimated', color: '#e37400', values: pick((s) => s.estimatedWait) },
        { label: 'actual', color: '#0b5cad', values: pick((s) => s.actualWait) },
        { label: 'noticed (next page refresh)', color: '#8c959f', values: pick((s) => s.noticedWait), dash: '3 3' },
      ],
      report.openedAtSecond,
    ),
    chart(
      `admitted shoppers' good answers per second vs the measured capacity (${report.capacity.rps} req/s)`,
      [
        { label: 'goodput', color: '#1a7f37', values: pick((s) => s.goodput) },
        { label: 'capacity', color: '#1d2430', values: q.map(() => report.capacity.rps), dash: '8 5' },
        { label: '90% of capacity', color: '#8c959f', values: q.map(() => report.capacity.rps * 0.9), dash: '2 3' },
      ],
      report.openedAtSecond,
    ),
  ].join('\n');
}

function chart(
  title: string,
  series: readonly Series[],
  openedAtSecond: number,
  maxOf?: (s: readonly Series[]) => number,
): string {
  const W = 1160;
  const H = 220;
  const L = 50;
  const R = 10;
  const T = 10;
  const B = 24;
  const length = Math.max(1, ...series.map((s) => s.values.length));
  const peak = maxOf
    ? maxOf(series)
    : Math.max(1, ...series.flatMap((s) => s.values.filter((v): v is number => v !== null)));
  const maxY = niceMax(Math.max(1, peak) * 1.05);
  const x = (i: number) => L + (i / length) * (W - L - R);
  const y = (v: number) => H - B - (Math.min(v, maxY) / maxY) * (H - T - B);
  const grid = [0, 1, 2, 3, 4].map((g) => {
    const v = (maxY / 4) * g;
    return `<line x1="${L}" x2="${W - R}" y1="${y(v)}" y2="${y(v)}" stroke="#e3e7ee"/><text x="${L - 4}" y="${y(v) + 4}" text-anchor="end">${Math.round(v * 10) / 10}</text>`;
  });
  const tick = niceMax(length / 8);
  const ticks: string[] = [];
  for (let s = 0; s <= length; s += tick)
    ticks.push(`<text x="${x(s)}" y="${H - 8}" text-anchor="middle">${s}s</text>`);
  const paths = series.map((s) => {
    let d = '';
    s.values.forEach((v, i) => {
      if (v === null) return;
      d += `${d === '' ? 'M' : 'L'}${x(i + 0.5).toFixed(1)} ${y(v).toFixed(1)}`;
    });
    return d === ''
      ? ''
      : `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.6"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''} data-series="${escapeHtml(s.label)}"/>`;
  });
  const opened = `<line x1="${x(openedAtSecond)}" x2="${x(openedAtSecond)}" y1="${T}" y2="${H - B}" stroke="#1d2430" stroke-dasharray="6 4"/>`;
  const legend = series.map((s) => `<span><i style="background:${s.color}"></i>${escapeHtml(s.label)}</span>`).join('');
  return `<div class="chart"><h3>${escapeHtml(title)}</h3><div class="legend">${legend}</div><svg width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(title)}">${grid.join('')}${ticks.join('')}${opened}${paths.join('')}</svg></div>`;
}

function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * p >= v) return step * p;
  return 10 * p;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; color: #1d2430; margin: 0; }
header { padding: 18px 28px 8px; border-bottom: 1px solid #e3e7ee; } h1 { font-size: 22px; margin: 0 0 4px; } h1 span { color: #0b5cad; }
main { padding: 0 28px 28px; max-width: 1280px; } h2 { font-size: 16px; margin: 22px 0 4px; } .hint { color: #5f6b7a; }
.pass { color: #1a7f37; font-weight: 600; } .fail { color: #cf222e; font-weight: 600; }
table { border-collapse: collapse; width: 100%; background: #f7f9fc; } th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #e3e7ee; }
.chart { background: #f7f9fc; border: 1px solid #e3e7ee; border-radius: 6px; padding: 6px 8px; margin: 8px 0; } .chart h3 { font-size: 13px; margin: 2px 0; }
.legend { display: flex; flex-wrap: wrap; gap: 10px; font-size: 12px; color: #5f6b7a; } .legend i { display: inline-block; width: 12px; height: 3px; margin-right: 4px; vertical-align: middle; }
svg text { font: 11px system-ui, sans-serif; fill: #5f6b7a; }
`;
