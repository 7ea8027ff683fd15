import {
  ADMISSION_DEFAULTS,
  createAdmissionController,
  PRIORITY_CLASSES,
  resolveAdmissionOptions,
  type AdmissionControllerOptions,
} from '../../../guard/shed';
import { isInvalidOptionsError } from '../../../guard/errors';
import { FakeScheduler } from './fake-scheduler';

describe('admission controller options: the library defaults', () => {
  it.each<[string, AdmissionControllerOptions, Partial<ReturnType<typeof resolveAdmissionOptions>>]>([
    [
      'no options at all',
      {},
      {
        gradient: { initialLimit: 64, minLimit: 8, maxLimit: 512 },
        criticalReservedShare: 0.2,
        maxLengthPerClass: 100,
        targetDelayMs: 5,
        intervalMs: 100,
        maxWaitMs: 1000,
        degradedRetryAfterMs: 5000,
      },
    ],
    [
      'a partial concurrency section keeps the other defaults',
      { concurrency: { maxLimit: 100 } },
      { gradient: { initialLimit: 64, minLimit: 8, maxLimit: 100 }, criticalReservedShare: 0.2 },
    ],
    [
      'an undefined value keeps its default',
      { queue: { maxWaitMs: undefined, targetDelayMs: 7 } },
      { maxWaitMs: 1000, targetDelayMs: 7, intervalMs: 100 },
    ],
    ['critical is exempt from CoDel unless told otherwise', {}, { codelExemptClasses: ['critical'] }],
    ['the class shares default to 1, 0.85, 0.7', {}, { classShares: { high: 1, normal: 0.85, low: 0.7 } }],
  ])('%s', (_name, options, expected) => {
    expect(resolveAdmissionOptions(options)).toMatchObject(expected);
  });

  it('a controller built without options starts at the default initial limit with the default reserve', () => {
    const controller = createAdmissionController({ scheduler: new FakeScheduler() });
    expect(controller.snapshot()).toMatchObject({
      limit: ADMISSION_DEFAULTS.concurrency.initialLimit,
      reserved: Math.ceil(64 * 0.2),
    });
    controller.close();
  });

  it.each<[string, AdmissionControllerOptions, string]>([
    [
      'codelExemptClasses',
      { codelExemptClasses: ['vip' as never] },
      'a list of priority classes (critical, high, normal, low)',
    ],
    ['queue.intervalMs', { queue: { intervalMs: 0 } }, 'a positive finite number'],
    ['degradedRetryAfterMs', { degradedRetryAfterMs: Number.NaN }, 'a positive finite number'],
    ['concurrency.criticalReservedShare', { concurrency: { criticalReservedShare: -0.1 } }, 'a number in [0, 1)'],
  ])('names the bad option %s, its value and what was expected', (option, options, expected) => {
    let caught: unknown;
    try {
      resolveAdmissionOptions(options);
    } catch (error) {
      caught = error;
    }
    expect(isInvalidOptionsError(caught) && { option: caught.option, expected: caught.expected }).toEqual({
      option,
      expected,
    });
  });

  it('orders its own priority classes highest first', () => {
    expect(PRIORITY_CLASSES).toEqual(['critical', 'high', 'normal', 'low']);
  });
});
