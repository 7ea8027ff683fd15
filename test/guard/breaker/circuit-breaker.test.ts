import {
  createCircuitBreaker,
  type CircuitBreakerOptions,
  type ObservableCircuitBreaker,
} from '../../../guard/breaker';
import { isInvalidOptionsError } from '../../../guard/errors';
import { FakeClock } from '../../support/fake-clock';

type Step =
  | { ok: number } // n successes (latency 1 ms)
  | { fail: number } // n failures
  | { slow: number; latencyMs: number } // n successes at latencyMs
  | { advance: number }
  | { expect: ReturnType<ObservableCircuitBreaker['state']> }
  | { expectRetryAfter: number }
  | { expectPass: boolean };

function run(options: Omit<CircuitBreakerOptions, 'name' | 'clock'>, steps: Step[]): void {
  const clock = new FakeClock();
  const breaker = createCircuitBreaker({ name: 'payments', clock, ...options });
  steps.forEach((step, index) => {
    const where = `step ${index}: ${JSON.stringify(step)}`;
    if ('ok' in step || 'fail' in step || 'slow' in step) {
      const n = 'ok' in step ? step.ok : 'fail' in step ? step.fail : step.slow;
      for (let i = 0; i < n; i++) {
        const ticket = breaker.tryPass();
        if (!ticket) throw new Error(`${where}: call ${i} was short-circuited`);
        if ('fail' in step) ticket.failure();
        else ticket.success('slow' in step ? step.latencyMs : 1);
      }
    } else if ('advance' in step) {
      clock.advance(step.advance);
    } else if ('expect' in step) {
      expect({ where, state: breaker.state() }).toEqual({ where, state: step.expect });
    } else if ('expectRetryAfter' in step) {
      expect({ where, retryAfterMs: breaker.retryAfterMs() }).toEqual({ where, retryAfterMs: step.expectRetryAfter });
    } else {
      expect({ where, passes: breaker.tryPass() !== undefined }).toEqual({ where, passes: step.expectPass });
    }
  });
}

