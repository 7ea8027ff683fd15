/**
 * report.html: one self-contained page (no CDN, no external file) that opens from a laptop's disk or
 * a CI artifact. The report's JSON is embedded in the page and an inline script draws the charts as
 * SVG: served/shed/limited per class over time, latency percentiles, degradation level, breaker
 * state, the cache outage and the profile's phases marked on every chart. An interrupted run says
 * so in its verdict and its charts end where it stopped.
 */
import { failedCyclesHtmlSection } from '../control-plane/controller-failures';
import type { RehearsalReport } from './rehearsal-report';
import { STORY_SCRIPT, STORY_SECTIONS, STORY_STYLE } from './report-story';

export function renderReportHtml(report: RehearsalReport): string {
  // `</` inside the JSON would close the script element early; `\u003c` is the same JSON string.
  const data = JSON.stringify(report).replace(/</g, '\\u003c');
  const failed = report.checks.filter((c) => !c.pass && !c.inconclusive).length;
  const inconclusive = report.checks.filter((c) => c.inconclusive).length;
  const undecided =
    inconclusive === 0 ? '' : `${inconclusive} inconclusive (this machine could not deliver the traffic)`;
  const failures =
    failed === 0
      ? undecided || 'all checks passed'
      : `${failed} check${failed === 1 ? '' : 's'} failed${undecided ? `, ${undecided}` : ''}`;
  const skipped = report.checks.filter((c) => c.skipped).length;
  const verdict = report.interrupted
    ? `interrupted after ${report.duration.ranSeconds} s of ${report.duration.plannedSeconds} s: ${failed} failed, ${skipped} skipped`
    : failures;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>saleday rehearsal · ${escapeHtml(report.config.saleName)} · ${escapeHtml(verdict)}</title>
<style>${STYLE}${STORY_STYLE}</style>
</head>
<body>
<header>
  <h1>Sale-day rehearsal: <span>${escapeHtml(report.config.saleName)}</span></h1>
  <p id="verdict" class="${report.interrupted || (failed === 0 && inconclusive > 0) ? 'interrupted' : failed === 0 ? 'pass' : 'fail'}">${escapeHtml(verdict)}</p>
  <p id="summary"></p>
</header>
<main>
  <section><h2>Checks</h2><table id="checks"><thead><tr><th></th><th>check</th><th>measured</th><th>expected</th></tr></thead><tbody></tbody></table></section>${STORY_SECTIONS}
  <section><h2>Timeline</h2><p class="hint">The profile's phases; the cache outage is shaded on every chart below.</p><div id="phase-strip"></div></section>
  <section><h2>Requests per second by priority class</h2><p class="hint">What the gates did with each class, from the clients' side (shoppers and bots together).</p><div id="class-charts" class="grid"></div></section>
  <section><h2>Shopper latency</h2><p class="hint">p99 per class per second (from the intended send time: no coordinated omission); the thick black dashed line, labelled, is the SLA.</p><div id="latency-chart"></div></section>
  <section><h2>Degradation level and breakers</h2><p class="hint">The controller's level, the range of levels the gates reported, and each dependency's breaker.</p><div id="level-chart"></div></section>
  <section><h2>Checkouts</h2><p class="hint">Shopper checkouts per second: succeeded (201 bought or 409 sold out), refused by a limit, failed.</p><div id="checkout-chart"></div></section>
  <section><h2>Flag changes</h2><table id="flags"><thead><tr><th>t</th><th>version</th><th>level</th><th>open breakers</th><th>reason</th></tr></thead><tbody></tbody></table></section>
  ${failedCyclesHtmlSection(report.controllerFailures, escapeHtml)}
  <section><h2>Run</h2><table id="run"></table><ul id="notices"></ul></section>
</main>
<script id="report-data" type="application/json">${data}</script>
<script>${CLIENT_SCRIPT}</script>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const STYLE = `
:root { --fg:#1d2430; --muted:#5f6b7a; --grid:#e3e7ee; --bg:#fff; --panel:#f7f9fc; --pass:#1a7f37; --fail:#cf222e; --warn:#9a6700; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); margin: 0; }
header { padding: 18px 28px 8px; border-bottom: 1px solid var(--grid); }
h1 { font-size: 22px; margin: 0 0 4px; } h1 span { color: #0b5cad; }
h2 { font-size: 16px; margin: 22px 0 4px; }
main { padding: 0 28px 28px; max-width: 1280px; }
.hint { color: var(--muted); margin: 0 0 8px; }
#verdict { font-weight: 600; font-size: 15px; margin: 4px 0; } .pass { color: var(--pass); } .fail { color: var(--fail); } .interrupted, .skip { color: var(--warn); }
#summary { color: var(--muted); margin: 2px 0 8px; }
table { border-collapse: collapse; width: 100%; background: var(--panel); }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--grid); vertical-align: top; }
th { font-weight: 600; color: var(--muted); }
td.mark { width: 24px; font-weight: 700; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(580px, 1fr)); gap: 12px; }
.chart { background: var(--panel); border: 1px solid var(--grid); border-radius: 6px; padding: 6px 8px; }
.chart h3 { font-size: 13px; margin: 2px 0 0; }
.legend { display: flex; flex-wrap: wrap; gap: 10px; font-size: 12px; color: var(--muted); margin: 2px 0; }
.legend i { display: inline-block; width: 12px; height: 3px; margin-right: 4px; vertical-align: middle; }
svg text { font: 11px system-ui, sans-serif; fill: var(--muted); }
`;

/** Plain browser JavaScript (ES2017): no modules, no external code. */
const CLIENT_SCRIPT = String.raw`
(function () {
  'use strict';
  var report = JSON.parse(document.getElementById('report-data').textContent);
  var SVG = 'http://www.w3.org/2000/svg';
  var CLASSES = ['critical', 'high', 'normal', 'low'];
  var CLASS_COLORS = { critical: '#b3261e', high: '#e37400', normal: '#0b5cad', low: '#6e40c9' };
  var SERIES = [
    { key: 'served', label: 'served', color: '#1a7f37' },
    { key: 'fallback', label: 'fallback', color: '#4fb477' },
    { key: 'degraded', label: 'degraded', color: '#8250df' },
    { key: 'shed', label: 'shed', color: '#cf222e' },
    { key: 'limited', label: 'limited (429)', color: '#e37400' },
    { key: 'shortCircuited', label: 'short-circuited', color: '#57606a' },
    { key: 'upstreamError', label: 'upstream error', color: '#9a6700' },
    { key: 'failed', label: 'timeout / error', color: '#000000' }
  ];
  var timeline = report.timeline;
  var duration = Math.max(1, timeline.length);

  function el(name, attrs, parent) {
    var node = document.createElementNS(SVG, name);
    for (var k in attrs) node.setAttribute(k, String(attrs[k]));
    if (parent) parent.appendChild(node);
    return node;
  }
  function html(tag, text, parent, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    if (parent) parent.appendChild(node);
    return node;
  }
  function niceMax(v) {
    if (!(v > 0)) return 1;
    var p = Math.pow(10, Math.floor(Math.log10(v)));
    var steps = [1, 2, 2.5, 5, 10];
    for (var i = 0; i < steps.length; i++) if (steps[i] * p >= v) return steps[i] * p;
    return 10 * p;
  }

  // A time chart: x = seconds of the run, shaded phases and outage, one path per series.
  function chart(container, opts) {
    var W = opts.width || 580, H = opts.height || 210, L = 46, R = 10, T = 22, B = 24;
    var box = html('div', null, container, 'chart');
    if (opts.title) html('h3', opts.title, box);
    var legend = html('div', null, box, 'legend');
    var svg = el('svg', { width: W, height: H, viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': opts.title || 'chart' }, box);
    var maxY = opts.maxY !== undefined ? opts.maxY : niceMax(Math.max.apply(null, [0].concat(opts.series.map(function (s) { return Math.max.apply(null, [0].concat(s.values)); }))));
    var x = function (t) { return L + (t / duration) * (W - L - R); };
    var y = function (v) { return H - B - (Math.min(v, maxY) / maxY) * (H - T - B); };
    (report.phases || []).forEach(function (p, i) {
      if (p.kind === 'cache-outage') return;
      el('rect', { x: x(p.startSecond), y: 2 + (i % 3) * 6, width: Math.max(1, x(p.endSecond) - x(p.startSecond)), height: 4, fill: '#c8d1dc' }, svg);
    });
    if (report.outage) {
      el('rect', { 'class': 'outage', x: x(report.outage.startSecond), y: T, width: Math.max(1, x(report.outage.endSecond) - x(report.outage.startSecond)), height: H - T - B, fill: 'rgba(207,34,46,0.10)' }, svg);
      var label = el('text', { x: x(report.outage.startSecond) + 3, y: T + 11 }, svg);
      label.textContent = 'cache outage';
    }
    for (var g = 0; g <= 4; g++) {
      var v = (maxY / 4) * g;
      el('line', { x1: L, x2: W - R, y1: y(v), y2: y(v), stroke: '#e3e7ee' }, svg);
      var t = el('text', { x: L - 4, y: y(v) + 4, 'text-anchor': 'end' }, svg);
      t.textContent = opts.format ? opts.format(v) : (Math.round(v * 10) / 10);
    }
    var tick = niceMax(duration / 8);
    for (var s = 0; s <= duration; s += tick) {
      var tx = el('text', { x: x(s), y: H - 8, 'text-anchor': s + tick > duration ? 'end' : 'middle' }, svg);
      tx.textContent = s + 's';
    }
    if (opts.threshold !== undefined) {
      el('line', { 'class': 'sla', x1: L, x2: W - R, y1: y(opts.threshold), y2: y(opts.threshold), stroke: '#1d2430', 'stroke-width': 2, 'stroke-dasharray': '10 6' }, svg);
      var slaLabel = el('text', { x: W - R - 4, y: y(opts.threshold) - 4, 'text-anchor': 'end' }, svg);
      slaLabel.textContent = 'SLA ' + opts.threshold + ' ms';
      slaLabel.setAttribute('style', 'fill:#1d2430;font-weight:600');
    }
    opts.series.forEach(function (s) {
      var key = html('span', null, legend);
      var swatch = html('i', null, key);
      swatch.style.background = s.color;
      key.appendChild(document.createTextNode(s.label));
      var d = '';
      s.values.forEach(function (v, i) {
        if (v === null || v === undefined) return;
        var px = x(i + (opts.step ? 0 : 0.5)), py = y(v);
        d += (d === '' ? 'M' : 'L') + px.toFixed(1) + ' ' + py.toFixed(1);
        if (opts.step) d += 'L' + x(i + 1).toFixed(1) + ' ' + py.toFixed(1);
      });
      if (d !== '') el('path', { d: d, fill: 'none', stroke: s.color, 'stroke-width': s.width || 1.6, 'stroke-dasharray': s.dash || '', 'data-series': s.label }, svg);
    });
    return svg;
  }

  // Checks.
  var tbody = document.querySelector('#checks tbody');
  report.checks.forEach(function (c) {
    var tr = html('tr', null, tbody);
    tr.id = 'check-' + c.name;
    html('td', c.skipped ? '–' : c.pass ? '✓' : c.inconclusive ? '?' : '✗', tr, 'mark ' + (c.skipped ? 'skip' : c.pass ? 'pass' : c.inconclusive ? 'inconclusive' : 'fail'));
    html('td', c.name, tr);
    var measured = html('td', (c.inconclusive ? 'inconclusive: ' : '') + c.value, tr);
    // A failed or inconclusive check says when and why, and links to the chart that shows it.
    if (!c.pass && (c.reason || c.advice || c.chart)) {
      var why = html('div', null, measured, 'check-why');
      if (c.reason) html('div', (c.inconclusive ? 'Why: ' : 'When: ') + c.reason, why);
      if (c.advice) html('div', 'What to do: ' + c.advice, why);
      if (c.chart) { var a = html('a', 'see the chart', why); a.href = '#' + c.chart; }
    }
    html('td', c.expected, tr);
  });
  document.getElementById('summary').textContent =
    report.config.gates + ' gate+storefront pair(s), ' +
    (report.interrupted ? report.duration.ranSeconds + ' of ' + report.config.durationSeconds + ' s (interrupted)' : report.config.durationSeconds + ' s') + ', profile ' + report.config.profile +
    ', ' + report.totals.sent.toLocaleString('en-US') + ' requests (' + report.totals.botSent.toLocaleString('en-US') + ' from bots), Redis: ' + report.config.redis +
    ', time scale ' + report.config.timeScale + '×';

  // The phases, labelled.
  (function () {
    var W = 1160, L = 46, R = 10, rowH = 18, phases = report.phases || [];
    var H = 22 + rowH * Math.max(1, phases.length);
    var box = html('div', null, document.getElementById('phase-strip'), 'chart');
    var svg = el('svg', { width: W, height: H, viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': 'phases' }, box);
    var x = function (t) { return L + (t / duration) * (W - L - R); };
    phases.forEach(function (p, i) {
      var color = p.kind === 'cache-outage' ? 'rgba(207,34,46,0.35)' : p.kind === 'bot-flood' ? '#e3a35b' : p.kind === 'surge' ? '#7aa7d9' : '#b9a5e3';
      el('rect', { 'class': 'phase', x: x(p.startSecond), y: 4 + i * rowH, width: Math.max(2, x(p.endSecond) - x(p.startSecond)), height: rowH - 5, rx: 3, fill: color }, svg);
      var label = el('text', { x: x(p.startSecond) + 4, y: 4 + i * rowH + 10 }, svg);
      label.textContent = p.label + ' (' + p.startSecond + '–' + p.endSecond + 's)';
      label.setAttribute('style', 'fill:#1d2430');
    });
    var tick = niceMax(duration / 8);
    for (var s = 0; s <= duration; s += tick) {
      var tx = el('text', { x: x(s), y: H - 4, 'text-anchor': s + tick > duration ? 'end' : 'middle' }, svg);
      tx.textContent = s + 's';
    }
  })();

  // Requests per class.
  var grid = document.getElementById('class-charts');
  CLASSES.forEach(function (cls) {
    var routes = report.config.routes.filter(function (r) { return r.priority === cls; }).map(function (r) { return r.name; }).join(', ');
    var shopperSeries = SERIES.map(function (s) {
      return { label: 'shoppers ' + s.label, color: s.color, values: timeline.map(function (t) { var c = t.classes[cls]; return (c.shopper || c)[s.key]; }) };
    }).filter(function (s) { return s.values.some(function (v) { return v > 0; }) || s.label === 'shoppers served'; });
    var botValues = timeline.map(function (t) { return t.classes[cls].botSent; });
    var botPeak = Math.max.apply(null, [0].concat(botValues));
    var shopperPeak = Math.max.apply(null, [0].concat(shopperSeries.map(function (s) { return Math.max.apply(null, [0].concat(s.values)); })));
    var series = shopperSeries.slice();
    if (botPeak > 0) series.push({ label: 'bots sent' + (botPeak > shopperPeak * 1.5 ? ' (off scale, peak ' + botPeak + '/s)' : ''), color: '#8c959f', dash: '2 2', values: botValues });
    chart(grid, { title: cls + (routes ? ' (' + routes + ')' : ''), maxY: niceMax(Math.max(1, shopperPeak) * 1.1), series: series });
  });

  // Latency.
  chart(document.getElementById('latency-chart'), {
    title: 'p99 latency per class (ms)', width: 1160, height: 240, threshold: report.config.sla.p99LatencyMs,
    maxY: niceMax(Math.max(report.config.sla.p99LatencyMs * 1.5, Math.max.apply(null, [0].concat(timeline.map(function (t) { return Math.max(t.classes.critical.p99, t.classes.high.p99); }))))),
    series: CLASSES.map(function (cls) {
      return { label: cls + ' p99', color: CLASS_COLORS[cls], values: timeline.map(function (t) { return t.classes[cls].p99 || null; }) };
    }).concat([{ label: 'critical p50', color: CLASS_COLORS.critical, dash: '2 3', values: timeline.map(function (t) { return t.classes.critical.p50 || null; }) }])
  });

  // Level and breakers.
  var dependencies = {};
  timeline.forEach(function (t) { t.openBreakers.forEach(function (d) { dependencies[d] = true; }); });
  report.flagsChanges.forEach(function (f) { f.openBreakers.forEach(function (d) { dependencies[d] = true; }); });
  var maxLevel = Math.max.apply(null, [1].concat(report.config.degradation.map(function (d) { return d.level; })));
  var breakerSeries = Object.keys(dependencies).sort().map(function (dep, i) {
    return { label: 'breaker ' + dep + ' open', color: ['#57606a', '#9a6700', '#0969da'][i % 3], dash: '6 3', step: true,
      values: timeline.map(function (t) { return t.openBreakers.indexOf(dep) >= 0 ? maxLevel + 0.5 + i * 0.25 : 0; }) };
  });
  chart(document.getElementById('level-chart'), {
    title: 'degradation level' + (breakerSeries.length ? ' and open breakers' : ' (no breaker opened)'), width: 1160, height: 200, maxY: maxLevel + 1, step: true,
    format: function (v) { return v % 1 === 0 ? String(v) : ''; },
    // The gates' levels are wide translucent bands under the controller's line: where they part
    // from it, a gate had not caught up yet (or could not read the flags).
    series: [
      { label: 'gates (highest)', color: 'rgba(227,116,0,0.35)', width: 8, values: timeline.map(function (t) { return t.gateLevelMax; }) },
      { label: 'gates (lowest)', color: 'rgba(11,92,173,0.45)', width: 4, values: timeline.map(function (t) { return t.gateLevelMin; }) },
      { label: 'controller level', color: '#8250df', width: 1.8, values: timeline.map(function (t) { return t.level; }) }
    ].concat(breakerSeries)
  });

  // Checkouts.
  chart(document.getElementById('checkout-chart'), {
    title: 'shopper checkouts per second', width: 1160, height: 200,
    series: [
      { label: 'succeeded', color: '#1a7f37', values: timeline.map(function (t) { return t.checkout.succeeded; }) },
      { label: 'limited', color: '#e37400', values: timeline.map(function (t) { return t.checkout.limited; }) },
      { label: 'failed', color: '#cf222e', values: timeline.map(function (t) { return t.checkout.failed; }) }
    ]
  });

  // Flag changes.
  var flags = document.querySelector('#flags tbody');
  if (report.flagsChanges.length === 0) html('td', 'no change', html('tr', null, flags));
  report.flagsChanges.forEach(function (f) {
    var tr = html('tr', null, flags);
    html('td', f.second + 's', tr); html('td', f.version, tr); html('td', f.level, tr);
    html('td', f.openBreakers.join(', ') || '–', tr); html('td', f.reason, tr);
  });

  // Run details.
  var run = document.getElementById('run');
  function row(k, v) { var tr = html('tr', null, run); html('th', k, tr); html('td', v, tr); }
  row('generated', report.generatedAt);
  row('SLA', 'p99 ≤ ' + report.config.sla.p99LatencyMs + ' ms, error rate ≤ ' + report.config.sla.errorRate);
  row('controller', 'calm ' + report.config.controller.calmPeriodSeconds + ' s → ' + report.config.controller.scaledCalmPeriodSeconds + ' s, breaker calm ' + report.config.controller.breakerCalmSeconds + ' s → ' + report.config.controller.scaledBreakerCalmSeconds + ' s');
  report.config.alarms.forEach(function (a) {
    row('alarm ' + a.name, a.metric + ' > ' + a.threshold + ', ' + a.datapointsToAlarm + ' of ' + a.evaluationPeriods + ' × ' + a.periodSeconds + ' s (rehearsed as ' + a.scaledPeriodSeconds + ' s) → ' + a.effect);
  });
  row('phases', report.phases.map(function (p) { return p.label + ' ' + p.startSecond + '–' + p.endSecond + 's'; }).join('; '));
  var generatorPeak = Math.max.apply(null, [0].concat(timeline.map(function (t) { return t.generatorCpuPercent || 0; })));
  row('traffic generator', 'peak CPU ' + Math.round(generatorPeak) + '% of a core (latencies are the fleet\'s only while this stays well below 100%)');
  row('checkout latency', 'p50 ' + report.latency.checkout.p50 + ' ms, p99 ' + report.latency.checkout.p99 + ' ms, max ' + report.latency.checkout.max + ' ms');
  var notices = document.getElementById('notices');
  report.notices.forEach(function (n) { html('li', n, notices); });
${STORY_SCRIPT}
  document.body.setAttribute('data-rendered', 'true');
})();
`;
