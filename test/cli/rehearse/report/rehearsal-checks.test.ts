import {
  botRefusalCheck,
  checkoutLatencyCheck,
  checkoutSuccessCheck,
  checksOfInterruptedRun,
  levelsCheck,
  noOversellCheck,
  recoveryCheck,
} from '../../../../cli/rehearse/report/rehearsal-checks';
import { OutcomeRecorder, type ResponseObservation } from '../../../../cli/rehearse/traffic/outcome-recorder';

function checkout(
  recorder: OutcomeRecorder,
  second: number,
  status: number | undefined,
  outcome: ResponseObservation['outcome'] = 'served',
  latencyMs = 50,
): void {
  recorder.record(
    {
      actor: 'shopper',
      priorityClass: 'critical',
      intendedAtMs: second * 1000 + 10,
      latencyMs,
      status,
      outcome,
      checkoutQuantity: 1,
    },
    true,
  );
}

function bot(recorder: OutcomeRecorder, outcome: ResponseObservation['outcome'], status: number): void {
  recorder.record({ actor: 'bot', priorityClass: 'normal', intendedAtMs: 100, latencyMs: 2, status, outcome }, false);
}

describe('rehearsal checks', () => {
  let recorder: OutcomeRecorder;
  beforeEach(() => {
    recorder = new OutcomeRecorder();
  });
  afterEach(() => recorder.close());

  it('counts 201 and 409 as checkout successes, 429/5xx/timeouts as failures', () => {
    checkout(recorder, 0, 201);
    checkout(recorder, 0, 409);
    checkout(recorder, 1, 429, 'limited');
    checkout(recorder, 1, 503, 'shed');
    checkout(recorder, 1, undefined, 'timeout');
    const check = checkoutSuccessCheck(recorder.timeline(), undefined, 3, 0.99);
    expect(check).toMatchObject({ name: 'checkout-success-rate', pass: false });
    expect(check.value).toContain('40.0% of 5');
  });

  it('counts a 409 as sold out only when the shop says sold-out (an expired reservation or a reused key is a failure)', () => {
    const answered409 = (error: string) =>
      recorder.record(
        {
          actor: 'shopper',
          priorityClass: 'critical',
          intendedAtMs: 10,
          latencyMs: 50,
          status: 409,
          outcome: 'served',
          checkoutQuantity: 1,
          checkoutError: error,
        },
        true,
      );
    answered409('sold-out');
    answered409('reservation-expired');
    answered409('idempotency-key-reused');
    expect(recorder.timeline()[0]!.checkout).toMatchObject({ attempts: 3, succeeded: 1, soldOut: 1, failed: 2 });
  });

  it('leaves the outage and the recovery allowance out of the checkout success rate', () => {
    for (let s = 0; s < 10; s += 1) checkout(recorder, s, 201);
    checkout(recorder, 4, 503, 'upstream-error'); // during the outage
    checkout(recorder, 6, 503, 'upstream-error'); // within the allowance after it
    const check = checkoutSuccessCheck(recorder.timeline(), { startSecond: 3, endSecond: 5 }, 2, 0.99);
    expect(check.pass).toBe(true);
    expect(check.value).toContain('of 6 shopper checkouts');
    expect(checkoutSuccessCheck(recorder.timeline(), { startSecond: 3, endSecond: 5 }, 1, 0.99).pass).toBe(false);
  });

  it('fails the checkout rate when no shopper checked out at all', () => {
    expect(checkoutSuccessCheck(recorder.timeline(), undefined, 3, 0.5).pass).toBe(false);
  });

  it('measures the share of bot requests kept off the shop (refused or answered from a fallback), drops excluded', () => {
    for (let i = 0; i < 8; i += 1) bot(recorder, 'limited', 429);
    bot(recorder, 'fallback', 200);
    bot(recorder, 'served', 200);
    bot(recorder, 'dropped', 0);
    expect(botRefusalCheck(recorder.timeline(), 0.9)).toMatchObject({
      pass: true,
      value: expect.stringContaining('90.0% of 10'),
    });
    bot(recorder, 'upstream-error', 502);
    expect(botRefusalCheck(recorder.timeline(), 0.9).pass).toBe(false);
  });

  it('compares the checkout p99 with the SLA', () => {
    for (let i = 0; i < 99; i += 1) checkout(recorder, 0, 201, 'served', 100);
    checkout(recorder, 0, 201, 'served', 5000);
    expect(checkoutLatencyCheck(recorder.checkoutLatency(), 800)).toMatchObject({ pass: true });
    for (let i = 0; i < 5; i += 1) checkout(recorder, 0, 201, 'served', 5000);
    expect(checkoutLatencyCheck(recorder.checkoutLatency(), 800)).toMatchObject({ pass: false });
  });

  it.each([
    { shop: { unitsSold: 10, initialUnits: 20, oversold: false, lowestStock: 0 }, clients: 10, pass: true },
    { shop: { unitsSold: 12, initialUnits: 20, oversold: false, lowestStock: 0 }, clients: 10, pass: true },
    { shop: { unitsSold: 9, initialUnits: 20, oversold: false, lowestStock: 0 }, clients: 10, pass: false },
    { shop: { unitsSold: 21, initialUnits: 20, oversold: false, lowestStock: 0 }, clients: 21, pass: false },
    { shop: { unitsSold: 10, initialUnits: 20, oversold: true, lowestStock: 0 }, clients: 10, pass: false },
    { shop: { unitsSold: 10, initialUnits: 20, oversold: false, lowestStock: -1 }, clients: 10, pass: false },
    { shop: undefined, clients: 0, pass: false },
  ])('no-oversell: $shop with $clients confirmed → $pass', ({ shop, clients, pass }) => {
    expect(noOversellCheck(shop, clients).pass).toBe(pass);
  });

  it('reports units held by checkouts whose clients saw an error, without failing on them', () => {
    const check = noOversellCheck({ unitsSold: 12, initialUnits: 20, oversold: false, lowestStock: 3 }, 10);
    expect(check.value).toBe(
      'sold 12 of 20 units, 10 confirmed to clients, lowest stock 3; 2 unit(s) held by checkouts whose client saw an error or no answer',
    );
    expect(noOversellCheck({ unitsSold: 9, initialUnits: 20, oversold: false, lowestStock: 3 }, 10).value).toContain(
      "1 confirmed unit(s) missing from the shop's sales",
    );
  });

  it('finds how long checkouts took to recover after the outage', () => {
    for (let s = 0; s < 20; s += 1)
      checkout(recorder, s, s >= 5 && s < 12 ? 503 : 201, s >= 5 && s < 12 ? 'upstream-error' : 'served');
    // Outage 5–9; failures go on until 11; success from 12.
    expect(recoveryCheck(recorder.timeline(), { startSecond: 5, endSecond: 9 }, 5)).toMatchObject({
      pass: true,
      value: 'recovered 3 s after Redis returned',
    });
    expect(recoveryCheck(recorder.timeline(), { startSecond: 5, endSecond: 9 }, 2).pass).toBe(false);
    expect(recoveryCheck(recorder.timeline(), undefined, 2)).toMatchObject({
      pass: true,
      value: expect.stringContaining('skipped'),
    });
  });

  it('reports a recovery that never came', () => {
    for (let s = 0; s < 10; s += 1) checkout(recorder, s, s < 5 ? 201 : 503, s < 5 ? 'served' : 'upstream-error');
    expect(recoveryCheck(recorder.timeline(), { startSecond: 5, endSecond: 6 }, 10)).toMatchObject({
      pass: false,
      value: expect.stringContaining('did not recover'),
    });
  });

  it.each([
    { levels: [0, 1, 2, 1, 0], pass: true },
    { levels: [0, 0, 0], pass: false },
    { levels: [0, 2, 2], pass: false },
    { levels: [], pass: false },
  ])('levels $levels → $pass', ({ levels, pass }) => {
    expect(levelsCheck(levels).pass).toBe(pass);
  });

  it('skips, rather than fails, a run in which no alarm that raises the level fired', () => {
    const calm = levelsCheck([0, 0, 0], false);
    expect(calm).toMatchObject({ pass: true, skipped: true });
    expect(calm.reason).toMatch(/no alarm that raises the level fired/);
    // an alarm fired and the level never rose: the control loop failed
    expect(levelsCheck([0, 0, 0], true)).toMatchObject({ pass: false });
    expect(levelsCheck([0, 0, 0], true).skipped).toBeUndefined();
    // raised and not back: fails whatever the alarms
    expect(levelsCheck([0, 2, 1], false).pass).toBe(false);
  });

  it('says when the level first rose', () => {
    expect(levelsCheck([0, 0, 1, 2, 1, 0]).value).toBe('peak level 2 (first raised at 2s), final level 0');
    expect(levelsCheck([0, 0]).value).toBe('peak level 0, final level 0');
  });

  describe('on a run a signal cut short', () => {
    // A 30 s run planned with a bot flood at 5–9 s and the cache outage at 13–18 s.
    const phases = [
      { kind: 'bot-flood', startSecond: 5 },
      { kind: 'cache-outage', startSecond: 13 },
    ];
    const cut = (ranSeconds: number, outage?: { startSecond: number; endSecond: number }) => ({
      ranSeconds,
      plannedSeconds: 30,
      phases,
      outage,
      recoveryLimitSeconds: 3,
    });
    /** Checkouts every second up to `ranSeconds`, failing while Redis is down and until `failUntil`. */
    const checkoutsUntil = (
      ranSeconds: number,
      outage?: { startSecond: number; endSecond: number },
      failUntil = outage?.endSecond ?? 0,
    ) => {
      for (let s = 0; s < Math.ceil(ranSeconds); s += 1) {
        const failing = outage !== undefined && s >= outage.startSecond && s < failUntil;
        checkout(recorder, s, failing ? 503 : 201, failing ? 'upstream-error' : 'served');
      }
    };
    const recoveryOf = (ranSeconds: number, outage?: { startSecond: number; endSecond: number }) =>
      checksOfInterruptedRun([recoveryCheck(recorder.timeline(), outage, 3)], cut(ranSeconds, outage))[0]!;

    it('keeps the checks the part that ran can answer, failing or not', () => {
      checkoutsUntil(4);
      checkout(recorder, 2, 503, 'shed');
      const checks = checksOfInterruptedRun(
        [checkoutSuccessCheck(recorder.timeline(), undefined, 3, 0.99), levelsCheck([0, 1, 0, 0])],
        cut(4),
      );
      expect(checks).toEqual([
        {
          name: 'checkout-success-rate',
          pass: false,
          value: '80.0% of 5 shopper checkouts got 201 or 409',
          expected: '≥ 99.0%',
        },
        {
          name: 'degradation-flipped-and-restored',
          pass: true,
          value: 'peak level 1 (first raised at 1s), final level 0',
          expected: expect.any(String),
        },
      ]);
    });

    it('skips the bot refusal before the first bot flood, and judges it once a flood began', () => {
      expect(checksOfInterruptedRun([botRefusalCheck(recorder.timeline(), 0.9)], cut(4.2))[0]).toMatchObject({
        pass: true,
        skipped: true,
        value: 'skipped: interrupted at 4.2 s of 30 s, before the bot flood (planned from 5 s)',
      });
      bot(recorder, 'served', 200);
      expect(checksOfInterruptedRun([botRefusalCheck(recorder.timeline(), 0.9)], cut(6))[0]).toMatchObject({
        pass: false,
        value: expect.stringContaining('0.0% of 1 bot requests'),
      });
    });

    it('skips a level still raised when the run stopped: "back to 0 by the end" needs the end', () => {
      expect(checksOfInterruptedRun([levelsCheck([0, 2, 2])], cut(3))[0]).toMatchObject({
        skipped: true,
        value:
          'skipped: interrupted at 3 s of 30 s: the level must be back to 0 by the end of the run, which never came (peak level 2 (first raised at 1s), final level 2)',
      });
    });

    it.each([
      {
        when: 'before the outage',
        ran: 10,
        outage: undefined,
        value: 'skipped: interrupted at 10 s of 30 s, before the cache outage (planned from 13 s)',
      },
      {
        when: 'with Redis still down',
        ran: 15.5,
        outage: { startSecond: 13, endSecond: 30 },
        value: 'skipped: interrupted at 15.5 s of 30 s, during the cache outage (Redis down since 13 s)',
      },
      {
        when: 'too soon after Redis returned to tell',
        ran: 22,
        outage: { startSecond: 13, endSecond: 18 },
        failUntil: 20,
        value: 'skipped: interrupted at 22 s of 30 s, 4 s after Redis returned (3 s allowed to recover)',
      },
    ])('skips the recovery check $when', ({ ran, outage, failUntil, value }) => {
      checkoutsUntil(ran, outage, failUntil);
      expect(recoveryOf(ran, outage)).toMatchObject({ pass: true, skipped: true, value });
    });

    it('judges the recovery once there was time enough to see it, or not to', () => {
      const outage = { startSecond: 13, endSecond: 18 };
      checkoutsUntil(22, outage);
      expect(recoveryOf(22, outage)).toMatchObject({ pass: true, value: 'recovered 0 s after Redis returned' });
      expect(recoveryOf(22, outage).skipped).toBeUndefined();
      recorder.close();
      recorder = new OutcomeRecorder();
      checkoutsUntil(26, outage, 26);
      expect(recoveryOf(26, outage)).toMatchObject({
        pass: false,
        value: 'checkouts did not recover before the end of the run',
      });
    });
  });
});
