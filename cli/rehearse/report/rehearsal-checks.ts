/**
 * The pass/fail questions a rehearsal answers, as pure functions of what was observed. Each check
 * returns `{ name, pass, value }` (value is what was measured, in words a person reads) plus the
 * expectation, so the terminal, report.json and report.html say the same thing. A check the run
 * could not answer is `skipped`, with why in its value, and does not count as a failure.
 */
import type { LatencySummary, SecondTally, Tally } from '../traffic/outcome-recorder';

export interface Check {
  name: string;
  pass: boolean;
  value: string;
  expected: string;
  /** Not evaluated: the run never had what the check needs (`pass` is then true, `value` says why). */
  skipped?: boolean;
  /** Not judged: the rehearsal could not deliver its traffic (`pass` is false; see delivery.ts). */
  inconclusive?: boolean;
  /** Why the check is inconclusive or skipped, or when it failed. */
  reason?: string;
  /** What to do next about it. */
  advice?: string;
  /** Id of the report chart that shows it (report.html#<chart>). */
  chart?: string;
}

/**
 * Bot requests count as refused when they never reached the shop: the gate turned them away
 * (limited, shed, degraded, short-circuited) or answered them itself from a fallback (a stale
 * product list costs the shop nothing and buys no stock).
 */
const REFUSED_OUTCOMES = ['limited', 'shed', 'degraded', 'short-circuited', 'fallback'] as const;

export interface OutageWindow {
  /** Seconds from the start of the run. */
  startSecond: number;
  endSecond: number;
}

/**
 * Shopper checkouts answered 201 (bought) or 409 (sold out), outside the cache outage and the
 * recovery allowance after it (the outage has its own check). A 429 to a shopper is a failure: a
 * person was turned away; 5xx, timeouts and connection errors are failures too.
 */
export function checkoutSuccessCheck(
  seconds: readonly SecondTally[],
  outage: OutageWindow | undefined,
  recoveryAllowanceSeconds: number,
  minimumRate: number,
): Check {
  let attempts = 0;
  let succeeded = 0;
  seconds.forEach((second, index) => {
    if (outage && index >= outage.startSecond && index < outage.endSecond + recoveryAllowanceSeconds) return;
    attempts += second.checkout.attempts;
    succeeded += second.checkout.succeeded;
  });
  const rate = attempts > 0 ? succeeded / attempts : 0;
  const excluded = outage ? ` (outage and ${recoveryAllowanceSeconds} s after it excluded)` : '';
  return {
    name: 'checkout-success-rate',
    pass: attempts > 0 && rate >= minimumRate,
    value: `${percent(rate)} of ${attempts} shopper checkouts got 201 or 409${excluded}`,
    expected: `≥ ${percent(minimumRate)}`,
  };
}

export function botRefusalCheck(seconds: readonly SecondTally[], minimumShare: number): Check {
  let sent = 0;
  let refused = 0;
  for (const second of seconds) {
    for (const tally of Object.values(second.classes)) {
      const bot = tally.bot;
      sent += bot.sent - (bot.outcomes.dropped ?? 0);
      refused += refusedCount(bot);
    }
  }
  const share = sent > 0 ? refused / sent : 0;
  return {
    name: 'bot-requests-refused',
    pass: sent > 0 && share >= minimumShare,
    value:
      sent > 0
        ? `${percent(share)} of ${sent} bot requests kept off the shop (limited, shed, degraded, short-circuited or a fallback)`
        : 'no bot requests were sent',
    expected: `≥ ${percent(minimumShare)}`,
  };
}

export function refusedCount(tally: Tally): number {
  return REFUSED_OUTCOMES.reduce((sum, outcome) => sum + (tally.outcomes[outcome] ?? 0), 0);
}

export function checkoutLatencyCheck(checkout: LatencySummary, slaP99Ms: number): Check {
  return {
    name: 'checkout-p99-within-sla',
    pass: checkout.count > 0 && checkout.p99 <= slaP99Ms,
    value:
      checkout.count > 0
        ? `p99 ${checkout.p99} ms over ${checkout.count} shopper checkouts (max ${checkout.max} ms)`
        : 'no shopper checkouts',
    expected: `≤ ${slaP99Ms} ms (sla.p99LatencyMs)`,
  };
}

