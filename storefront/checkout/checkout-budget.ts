/**
 * How long a checkout can take at worst, which the gate's deadline is checked against: a checkout
 * that may still be completing a paid order when the gate gives up must not start, or the client
 * would be told "failed" (504) about an order that was placed, and a retry without the same
 * Idempotency-Key would buy twice.
 */

/** Pauses before each further confirm attempt: a Redis failover or a blip is over within these. */
export const CONFIRM_RETRY_DELAYS_MS: readonly number[] = [50, 250];

/** Scheduling, logging and the HTTP round trip to the gate: time outside any awaited call. */
const OVERHEAD_MARGIN_MS = 200;

export interface CheckoutBudgetInputs {
  /** A store call fails after this long (the Redis command timeout). */
  storeCallTimeoutMs: number;
  /** After the reserve and confirm writes, the wait for a replica's acknowledgement (0: none). */
  replicaWaitMs: number;
  /** A charge is abandoned after this long. */
  paymentTimeoutMs: number;
}

/**
 * The longest a checkout can take before answering a paid order with 201: reserve (a write), the
 * charge, every confirm attempt (writes) with the pauses between them, then settling an unconfirmed
 * order (a release and an order lookup) that finds it paid after all, plus a margin.
 */
export function checkoutWorstCaseMs(inputs: CheckoutBudgetInputs): number {
  const write = inputs.storeCallTimeoutMs + inputs.replicaWaitMs;
  const confirmAttempts = CONFIRM_RETRY_DELAYS_MS.length + 1;
  const pauses = CONFIRM_RETRY_DELAYS_MS.reduce((sum, pause) => sum + pause, 0);
  const settle = 2 * inputs.storeCallTimeoutMs;
  return write + inputs.paymentTimeoutMs + confirmAttempts * write + pauses + settle + OVERHEAD_MARGIN_MS;
}