describe('createCircuitBreaker policies', () => {
  const cases: Array<[string, Omit<CircuitBreakerOptions, 'name' | 'clock'>, Step[]]> = [
    [
      'stays closed below the consecutive threshold',
      { consecutiveFailures: 3, minimumCalls: 100 },
      [{ fail: 2 }, { expect: 'closed' }, { expectRetryAfter: 0 }],
    ],
    [
      'opens at the consecutive threshold',
      { consecutiveFailures: 3, minimumCalls: 100 },
      [{ fail: 3 }, { expect: 'open' }, { expectPass: false }, { expectRetryAfter: 5000 }],
    ],
    [
      'a success resets the consecutive count',
      { consecutiveFailures: 3, minimumCalls: 100 },
      [{ fail: 2 }, { ok: 1 }, { fail: 2 }, { expect: 'closed' }],
    ],
    [
      'opens on failure rate once minimumCalls is reached',
      { consecutiveFailures: 100, failureRate: 0.5, minimumCalls: 10 },
      [
        { ok: 1 },
        { fail: 1 },
        { ok: 1 },
        { fail: 1 },
        { ok: 1 },
        { fail: 1 },
        { ok: 1 },
        { fail: 1 },
        { ok: 1 },
        { expect: 'closed' },
        { fail: 1 },
        { expect: 'open' },
      ],
    ],
    [
      'does not open on failure rate below minimumCalls',
      { consecutiveFailures: 100, failureRate: 0.5, minimumCalls: 10 },
      [{ ok: 1 }, { fail: 1 }, { fail: 1 }, { fail: 1 }, { expect: 'closed' }],
    ],
    [
      'failures age out of the rolling window',
      { consecutiveFailures: 100, failureRate: 0.5, minimumCalls: 4, windowMs: 1000, windowBuckets: 10 },
      [
        { fail: 1 },
        { ok: 1 },
        { fail: 1 },
        { advance: 1000 },
        { ok: 2 },
        { fail: 1 },
        { expect: 'closed' },
        { fail: 1 },
        { expect: 'open' },
      ],
    ],
    [
      'the window slides one bucket at a time',
      { consecutiveFailures: 100, failureRate: 0.5, minimumCalls: 4, windowMs: 1000, windowBuckets: 10 },
      // two failures at t=0, two successes at t=500; at t=1050 the t=0 bucket has aged out, so
      // two more failures give 2/4 (not 4/6) — still ≥ 0.5, opens
      [
        { fail: 1 },
        { ok: 1 },
        { fail: 1 },
        { advance: 500 },
        { ok: 2 },
        { advance: 550 },
        { fail: 1 },
        { expect: 'closed' },
        { fail: 1 },
        { expect: 'open' },
      ],
    ],
    [
      'slow successes count as failures',
      { consecutiveFailures: 2, slowCallMs: 200 },
      [{ slow: 1, latencyMs: 199 }, { slow: 2, latencyMs: 200 }, { expect: 'open' }],
    ],
    [
      'fast successes do not',
      { consecutiveFailures: 2, slowCallMs: 200 },
      [{ slow: 5, latencyMs: 199 }, { expect: 'closed' }],
    ],
    [
      'open → half-open after openMs, with retryAfter counting down',
      { consecutiveFailures: 1, openMs: 1000 },
      [
        { fail: 1 },
        { advance: 400 },
        { expectRetryAfter: 600 },
        { expect: 'open' },
        { advance: 600 },
        { expect: 'half-open' },
        { expectRetryAfter: 0 },
      ],
    ],
    [
      'half-open admits only halfOpenProbes probes',
      { consecutiveFailures: 1, openMs: 1000, halfOpenProbes: 2 },
      [
        { fail: 1 },
        { advance: 1000 },
        { expectPass: true },
        { expectPass: true },
        { expectPass: false },
        { expect: 'half-open' },
        { expectRetryAfter: 1000 },
      ],
    ],
    [
      'all probes succeeding closes it',
      { consecutiveFailures: 1, openMs: 1000, halfOpenProbes: 2 },
      [
        { fail: 1 },
        { advance: 1000 },
        { ok: 1 },
        { expect: 'half-open' },
        { ok: 1 },
        { expect: 'closed' },
        { expectRetryAfter: 0 },
      ],
    ],
    [
      'one probe failing re-opens it for another openMs',
      { consecutiveFailures: 1, openMs: 1000, halfOpenProbes: 2 },
      [
        { fail: 1 },
        { advance: 1000 },
        { ok: 1 },
        { fail: 1 },
        { expect: 'open' },
        { expectRetryAfter: 1000 },
        { advance: 999 },
        { expect: 'open' },
        { advance: 1 },
        { expect: 'half-open' },
      ],
    ],
    [
      'a slow probe re-opens it',
      { consecutiveFailures: 1, openMs: 1000, slowCallMs: 100 },
      [{ fail: 1 }, { advance: 1000 }, { slow: 1, latencyMs: 150 }, { expect: 'open' }],
    ],
    [
      'closing resets the window and the consecutive count',
      { consecutiveFailures: 2, failureRate: 0.5, minimumCalls: 4, openMs: 1000 },
      [
        { ok: 2 },
        { fail: 2 },
        { expect: 'open' },
        { advance: 1000 },
        { ok: 1 },
        { expect: 'closed' },
        { fail: 1 },
        { ok: 1 },
        { fail: 1 },
        { expect: 'closed' },
      ],
    ],
    [
      'lost probes are replaced after openMs rather than sticking in half-open',
      { consecutiveFailures: 1, openMs: 1000, halfOpenProbes: 1 },
      [
        { fail: 1 },
        { advance: 1000 },
        { expectPass: true },
        { expectPass: false },
        { advance: 1000 },
        { expectPass: true },
      ],
    ],
    [
      'a clock going backwards while open keeps it open for at most openMs from then',
      { consecutiveFailures: 1, openMs: 1000 },
      [{ fail: 1 }, { advance: -60_000 }, { expect: 'open' }, { advance: 1000 }, { expect: 'half-open' }],
    ],
  ];
  it.each(cases)('%s', (_name, options, steps) => run(options, steps));
});

