/**
 * The part of report.html that tells the run as a story: the traffic split into shoppers and bots
 * with the phases named as a person would (ramp, flood, outage, calm), what was expected during
 * the cache outage, the calibration this machine's rates came from, and a timeline of which alarm
 * fired when and what the controller did about it. The script runs inside report-html's page
 * script and uses its helpers (report, timeline, chart, html, el, niceMax, duration).
 */

/** The sections, placed after the checks. */
export const STORY_SECTIONS = `
  <section id="story"><h2>The sale at a glance</h2>
    <p class="hint" id="calibration"></p>
    <div id="traffic-chart"></div>
    <p class="hint" id="outage-expectation"></p>
  </section>
  <section><h2>Alarms and the controller</h2><p class="hint">When each alarm was in ALARM, and what the controller did: each level change and breaker, at the second it happened.</p><div id="control-timeline"></div></section>`;

export const STORY_STYLE = `
#story .chart { max-width: 1180px; }
.phase-name { font-weight: 600; }
td.mark.inconclusive { color: var(--warn); }
.check-why { color: var(--muted); font-size: 12px; margin-top: 2px; }
.check-why a { color: #0b5cad; }
`;

/** Plain browser JavaScript (ES2017), spliced into the page script before it marks the page rendered. */
export const STORY_SCRIPT = String.raw`
  // A phase as a person names it.
  function storyName(p) {
    if (p.kind === 'surge') return 'ramp to ' + p.label.replace('surge to ', '') + ' (shoppers)';
    if (p.kind === 'bot-flood') return 'bot flood';
    if (p.kind === 'cache-outage') return 'cache outage (Redis down, failover)';
    if (p.kind === 'slow-route') return p.label;
    return p.label;
  }

  (function calibrationLine() {
    var c = report.calibration, node = document.getElementById('calibration');
    if (!c) { node.textContent = 'No calibration (--no-calibration): the profile\'s request rates were used as written.'; return; }
    node.textContent = 'Calibration: this machine\'s fleet served ' + (c.atLeast ? 'at least ' : '') + c.capacityRps + ' req/s within p99 ' + c.bound.p99Ms + ' ms (' +
      c.steps.length + ' steps, ' + (c.durationMs / 1000).toFixed(1) + ' s); the sale below is scaled to it: base rate ' + (c.baseRps === null ? 'unchanged' : c.baseRps + ' req/s') +
      (c.peakRps === null ? '' : ', ramp peak ' + c.peakRps + ' req/s') + (c.botFloodRps.length ? ', bot flood ' + c.botFloodRps.join(' / ') + ' req/s' : '') + '.';
  })();

  (function trafficChart() {
    var shoppers = timeline.map(function (t) { return CLASSES.reduce(function (sum, c) { return sum + t.classes[c].sent - t.classes[c].botSent; }, 0); });
    var bots = timeline.map(function (t) { return CLASSES.reduce(function (sum, c) { return sum + t.classes[c].botSent; }, 0); });
    var total = timeline.map(function (t, i) { return shoppers[i] + bots[i]; });
    var svg = chart(document.getElementById('traffic-chart'), {
      title: 'requests per second: shoppers and bots', width: 1160, height: 250,
      series: [
        { label: 'total', color: '#1d2430', width: 1.2, dash: '3 3', values: total },
        { label: 'shoppers', color: '#0b5cad', width: 2.2, values: shoppers },
        { label: 'bots', color: '#e37400', width: 2.2, values: bots }
      ]
    });
    // The phases, named, as bands along the top; whatever the profile leaves uncovered at the end is the calm.
    var W = 1160, L = 46, R = 10, x = function (t) { return L + (t / duration) * (W - L - R); };
    var phases = (report.phases || []).slice();
    var lastEnd = Math.max.apply(null, [0].concat(phases.map(function (p) { return p.endSecond; })));
    if (lastEnd < duration - 1) phases.push({ kind: 'calm', label: 'calm', startSecond: lastEnd, endSecond: duration });
    phases.forEach(function (p, i) {
      var y = 24 + (i % 4) * 13;
      var label = el('text', { 'class': 'phase-name', x: x(p.startSecond) + 2, y: y }, svg);
      label.textContent = '▸ ' + (p.kind === 'calm' ? 'calm (recovery)' : storyName(p)) + ' ' + p.startSecond + 's';
      label.setAttribute('style', 'fill:#1d2430');
    });
  })();

  (function outageExpectation() {
    var node = document.getElementById('outage-expectation');
    if (!report.outage) { node.textContent = 'No cache outage in this run.'; return; }
    var o = report.outage;
    var during = timeline.slice(o.startSecond, o.endSecond);
    var refused = during.reduce(function (s, t) { return s + t.checkout.failed + t.checkout.limited; }, 0);
    var bought = during.reduce(function (s, t) { return s + t.checkout.succeeded; }, 0);
    var recovery = report.checks.filter(function (c) { return c.name === 'recovery-after-cache-outage'; })[0];
    node.innerHTML = '';
    html('strong', 'Cache outage ' + o.startSecond + '–' + o.endSecond + 's: ', node);
    node.appendChild(document.createTextNode(
      'Redis is down (the failover of a real cache). Expected: checkouts are refused cleanly (503, never a sale without stock), ' +
      'the gates decide rate limits locally meanwhile, and checkouts succeed again shortly after Redis is back. ' +
      'Seen: ' + refused + ' checkouts refused and ' + bought + ' answered during it' + (recovery ? '; ' + recovery.value + '.' : '.')));
  })();

  (function controlTimeline() {
    var names = [];
    timeline.forEach(function (t) { t.alarmsInAlarm.forEach(function (a) { if (names.indexOf(a) < 0) names.push(a); }); });
    var W = 1160, L = 190, R = 10, rowH = 16, H = 40 + rowH * (names.length + 1);
    var box = html('div', null, document.getElementById('control-timeline'), 'chart');
    var svg = el('svg', { width: W, height: H, viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': 'alarms and controller' }, box);
    var x = function (t) { return L + (t / duration) * (W - L - R); };
    names.forEach(function (name, row) {
      var y = 8 + row * rowH;
      var t = el('text', { x: L - 6, y: y + 10, 'text-anchor': 'end' }, svg);
      t.textContent = name;
      timeline.forEach(function (s) {
        if (s.alarmsInAlarm.indexOf(name) >= 0) el('rect', { 'class': 'alarm', x: x(s.second), y: y, width: Math.max(1, x(s.second + 1) - x(s.second)), height: rowH - 4, fill: '#cf222e' }, svg);
      });
    });
    var levelRow = 8 + names.length * rowH;
    var lt = el('text', { x: L - 6, y: levelRow + 10, 'text-anchor': 'end' }, svg);
    lt.textContent = names.length ? 'controller level' : 'controller level (no alarm fired)';
    timeline.forEach(function (s) {
      if (s.level > 0) el('rect', { x: x(s.second), y: levelRow, width: Math.max(1, x(s.second + 1) - x(s.second)), height: rowH - 4, fill: 'rgba(130,80,223,' + (0.25 + 0.25 * s.level) + ')' }, svg);
    });
    var tick = niceMax(duration / 8);
    for (var s = 0; s <= duration; s += tick) {
      var tx = el('text', { x: x(s), y: H - 6, 'text-anchor': s + tick > duration ? 'end' : 'middle' }, svg);
      tx.textContent = s + 's';
    }
    var list = html('ul', null, box);
    if (report.flagsChanges.length === 0) html('li', 'The controller changed nothing.', list);
    report.flagsChanges.forEach(function (f) {
      html('li', f.second + 's: level ' + f.level + (f.openBreakers.length ? ', breakers open: ' + f.openBreakers.join(', ') : '') + ' (' + f.reason + ')', list);
    });
  })();
`;
