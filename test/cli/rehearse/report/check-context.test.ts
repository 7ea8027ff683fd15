import { placeChecks, spans } from '../../../../cli/rehearse/report/check-context';
import type { Check } from '../../../../cli/rehearse/report/rehearsal-checks';
import type { TimelineSecond } from '../../../../cli/rehearse/report/rehearsal-report';
import { sampleReport } from './sample-report';

/** The sample run's timeline with checkout p99 over the SLA at 3–5s and 9s, level 0 then. */
function timelineWithSpikes(): TimelineSecond[] {
  return sampleReport().timeline.map((t) => ({
    ...t,
    classes: {
      ...t.classes,
      critical: { ...t.classes.critical, p99: [3, 4, 5, 9].includes(t.second) ? (t.second === 4 ? 2959 : 1200) : 60 },
    },
  }));
}

describe('where a check is told', () => {
  it('says when a failed checkout p99 went over the SLA, at which level, and names the latency chart', () => {
    const check: Check = { name: 'checkout-p99-within-sla', pass: false, value: 'p99 2959 ms', expected: '≤ 800 ms' };
    const [placed] = placeChecks([check], timelineWithSpikes(), 800);
    expect(placed).toMatchObject({
      chart: 'latency-chart',
      reason: 'checkout p99 above 800 ms in 4 s (3–5s, 9s); worst 2959 ms at 4s, level 0 then',
    });
  });

  it("names the chart of a passing check but adds no reason, and keeps an inconclusive check's own reason", () => {
    const passing: Check = { name: 'bot-requests-refused', pass: true, value: '', expected: '' };
    const undecided: Check = {
      name: 'checkout-p99-within-sla',
      pass: false,
      inconclusive: true,
      reason: 'the generator fell behind',
      value: '',
      expected: '',
    };
    const [a, b] = placeChecks([passing, undecided], timelineWithSpikes(), 800);
    expect(a).toEqual({ ...passing, chart: 'class-charts' });
    expect(b).toEqual({ ...undecided, chart: 'latency-chart' });
  });

  it('leaves the seconds a check excludes (the outage) out of when it failed', () => {
    const timeline = sampleReport().timeline.map((t) => ({
      ...t,
      checkout: { ...t.checkout, failed: [5, 19, 20].includes(t.second) ? 2 : 0 },
    }));
    const check: Check = { name: 'checkout-success-rate', pass: false, value: '', expected: '' };
    const [placed] = placeChecks([check], timeline, 800, (s) => s >= 18 && s < 22);
    expect(placed!.reason).toBe('checkouts failed (2) or were limited (0) in 5s');
  });

  it('writes runs of seconds compactly', () => {
    expect(spans([9, 3, 4, 5, 12])).toBe('3–5s, 9s, 12s');
    expect(spans([])).toBe('');
  });
});
