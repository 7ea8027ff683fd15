/** Circuit breakers: one per dependency, with consecutive-failure and failure-rate policies, forced open by the flags. */
export type { BreakerState, BreakerTicket, CircuitBreaker } from './breaker';
export { BREAKER_DEFAULTS, type CircuitBreakerOptions } from './breaker-options';
export {
  createCircuitBreaker,
  type BreakerSnapshot,
  type BreakerStateListener,
  type ObservableCircuitBreaker,
} from './circuit-breaker';
export {
  BreakerRegistry,
  createBreakerRegistry,
  type BreakerDefaults,
  type BreakerRegistryOptions,
} from './breaker-registry';
