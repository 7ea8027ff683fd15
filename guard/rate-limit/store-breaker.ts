/**
 * The breaker around a Redis store: while Redis is dead it short-circuits every batch to the local
 * fallback (no connection attempt, no timeout to wait out), and after `openMs` a half-open probe
 * batch finds out whether Redis is back. Tuned for a cache rather than a business dependency:
 * trip fast, retry soon.
 */
import { createCircuitBreaker, type CircuitBreakerOptions, type ObservableCircuitBreaker } from '../breaker';
import type { Clock } from '../clock';

export type StoreBreakerOptions = Omit<CircuitBreakerOptions, 'name' | 'clock'>;

export const STORE_BREAKER_DEFAULTS: StoreBreakerOptions = {
  consecutiveFailures: 3,
  failureRate: 0.5,
  minimumCalls: 20,
  windowMs: 10_000,
  openMs: 1_000,
  halfOpenProbes: 1,
};

export function createStoreBreaker(
  name: string,
  clock: Clock,
  options: StoreBreakerOptions = {},
): ObservableCircuitBreaker {
  return createCircuitBreaker({ ...STORE_BREAKER_DEFAULTS, ...options, name, clock });
}
