/**
 * Where a check's story is told: each check names the report chart that shows it (an anchor of
 * report.html), and a failed one says when it went wrong, from the timeline: the seconds over the
 * SLA, the seconds with failed checkouts, and the level the controller had set by then.
 */
import type { Check } from './rehearsal-checks';
import type { TimelineSecond } from './rehearsal-report';

/** Chart ids of report.html. */
export const REPORT_CHARTS = {
  traffic: 'traffic-chart',
  classes: 'class-charts',
  latency: 'latency-chart',
  level: 'level-chart',
  control: 'control-timeline',
  checkout: 'checkout-chart',
} as const;

const CHART_OF_CHECK: Record<string, string> = {
  'checkout-success-rate': REPORT_CHARTS.checkout,
  'bot-requests-refused': REPORT_CHARTS.classes,
  'checkout-p99-within-sla': REPORT_CHARTS.latency,
  'no-oversell': REPORT_CHARTS.checkout,
  'recovery-after-cache-outage': REPORT_CHARTS.checkout,
  'degradation-flipped-and-restored': REPORT_CHARTS.control,
};

/**
 * `excluded`: seconds the check itself leaves out (the cache outage and its recovery allowance for
 * the checkout success rate), so "when" names only the seconds that made it fail.
 */
export function placeChecks(
  checks: readonly Check[],
  timeline: readonly TimelineSecond[],
  slaP99Ms: number,
  excluded: (second: number) => boolean = () => false,
): Check[] {
  return checks.map((check) => {
    const chart = CHART_OF_CHECK[check.name];
    const placed: Check = chart ? { ...check, chart } : { ...check };
    if (check.pass || check.inconclusive || check.reason) return placed;
    const counted = check.name === 'checkout-success-rate' ? timeline.filter((t) => !excluded(t.second)) : timeline;
    const when = whenItWentWrong(check.name, counted, slaP99Ms);
    return when ? { ...placed, reason: when } : placed;
  });
}

function whenItWentWrong(name: string, timeline: readonly TimelineSecond[], slaP99Ms: number): string | undefined {
  switch (name) {
    case 'checkout-p99-within-sla': {
      const over = timeline.filter((t) => t.classes.critical.p99 > slaP99Ms);
      if (over.length === 0) return undefined;
      const worst = over.reduce((a, b) => (b.classes.critical.p99 > a.classes.critical.p99 ? b : a));
      return `checkout p99 above ${slaP99Ms} ms in ${over.length} s (${spans(over.map((t) => t.second))}); worst ${worst.classes.critical.p99} ms at ${worst.second}s, level ${worst.level} then`;
    }
    case 'checkout-success-rate':
    case 'recovery-after-cache-outage': {
      const bad = timeline.filter((t) => t.checkout.failed + t.checkout.limited > 0);
      if (bad.length === 0) return undefined;
      const failed = bad.reduce((sum, t) => sum + t.checkout.failed, 0);
      const limited = bad.reduce((sum, t) => sum + t.checkout.limited, 0);
      return `checkouts failed (${failed}) or were limited (${limited}) in ${spans(bad.map((t) => t.second))}`;
    }
    case 'degradation-flipped-and-restored': {
      const raised = timeline.filter((t) => t.level > 0);
      if (raised.length === 0) return 'the level never left 0: no degrading alarm fired (see the alarms timeline)';
      const last = timeline[timeline.length - 1];
      return `raised at ${raised[0]!.second}s; still ${last?.level} at the end (the calm period had not passed)`;
    }
    default:
      return undefined;
  }
}

/** "3–7s, 12s, 20–21s": runs of consecutive seconds. */
export function spans(seconds: readonly number[]): string {
  const parts: string[] = [];
  let start: number | undefined;
  let previous: number | undefined;
  for (const s of [...seconds].sort((a, b) => a - b)) {
    if (start !== undefined && previous !== undefined && s === previous + 1) {
      previous = s;
      continue;
    }
    if (start !== undefined && previous !== undefined)
      parts.push(start === previous ? `${start}s` : `${start}–${previous}s`);
    start = s;
    previous = s;
  }
  if (start !== undefined && previous !== undefined)
    parts.push(start === previous ? `${start}s` : `${start}–${previous}s`);
  return parts.length > 6 ? `${parts.slice(0, 6).join(', ')} and ${parts.length - 6} more` : parts.join(', ');
}
