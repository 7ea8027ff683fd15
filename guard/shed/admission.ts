/** The contract of admission control: who gets a slot now, who waits, who is refused. */
import type { PriorityClass } from './priority';

export { PRIORITY_CLASSES, type PriorityClass } from './priority';

export type RefusalReason =
  | 'queue-full' // the class's bounded queue is full
  | 'queue-timeout' // waited past the CoDel target under a standing queue, or past maxWaitMs
  | 'degraded' // the degradation level sheds this class
  | 'aborted' // the caller's AbortSignal fired (the client went away) before a slot was free
  | 'closed'; // the controller is closing

export interface Refusal {
  reason: RefusalReason;
  /** A hint for Retry-After, in ms. */
  retryAfterMs: number;
}

export interface Permit {
  /** Time spent queued before admission, in ms. */
  readonly queuedMs: number;
  /**
   * Gives the slot back and feeds the adaptive limit: `latencyMs` of the work done under the
   * permit, `dropped` when it failed in a way that signals overload (timeout, 503 from upstream).
   * Calling it twice is harmless.
   */
  release(outcome: { latencyMs: number; dropped?: boolean }): void;
}

export type Admission = { admitted: true; permit: Permit } | { admitted: false; refusal: Refusal };

export interface AdmissionSnapshot {
  limit: number;
  inFlight: number;
  inFlightByClass: Record<PriorityClass, number>;
  queuedByClass: Record<PriorityClass, number>;
}

export interface AdmissionController {
  /** Admits now, queues, or refuses; never blocks longer than the queue timeout. */
  acquire(priority: PriorityClass, signal?: AbortSignal): Promise<Admission>;
  /**
   * Admits at once when a slot is free and nobody of this class waits; otherwise undefined, and
   * `acquire` then queues or refuses. The common, uncontended path without a promise.
   */
  tryAcquire(priority: PriorityClass): Permit | undefined;
  snapshot(): AdmissionSnapshot;
  close(): void;
}