export interface ShopNumbers {
  unitsSold: number;
  initialUnits: number;
  oversold: boolean;
  /** Lowest remaining stock of any product. */
  lowestStock: number;
}

/**
 * Nothing sold that was not there: the shop's own invariant holds (stock never negative, sold +
 * stock = initial), it sold no more than it had, and every purchase a client was told about (201)
 * is among the units sold. Units sold beyond the confirmed ones are reported, not failed: they are
 * checkouts whose answer was an error or never came while the reservation went through (a timeout
 * is not a failure: a hung Redis may run the reservation after the shop gave up on it).
 */
export function noOversellCheck(shop: ShopNumbers | undefined, unitsBoughtByClients: number): Check {
  const expected = 'sold ≤ initial stock, stock never negative, every confirmed purchase among the units sold';
  if (!shop) return { name: 'no-oversell', pass: false, value: 'the shop statistics could not be read', expected };
  const withinStock = shop.unitsSold <= shop.initialUnits;
  const unconfirmed = shop.unitsSold - unitsBoughtByClients;
  const problems = [
    shop.oversold ? 'the shop reports a broken stock invariant' : '',
    withinStock ? '' : 'sold more than the initial stock',
    shop.lowestStock < 0 ? 'a stock went negative' : '',
    unconfirmed < 0 ? `${-unconfirmed} confirmed unit(s) missing from the shop's sales` : '',
  ].filter(Boolean);
  const held =
    unconfirmed > 0 ? `; ${unconfirmed} unit(s) held by checkouts whose client saw an error or no answer` : '';
  return {
    name: 'no-oversell',
    pass: problems.length === 0,
    value: `sold ${shop.unitsSold} of ${shop.initialUnits} units, ${unitsBoughtByClients} confirmed to clients, lowest stock ${shop.lowestStock}${held}${problems.length > 0 ? `: ${problems.join(', ')}` : ''}`,
    expected,
  };
}

/** Seconds of checkouts that, succeeding together, show a recovery. */
const RECOVERY_WINDOW_SECONDS = 3;

/**
 * After Redis comes back, shopper checkouts succeed again within the limit: the first second from
 * which a window of `windowSeconds` has checkouts and at least `minimumRate` of them succeed.
 */
export function recoveryCheck(
  seconds: readonly SecondTally[],
  outage: OutageWindow | undefined,
  limitSeconds: number,
  windowSeconds = RECOVERY_WINDOW_SECONDS,
  minimumRate = 0.95,
): Check {
  const name = 'recovery-after-cache-outage';
  const expected = `checkouts succeed again within ${limitSeconds} s of Redis returning`;
  if (!outage) return skip({ name, pass: true, value: '', expected }, 'this run had no cache outage');
  for (let start = outage.endSecond; start + windowSeconds <= seconds.length; start += 1) {
    const window = seconds.slice(start, start + windowSeconds);
    const attempts = window.reduce((sum, s) => sum + s.checkout.attempts, 0);
    const succeeded = window.reduce((sum, s) => sum + s.checkout.succeeded, 0);
    if (attempts > 0 && succeeded / attempts >= minimumRate) {
      const after = start - outage.endSecond;
      return { name, pass: after <= limitSeconds, value: `recovered ${after} s after Redis returned`, expected };
    }
  }
  return { name, pass: false, value: 'checkouts did not recover before the end of the run', expected };
}

/**
 * The levers moved by themselves: the controller raised the degradation level at some point of the
 * run's trouble (which phase did it depends on how hard this machine was pushed: the surge when it
 * saturates the fleet, the outage's errors otherwise) and stepped it back to 0 by the end.
 */
/**
 * The level rose with the trouble and came back. A run in which no alarm that raises the level
 * ever fired (the gates absorbed the trouble) leaves the lever unexercised: skipped, not failed.
 */
