import {
  FAILOVER_CHECKOUT_LIMIT_MS,
  failoverChecks,
  keyLossCheck,
} from '../../../../cli/rehearse/report/failover-checks';
import type { FailoverFindings } from '../../../../cli/rehearse/faults/failover-probe';

const recovered: FailoverFindings = {
  firstCheckoutMs: 1200,
  checkoutAttempts: 3,
  answersBefore: ['503', '503'],
  limitsBackMs: 1500,
  flagsWritableMs: 300,
  patienceMs: 15_000,
};

describe('failover checks', () => {
  it('pass when checkout, limits and flags are back, and say how fast', () => {
    const checks = failoverChecks(recovered);
    expect(checks.map((c) => [c.name, c.pass])).toEqual([
      ['checkout-after-failover', true],
      ['limits-back-on-redis', true],
      ['flags-writable-after-failover', true],
    ]);
    expect(checks[0]!.value).toBe('first 201 1.2 s after the failover began, attempt 3 (before it: 2× 503)');
  });

  it('fail a checkout back later than the limit, or never, and name what was missing', () => {
    expect(failoverChecks({ ...recovered, firstCheckoutMs: FAILOVER_CHECKOUT_LIMIT_MS + 1 })[0]!.pass).toBe(false);
    const never = failoverChecks({
      checkoutAttempts: 150,
      answersBefore: Array(150).fill('503'),
      patienceMs: 15_000,
      flagsError: "READONLY You can't write against a read only replica.",
    });
    expect(never.map((c) => c.pass)).toEqual([false, false, false]);
    expect(never[0]!.value).toBe('no 201 not within 15.0 s (before it: 150× 503)');
    expect(never[2]!.value).toContain('last error: READONLY');
  });

  it('are skipped, with why, when the run had no failover', () => {
    const checks = failoverChecks(undefined, 'restart scenario');
    expect(checks.every((c) => c.skipped && c.pass && c.value === 'skipped: restart scenario')).toBe(true);
  });
});

describe('key-loss check', () => {
  const findings = { deletedAtSecond: 40, levelAtDeletion: 2, limitMs: 8000, gates: 3, gatesFollowed: 3 };

  it('passes when every gate followed within one tick plus one poll', () => {
    const check = keyLossCheck({ ...findings, followedMs: 5200 });
    expect(check).toMatchObject({
      pass: true,
      value: 'key deleted at 40 s at level 2; all 3 gate(s) followed 5.2 s later',
    });
    expect(check.expected).toContain('≤ 8.0 s');
  });

  it('fails when they followed late or never', () => {
    expect(keyLossCheck({ ...findings, followedMs: 8001 }).pass).toBe(false);
    expect(keyLossCheck({ ...findings, gatesFollowed: 1 })).toMatchObject({
      pass: false,
      value: 'key deleted at 40 s at level 2; 1 of 3 gate(s) followed within 24.0 s',
    });
  });

  it('is skipped when the key was not deleted', () => {
    expect(keyLossCheck(undefined)).toMatchObject({ pass: true, skipped: true });
  });
});
