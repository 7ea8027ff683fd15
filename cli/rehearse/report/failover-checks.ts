/**
 * The checks of the failover and key-loss scenarios, as pure functions of what the probes found
 * (same shape as rehearsal-checks.ts: what was measured, what was expected, skipped when the run
 * never had what the check needs).
 */
import type { Check } from './rehearsal-checks';
import type { FailoverFindings } from '../faults/failover-probe';
import type { KeyLossFindings } from '../faults/key-loss';

/** Checkout must answer again this soon after a failover. */
export const FAILOVER_CHECKOUT_LIMIT_MS = 5000;

function skipped(name: string, expected: string, why: string): Check {
  return { name, pass: true, skipped: true, value: `skipped: ${why}`, expected };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function failoverChecks(
  findings: FailoverFindings | undefined,
  why = 'this run had no cache failover',
): Check[] {
  const checkout = {
    name: 'checkout-after-failover',
    expected: `a checkout through a gate answered 201 within ${seconds(FAILOVER_CHECKOUT_LIMIT_MS)} of the failover, nothing restarted`,
  };
  const limits = {
    name: 'limits-back-on-redis',
    expected: 'every gate decides its rate limits on Redis again (not the local fallback) after the failover',
  };
  const flags = {
    name: 'flags-writable-after-failover',
    expected: "the controller's flags store writes on the new primary after the failover",
  };
  if (!findings)
    return [
      skipped(checkout.name, checkout.expected, why),
      skipped(limits.name, limits.expected, why),
      skipped(flags.name, flags.expected, why),
    ];
  const before = findings.answersBefore.length > 0 ? ` (before it: ${summarize(findings.answersBefore)})` : '';
  const gaveUp = `not within ${seconds(findings.patienceMs)}`;
  return [
    {
      ...checkout,
      pass: findings.firstCheckoutMs !== undefined && findings.firstCheckoutMs <= FAILOVER_CHECKOUT_LIMIT_MS,
      value:
        findings.firstCheckoutMs !== undefined
          ? `first 201 ${seconds(findings.firstCheckoutMs)} after the failover began, attempt ${findings.checkoutAttempts}${before}`
          : `no 201 ${gaveUp}${before}`,
    },
    {
      ...limits,
      pass: findings.limitsBackMs !== undefined,
      value:
        findings.limitsBackMs !== undefined
          ? `every gate back on Redis ${seconds(findings.limitsBackMs)} after the failover`
          : `some gate still on the local fallback, ${gaveUp}`,
    },
    {
      ...flags,
      pass: findings.flagsWritableMs !== undefined,
      value:
        findings.flagsWritableMs !== undefined
          ? `a flags write landed ${seconds(findings.flagsWritableMs)} after the failover`
          : `no flags write landed, ${gaveUp}${findings.flagsError ? ` (last error: ${findings.flagsError})` : ''}`,
    },
  ];
}

export function keyLossCheck(
  findings: KeyLossFindings | undefined,
  why = 'the flags key was not deleted in this run',
): Check {
  const name = 'gates-follow-after-flags-key-loss';
  const expected =
    "every gate obeys a document the controller wrote after the key was deleted, within one controller tick plus one gate poll (and the control plane's 1 s step)";
  if (!findings) return skipped(name, expected, why);
  const at = `key deleted at ${findings.deletedAtSecond} s at level ${findings.levelAtDeletion}`;
  return {
    name,
    expected: `${expected}: ≤ ${seconds(findings.limitMs)}`,
    pass: findings.followedMs !== undefined && findings.followedMs <= findings.limitMs,
    value:
      findings.followedMs !== undefined
        ? `${at}; all ${findings.gates} gate(s) followed ${seconds(findings.followedMs)} later`
        : `${at}; ${findings.gatesFollowed} of ${findings.gates} gate(s) followed within ${seconds(findings.limitMs * 3)}`,
  };
}

function summarize(answers: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const answer of answers) counts.set(answer, (counts.get(answer) ?? 0) + 1);
  return [...counts].map(([answer, count]) => `${count}× ${answer}`).join(', ');
}