export function levelsCheck(levels: readonly number[], degradingAlarmFired = true): Check {
  const peak = Math.max(0, ...levels);
  const final = levels.length > 0 ? levels[levels.length - 1]! : 0;
  const firstRaised = levels.findIndex((level) => level > 0);
  const expected = 'a level ≥ 1 during the trouble (surge, bots, slow route or outage), back to 0 by the end';
  if (peak === 0 && !degradingAlarmFired) {
    return {
      name: 'degradation-flipped-and-restored',
      pass: true,
      skipped: true,
      value: 'peak level 0, final level 0',
      reason: 'no alarm that raises the level fired: the gates absorbed the trouble, so the lever was not exercised',
      expected,
    };
  }
  return {
    name: 'degradation-flipped-and-restored',
    pass: peak >= 1 && final === 0,
    value: `peak level ${peak}${firstRaised >= 0 ? ` (first raised at ${firstRaised}s)` : ''}, final level ${final}`,
    expected,
  };
}

/** Where a run that Ctrl-C or SIGTERM cut short had got to. */
export interface InterruptedRun {
  /** Seconds of traffic sent before the signal (to a tenth; the last second may be partial). */
  ranSeconds: number;
  plannedSeconds: number;
  /** The profile's phases as planned, in seconds from the start of the run. */
  phases: readonly { kind: string; startSecond: number }[];
  /** The cache outage, once it began; `endSecond` past `ranSeconds` means Redis had not come back. */
  outage: OutageWindow | undefined;
  recoveryLimitSeconds: number;
}

/**
 * The checks of an interrupted run, evaluated on the part that ran: each stands, except those that
 * need what the run never reached, which are skipped with why: the bot refusal before any bot flood
 * began, the recovery before Redis was back long enough to recover, and the level being back to 0
 * "by the end" when that end never came.
 */
export function checksOfInterruptedRun(checks: readonly Check[], run: InterruptedRun): Check[] {
  const at = `interrupted at ${run.ranSeconds} s of ${run.plannedSeconds} s`;
  const notReached = (kind: string) => {
    const planned = run.phases.filter((p) => p.kind === kind);
    return planned.length > 0 && planned.every((p) => p.startSecond >= run.ranSeconds)
      ? Math.min(...planned.map((p) => p.startSecond))
      : undefined;
  };
  const skipReason = (check: Check): string | undefined => {
    switch (check.name) {
      case 'bot-requests-refused': {
        const flood = notReached('bot-flood');
        return flood === undefined ? undefined : `${at}, before the bot flood (planned from ${flood} s)`;
      }
      case 'recovery-after-cache-outage': {
        const outage = notReached('cache-outage');
        if (outage !== undefined) return `${at}, before the cache outage (planned from ${outage} s)`;
        if (!run.outage || check.pass) return undefined;
        if (run.outage.endSecond > run.ranSeconds)
          return `${at}, during the cache outage (Redis down since ${run.outage.startSecond} s)`;
        const after = Math.round((run.ranSeconds - run.outage.endSecond) * 10) / 10;
        // The window the recovery is measured over must fit after the allowance, or nothing is proven.
        return after < run.recoveryLimitSeconds + RECOVERY_WINDOW_SECONDS
          ? `${at}, ${after} s after Redis returned (${run.recoveryLimitSeconds} s allowed to recover)`
          : undefined;
      }
      case 'degradation-flipped-and-restored':
        return check.pass && !check.skipped
          ? undefined
          : `${at}: the level must be back to 0 by the end of the run, which never came (${check.value})`;
      default:
        return undefined;
    }
  };
  return checks.map((check) => {
    const reason = skipReason(check);
    return reason === undefined ? check : skip(check, reason);
  });
}

function skip(check: Check, reason: string): Check {
  return { ...check, pass: true, skipped: true, value: `skipped: ${reason}` };
}

function percent(value: number): string {
  return `${(value * 100).toFixed(value >= 0.999 && value < 1 ? 2 : 1)}%`;
}
