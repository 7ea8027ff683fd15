import type { CheckoutResult } from './checkout-result';

/** Per-process checkout outcomes, reported by /_stats beside the store's shared totals. */
export interface CheckoutCounters {
  created: number;
  replayed: number;
  soldOut: number;
  conflicts: number;
  paymentFailed: number;
  paymentTimedOut: number;
  /** Paid after the reaper had released the reservation: answered 409, charge refunded. */
  reservationExpired: number;
  /** Paid, but the store failed every confirm attempt: answered 503, charge refunded. */
  notRecorded: number;
  /** Every confirm attempt failed, yet one had landed (its reply lost): the order stands, answered 201. */
  confirmRecovered: number;
  refunded: number;
  /** Refunds the provider failed: customers charged for no order, each logged at error level for reconciliation. */
  refundFailed: number;
  /** Reserves whose reply was lost but which had landed: released before answering 503, so a retry is not held. */
  reserveSettled: number;
  /** Checkouts refused with 503 because the product's stock record is missing from the store (catalog lost). */
  catalogMissing: number;
  /** Checkouts refused before reserving because the gate's deadline left less than the worst case. */
  deadlineTooShort: number;
}

export function newCheckoutCounters(): CheckoutCounters {
  return {
    created: 0,
    replayed: 0,
    soldOut: 0,
    conflicts: 0,
    paymentFailed: 0,
    paymentTimedOut: 0,
    reservationExpired: 0,
    notRecorded: 0,
    confirmRecovered: 0,
    refunded: 0,
    refundFailed: 0,
    reserveSettled: 0,
    catalogMissing: 0,
    deadlineTooShort: 0,
  };
}

/**
 * Counts a checkout's result. Events within a checkout (a settled reserve, a refund, a recovered
 * confirm) are counted where they happen; every result kind is listed, so a new one must be placed.
 */
export function countCheckoutResult(counters: CheckoutCounters, result: CheckoutResult): void {
  switch (result.kind) {
    case 'created':
      counters.created += 1;
      return;
    case 'replayed':
      counters.replayed += 1;
      return;
    case 'sold-out':
      counters.soldOut += 1;
      return;
    case 'idempotency-key-reused':
    case 'checkout-in-progress':
      counters.conflicts += 1;
      return;
    case 'catalog-missing':
      counters.catalogMissing += 1;
      return;
    case 'deadline-too-short':
      counters.deadlineTooShort += 1;
      return;
    case 'payment-failed':
      counters.paymentFailed += 1;
      return;
    case 'payment-timed-out':
      counters.paymentTimedOut += 1;
      return;
    case 'reservation-expired':
      counters.reservationExpired += 1;
      return;
    case 'order-not-recorded':
      counters.notRecorded += 1;
      return;
    case 'unknown-product':
    case 'inventory-unavailable':
      return;
    default:
      return unreachable(result);
  }
}

function unreachable(result: never): never {
  throw new Error(`checkout result ${JSON.stringify(result)} is not counted`);
}
