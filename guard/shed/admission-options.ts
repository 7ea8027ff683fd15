/** Options of the admission controller, their defaults, and the validation that runs at construction. */
import { systemClock, type Clock } from '../clock';
import { InvalidOptionsError } from '../errors';
import type { Gradient2Options } from './gradient2-limit';
import { PRIORITY_CLASSES, type PriorityClass } from './priority';
import { DEFAULT_CLASS_SHARES, validateClassShares, type ClassShares } from './priority-partition';
import { systemScheduler, type Scheduler } from './scheduler';
import type { WindowedLimitOptions } from './windowed-limit';

/** The range of the adaptive concurrency limit and the share of it kept for critical requests. */
export interface ConcurrencyOptions {
  /** The limit until the first sample window updates it; a whole number in [minLimit, maxLimit]. @default 64 */
  initialLimit?: number;
  /** The lowest the limit goes; baseline probes pin it here for one window. @default 8 */
  minLimit?: number;
  /** The highest the limit goes. @default 512 */
  maxLimit?: number;
  /** Share of the limit kept for critical (lent to high while critical neither holds nor waits for it), in [0, 1). @default 0.2 */
  criticalReservedShare?: number;
}

/** The per-class queues and their CoDel management. */
export interface QueueOptions {
  /** Requests that may wait per class; one more is refused 'queue-full' (a whole number ≥ 0). @default 100 */
  maxLengthPerClass?: number;
  /** CoDel target: how long a request may wait in a standing queue before it is refused. @default 5 */
  targetDelayMs?: number;
  /** CoDel interval: a queue that never drained below the target for this long is standing. @default 100 */
  intervalMs?: number;
  /** The longest a request waits in a queue that is not standing. @default 1000 */
  maxWaitMs?: number;
}

export interface AdmissionControllerOptions {
  /** The adaptive limit's range and critical's reserve. @default ADMISSION_DEFAULTS.concurrency */
  concurrency?: ConcurrencyOptions;
  /** The queues. @default ADMISSION_DEFAULTS.queue */
  queue?: QueueOptions;
  /** @default systemClock */
  clock?: Clock;
  /** Timers for queue timeouts. @default systemScheduler (unref'd setTimeout) */
  scheduler?: Scheduler;
  /** Tuning of the Gradient2 limit beyond `concurrency`'s initial/min/max. @default Gradient2Limit's own defaults */
  gradient?: Omit<Gradient2Options, 'initialLimit' | 'minLimit' | 'maxLimit'>;
  /** How completed requests are grouped into the windows that update the limit, and the baseline probes. @default WindowedLimit's own defaults */
  sampling?: Omit<WindowedLimitOptions, 'clock'>;
  /** Share of the non-reserved pool each non-critical class may fill. @default { high: 1, normal: 0.85, low: 0.7 } */
  classShares?: ClassShares;
  /** Retry hint for classes shed by `setShedClasses`. @default 5000 */
  degradedRetryAfterMs?: number;
  /** Classes whose queue never stands (FIFO, maxWaitMs only). @default ['critical'] */
  codelExemptClasses?: readonly PriorityClass[];
}

export const ADMISSION_DEFAULTS = {
  concurrency: { initialLimit: 64, minLimit: 8, maxLimit: 512, criticalReservedShare: 0.2 },
  queue: { maxLengthPerClass: 100, targetDelayMs: 5, intervalMs: 100, maxWaitMs: 1000 },
  classShares: DEFAULT_CLASS_SHARES,
  degradedRetryAfterMs: 5000,
  codelExemptClasses: ['critical'],
} as const satisfies Omit<AdmissionControllerOptions, 'clock' | 'scheduler' | 'gradient' | 'sampling'>;

/** Every option with its default applied and checked; what the controller keeps. */
export interface ResolvedAdmissionOptions {
  clock: Clock;
  scheduler: Scheduler;
  gradient: Gradient2Options;
  sampling: WindowedLimitOptions;
  criticalReservedShare: number;
  classShares: Readonly<ClassShares>;
  maxLengthPerClass: number;
  targetDelayMs: number;
  intervalMs: number;
  maxWaitMs: number;
  degradedRetryAfterMs: number;
  codelExemptClasses: readonly PriorityClass[];
}

/** Applies the defaults and throws InvalidOptionsError on the first bad option (the limit's range is checked by Gradient2Limit). */
export function resolveAdmissionOptions(options: AdmissionControllerOptions): ResolvedAdmissionOptions {
  const concurrency = withDefaults(ADMISSION_DEFAULTS.concurrency, options.concurrency);
  const queue = withDefaults(ADMISSION_DEFAULTS.queue, options.queue);
  const clock = options.clock ?? systemClock;
  const exempt = options.codelExemptClasses ?? ADMISSION_DEFAULTS.codelExemptClasses;
  for (const cls of exempt) {
    if (!PRIORITY_CLASSES.includes(cls))
      throw new InvalidOptionsError(
        'codelExemptClasses',
        exempt,
        `a list of priority classes (${PRIORITY_CLASSES.join(', ')})`,
      );
  }
  const { criticalReservedShare } = concurrency;
  if (!(criticalReservedShare >= 0 && criticalReservedShare < 1)) {
    throw new InvalidOptionsError('concurrency.criticalReservedShare', criticalReservedShare, 'a number in [0, 1)');
  }
  const classShares = options.classShares ?? ADMISSION_DEFAULTS.classShares;
  validateClassShares(classShares);
  return {
    clock,
    scheduler: options.scheduler ?? systemScheduler,
    gradient: {
      ...options.gradient,
      initialLimit: concurrency.initialLimit,
      minLimit: concurrency.minLimit,
      maxLimit: concurrency.maxLimit,
    },
    sampling: { ...options.sampling, clock },
    criticalReservedShare,
    classShares,
    maxLengthPerClass: requireWhole('queue.maxLengthPerClass', queue.maxLengthPerClass, 0),
    targetDelayMs: requirePositive('queue.targetDelayMs', queue.targetDelayMs),
    intervalMs: requirePositive('queue.intervalMs', queue.intervalMs),
    maxWaitMs: requirePositive('queue.maxWaitMs', queue.maxWaitMs),
    degradedRetryAfterMs: requirePositive(
      'degradedRetryAfterMs',
      options.degradedRetryAfterMs ?? ADMISSION_DEFAULTS.degradedRetryAfterMs,
    ),
    codelExemptClasses: exempt,
  };
}

/** The defaults overlaid with the given values, an `undefined` value keeping its default. */
function withDefaults<T extends object>(defaults: Readonly<Required<T>>, given: T | undefined): Required<T> {
  const merged = { ...defaults } as Required<T>;
  for (const [name, value] of Object.entries(given ?? {})) {
    if (value !== undefined) (merged as Record<string, unknown>)[name] = value;
  }
  return merged;
}

function requirePositive(option: string, value: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)
    throw new InvalidOptionsError(option, value, 'a positive finite number');
  return value;
}

function requireWhole(option: string, value: number, minimum: number): number {
  if (!Number.isInteger(value) || value < minimum)
    throw new InvalidOptionsError(option, value, `an integer ≥ ${minimum}`);
  return value;
}
