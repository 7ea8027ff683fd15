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
