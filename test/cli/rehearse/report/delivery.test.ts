import {
  DELIVERY_LIMITS,
  EXIT_CODES,
  deliveryTrouble,
  runVerdict,
  type DeliverySecond,
} from '../../../../cli/rehearse/report/delivery';
import { judgeChecksOnDelivery } from '../../../../cli/rehearse/report/delivery-judgement';
import { OutcomeRecorder } from '../../../../cli/rehearse/traffic/outcome-recorder';
import {
  checkoutLatencyCheck,
  checkoutSuccessCheck,
  type Check,
} from '../../../../cli/rehearse/report/rehearsal-checks';

const SLA = { p99LatencyMs: 800, errorRate: 0.01 };
const calm = (): DeliverySecond => ({
  dropped: 0,
  scheduleLagMs: 3,
  generatorCpuPercent: 20,
  machineCpuPercent: 40,
  outsideCpuPercent: 5,
});

/** 20 s of shopper checkouts, 10 a second, answered 201 in 50 ms, except where `slow` says. */
function run(slow: (second: number) => number | undefined): OutcomeRecorder {
  const recorder = new OutcomeRecorder();
  for (let second = 0; second < 20; second += 1) {
    for (let i = 0; i < 10; i += 1) {
      recorder.record(
        {
          actor: 'shopper',
          priorityClass: 'critical',
          intendedAtMs: second * 1000 + i * 100,
          latencyMs: slow(second) ?? 50,
          status: 201,
          outcome: 'served',
          checkoutQuantity: 1,
        },
        true,
      );
    }
  }
  return recorder;
}

function judge(recorder: OutcomeRecorder, delivery: DeliverySecond[]): Check[] {
  const seconds = recorder.timeline();
  const checks = [
    checkoutSuccessCheck(seconds, undefined, 3, 0.99),
    checkoutLatencyCheck(recorder.checkoutLatency(), SLA.p99LatencyMs),
  ];
  return judgeChecksOnDelivery(checks, {
    seconds,
    trouble: deliveryTrouble(delivery),
    recorder,
    outage: undefined,
    recoveryLimitSeconds: 3,
    sla: SLA,
    minimumBotRefusal: 0.9,
  });
}

describe('delivery trouble', () => {
  it('names each kind of trouble, and sets aside its seconds and the one after', () => {
    const timeline = Array.from({ length: 10 }, calm);
    timeline[2] = { ...calm(), dropped: 40 };
    timeline[5] = { ...calm(), scheduleLagMs: 450 };
    timeline[8] = { ...calm(), machineCpuPercent: 99, outsideCpuPercent: 60 };
    timeline[0] = { ...calm(), machineCpuPercent: 100, outsideCpuPercent: 10 }; // the rehearsal's own overload: not trouble
    const trouble = deliveryTrouble(timeline);
    expect(trouble.seconds).toEqual([2, 3, 5, 6, 8, 9]);
    expect(trouble.reasons).toEqual([
      'the generator dropped 40 sends at its in-flight cap (1 s from 2s)',
      'the generator fell behind its schedule by up to 450 ms (1 s from 5s)',
      `the machine's CPU was ≥ ${DELIVERY_LIMITS.machineCpuPercent}% busy, ≥ ${DELIVERY_LIMITS.outsideCpuPercent}% of it other programs (1 s from 8s)`,
    ]);
  });

  it('finds none in a run the machine kept up with', () => {
    expect(deliveryTrouble(Array.from({ length: 10 }, calm))).toMatchObject({ seconds: [], reasons: [] });
  });
});

describe('inconclusive checks', () => {
  it('a p99 spike only in the seconds the generator fell behind is inconclusive, with the reason and what to do', () => {
    const recorder = run((s) => (s === 6 ? 3000 : undefined));
    const delivery = Array.from({ length: 20 }, calm);
    delivery[6] = { ...calm(), scheduleLagMs: 900 };
    const [success, latency] = judge(recorder, delivery);
    expect(success).toMatchObject({ name: 'checkout-success-rate', pass: true });
    expect(latency).toMatchObject({ name: 'checkout-p99-within-sla', pass: false, inconclusive: true });
    expect(latency!.reason).toContain('the generator fell behind its schedule by up to 900 ms');
    expect(latency!.reason).toContain('p99 50 ms');
    expect(latency!.advice).toMatch(/--gates 1/);
    expect(runVerdict([success!, latency!])).toBe('inconclusive');
    expect(EXIT_CODES[runVerdict([success!, latency!])]).toBe(3);
    recorder.close();
  });

  it('a p99 spike outside the troubled seconds still fails, and the exit code is 1', () => {
    const recorder = run((s) => (s >= 10 && s < 14 ? 3000 : undefined));
    const delivery = Array.from({ length: 20 }, calm);
    delivery[2] = { ...calm(), dropped: 5 };
    const [, latency] = judge(recorder, delivery);
    expect(latency).toMatchObject({ pass: false });
    expect(latency!.inconclusive).toBeUndefined();
    expect(latency!.value).toContain('it fails on the 18 s delivered as planned too');
    expect(EXIT_CODES[runVerdict([latency!])]).toBe(1);
    recorder.close();
  });

  it('a run the machine could barely deliver cannot be judged at all', () => {
    const recorder = run(() => 3000);
    const delivery = Array.from({ length: 20 }, () => ({ ...calm(), machineCpuPercent: 100, outsideCpuPercent: 70 }));
    const [, latency] = judge(recorder, delivery);
    expect(latency).toMatchObject({ pass: false, inconclusive: true });
    expect(latency!.reason).toMatch(/^only 0 of 20 s were delivered as planned/);
    recorder.close();
  });

  it('a failed check wins over an inconclusive one; passing checks pass', () => {
    const failed: Check = { name: 'no-oversell', pass: false, value: '', expected: '' };
    const undecided: Check = { name: 'x', pass: false, inconclusive: true, value: '', expected: '' };
    const passed: Check = { name: 'y', pass: true, value: '', expected: '' };
    expect(runVerdict([failed, undecided, passed])).toBe('failed');
    expect(runVerdict([passed, { ...passed, skipped: true }])).toBe('passed');
    expect(EXIT_CODES).toEqual({ passed: 0, failed: 1, inconclusive: 3 });
  });
});
