/** The contract of a circuit breaker around one dependency. */
export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerTicket {
  /** Report the call's outcome; a success slower than the slow-call threshold counts as failure. */
  success(latencyMs: number): void;
  failure(): void;
}

export interface CircuitBreaker {
  readonly name: string;
  /** Current state, including a forced-open state from the flags. */
  state(): BreakerState;
  /** A ticket when the call may go ahead (closed, or one of the limited half-open probes); undefined when short-circuited. */
  tryPass(): BreakerTicket | undefined;
  /** The flags force the breaker open (true) or release it to its own policy (false). */
  forceOpen(forced: boolean): void;
  /** When the breaker will next let a probe through, in ms (0 when closed). */
  retryAfterMs(): number;
  close(): void;
}