describe('tickets', () => {
  it('ignores a second report of the same call', () => {
    const breaker = createCircuitBreaker({ name: 'd', clock: new FakeClock(), consecutiveFailures: 2 });
    const ticket = breaker.tryPass()!;
    ticket.failure();
    ticket.failure();
    expect(breaker.state()).toBe('closed');
    expect(breaker.snapshot().consecutiveFailures).toBe(1);
  });

  it('ignores a stale ticket from before the last transition', () => {
    const clock = new FakeClock();
    const breaker = createCircuitBreaker({ name: 'd', clock, consecutiveFailures: 1, openMs: 1000 });
    const slowCall = breaker.tryPass()!;
    breaker.tryPass()!.failure(); // opens
    clock.advance(1000);
    const probe = breaker.tryPass()!;
    slowCall.failure(); // from the closed phase: must not re-open the half-open breaker
    expect(breaker.state()).toBe('half-open');
    probe.success(1);
    expect(breaker.state()).toBe('closed');
  });
});

describe('forceOpen', () => {
  it('short-circuits while forced and hands back to the own policy when released', () => {
    const clock = new FakeClock();
    const breaker = createCircuitBreaker({ name: 'recommender', clock, openMs: 3000 });
    breaker.forceOpen(true);
    expect(breaker.state()).toBe('open');
    expect(breaker.tryPass()).toBeUndefined();
    expect(breaker.retryAfterMs()).toBe(3000);
    expect(breaker.isForcedOpen()).toBe(true);
    breaker.forceOpen(false);
    expect(breaker.state()).toBe('closed');
    expect(breaker.tryPass()).toBeDefined();
  });

  it('reports effective state changes to listeners, once each', () => {
    const clock = new FakeClock();
    const breaker = createCircuitBreaker({ name: 'd', clock, consecutiveFailures: 1, openMs: 100 });
    const seen: string[] = [];
    breaker.onStateChange((state, previous) => seen.push(`${previous}->${state}`));
    breaker.forceOpen(true);
    breaker.forceOpen(true);
    breaker.forceOpen(false);
    breaker.tryPass()!.failure();
    clock.advance(100);
    breaker.state();
    breaker.tryPass()!.success(1);
    expect(seen).toEqual(['closed->open', 'open->closed', 'closed->open', 'open->half-open', 'half-open->closed']);
  });
});

describe('options validation', () => {
  const bad: Array<[string, Partial<CircuitBreakerOptions>]> = [
    ['name', { name: '' }],
    ['consecutiveFailures', { consecutiveFailures: 0 }],
    ['consecutiveFailures', { consecutiveFailures: 1.5 }],
    ['failureRate', { failureRate: 0 }],
    ['failureRate', { failureRate: 1.2 }],
    ['minimumCalls', { minimumCalls: -1 }],
    ['windowMs', { windowMs: 0 }],
    ['windowBuckets', { windowBuckets: 0 }],
    ['windowBuckets', { windowMs: 5, windowBuckets: 10 }],
    ['openMs', { openMs: Number.POSITIVE_INFINITY }],
    ['halfOpenProbes', { halfOpenProbes: 0 }],
    ['slowCallMs', { slowCallMs: -5 }],
  ];
  it.each(bad)('rejects a bad %s at construction', (option, override) => {
    let caught: unknown;
    try {
      createCircuitBreaker({ name: 'd', ...override });
    } catch (error) {
      caught = error;
    }
    expect(isInvalidOptionsError(caught)).toBe(true);
    expect((caught as { option: string }).option).toBe(option);
    expect((caught as Error).message).toContain(option);
  });

  it('applies the documented defaults', () => {
    const clock = new FakeClock();
    const breaker = createCircuitBreaker({ name: 'd', clock });
    for (let i = 0; i < 4; i++) breaker.tryPass()!.failure();
    expect(breaker.state()).toBe('closed');
    breaker.tryPass()!.failure();
    expect(breaker.state()).toBe('open');
    expect(breaker.retryAfterMs()).toBe(5000);
  });
});
