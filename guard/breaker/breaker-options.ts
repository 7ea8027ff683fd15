/** Options of one circuit breaker, their defaults, and the validation that runs at construction. */
import { systemClock, type Clock } from '../clock';
import { InvalidOptionsError } from '../errors';

export interface CircuitBreakerOptions {
  /** The dependency this breaker guards (metric dimension, flags key). */
  name: string;
  /** @default systemClock */
  clock?: Clock;
  /** Opens after this many failures in a row, whatever the window says. @default 5 */
  consecutiveFailures?: number;
  /** Opens when failures / calls in the window reach this share (0 < x ≤ 1)… @default 0.5 */
  failureRate?: number;
  /** …provided the window holds at least this many calls, so two calls cannot trip it. @default 10 */
  minimumCalls?: number;
  /** Length of the rolling window the failure rate is measured over. @default 10_000 */
  windowMs?: number;
  /** Buckets the window is divided into (outcomes age out one bucket at a time). @default 10 */
  windowBuckets?: number;
  /** How long the breaker stays open before letting probes through. @default 5_000 */
  openMs?: number;
  /** Probes admitted while half-open; all must succeed to close, one failure re-opens. @default 1 */
  halfOpenProbes?: number;
  /** A success slower than this counts as a failure (a dependency that answers in 10 s is down). @default undefined (off) */
  slowCallMs?: number;
}

export type ResolvedBreakerOptions = Required<Omit<CircuitBreakerOptions, 'slowCallMs'>> & { slowCallMs: number };

export const BREAKER_DEFAULTS = {
  consecutiveFailures: 5,
  failureRate: 0.5,
  minimumCalls: 10,
  windowMs: 10_000,
  windowBuckets: 10,
  openMs: 5_000,
  halfOpenProbes: 1,
} as const;

export function resolveBreakerOptions(options: CircuitBreakerOptions): ResolvedBreakerOptions {
  const resolved: ResolvedBreakerOptions = {
    name: options.name,
    clock: options.clock ?? systemClock,
    consecutiveFailures: options.consecutiveFailures ?? BREAKER_DEFAULTS.consecutiveFailures,
    failureRate: options.failureRate ?? BREAKER_DEFAULTS.failureRate,
    minimumCalls: options.minimumCalls ?? BREAKER_DEFAULTS.minimumCalls,
    windowMs: options.windowMs ?? BREAKER_DEFAULTS.windowMs,
    windowBuckets: options.windowBuckets ?? BREAKER_DEFAULTS.windowBuckets,
    openMs: options.openMs ?? BREAKER_DEFAULTS.openMs,
    halfOpenProbes: options.halfOpenProbes ?? BREAKER_DEFAULTS.halfOpenProbes,
    slowCallMs: options.slowCallMs ?? Number.POSITIVE_INFINITY,
  };
  if (typeof resolved.name !== 'string' || resolved.name.length === 0) {
    throw new InvalidOptionsError('name', options.name, 'a non-empty string');
  }
  requirePositiveInteger('consecutiveFailures', resolved.consecutiveFailures);
  if (!(resolved.failureRate > 0 && resolved.failureRate <= 1)) {
    throw new InvalidOptionsError('failureRate', options.failureRate, 'a number in (0, 1]');
  }
  requirePositiveInteger('minimumCalls', resolved.minimumCalls);
  requirePositiveFinite('windowMs', resolved.windowMs);
  requirePositiveInteger('windowBuckets', resolved.windowBuckets);
  if (resolved.windowBuckets > resolved.windowMs) {
    throw new InvalidOptionsError(
      'windowBuckets',
      options.windowBuckets,
      `at most windowMs (${resolved.windowMs}) so each bucket spans at least 1 ms`,
    );
  }
  requirePositiveFinite('openMs', resolved.openMs);
  requirePositiveInteger('halfOpenProbes', resolved.halfOpenProbes);
  if (options.slowCallMs !== undefined) requirePositiveFinite('slowCallMs', options.slowCallMs);
  return resolved;
}

function requirePositiveInteger(option: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new InvalidOptionsError(option, value, 'a positive integer');
}

function requirePositiveFinite(option: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidOptionsError(option, value, 'a positive finite number of milliseconds');
  }
}
