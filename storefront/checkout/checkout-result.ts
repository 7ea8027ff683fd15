/**
 * What the checkout service is asked and every way a checkout can end. No HTTP here: the route
 * (checkout-answers.ts) maps each result to a status, headers and a body.
 */
import type { CheckoutReceipt } from '../shop-store';

export interface CheckoutRequest {
  /** The identity the gate established (`u:<key>` or `ip:<address>`): the order and its key belong to it. */
  userId: string;
  productId: string;
  quantity: number;
  /** The client's Idempotency-Key as sent; the service scopes it to `userId`. Absent when none was sent. */
  idempotencyKey?: string;
  /** When the caller gives up, in epoch milliseconds; absent when it set no deadline. */
  deadlineAtMs?: number;
}

/** The dependency a failed checkout blames, so the gate feeds that dependency's breaker alone. */
export type CheckoutDependency = 'inventory' | 'payments';

export type CheckoutResult =
  /** Reserved, charged and recorded paid (also when a confirm whose reply was lost had landed). */
  | { kind: 'created'; receipt: CheckoutReceipt }
  /** The Idempotency-Key already produced this receipt: nothing new was reserved or charged. */
  | { kind: 'replayed'; receipt: CheckoutReceipt }
  | { kind: 'unknown-product'; productId: string }
  /** The caller gives up sooner than a checkout can take at worst: nothing was reserved or charged. */
  | { kind: 'deadline-too-short'; remainingMs: number; worstCaseMs: number }
  /** Not enough units left; nothing changed. */
  | { kind: 'sold-out'; productId: string; remainingStock: number }
  /** The Idempotency-Key was used with a different body. */
  | { kind: 'idempotency-key-reused'; orderId: string }
  /** The Idempotency-Key belongs to a checkout whose payment has not finished. */
  | { kind: 'checkout-in-progress'; orderId: string }
  /** The product's stock record is missing from the store (catalog lost): closed until an operator restores it. */
  | { kind: 'catalog-missing'; productId: string; failedDependency: 'inventory' }
  /** The store failed the reserve or its breaker is open; a reserve that may have landed was released first. */
  | { kind: 'inventory-unavailable'; retryAfterMs: number; failedDependency: 'inventory' }
  /** The provider declined or failed the charge; `released`: whether the reservation went back at once. */
  | { kind: 'payment-failed'; released: boolean; failedDependency: 'payments' }
  /** The provider did not answer the charge in time; `released` as for payment-failed. */
  | { kind: 'payment-timed-out'; released: boolean; failedDependency: 'payments' }
  /** Paid after the reservation had been released (reaped): no order, the charge refunded if `refunded`. */
  | { kind: 'reservation-expired'; orderId: string; refunded: boolean }
  /** Paid, but the store recorded no order after every confirm attempt: no order, refunded if `refunded`. */
  | { kind: 'order-not-recorded'; orderId: string; refunded: boolean; failedDependency: 'inventory' };

/** Where the service logs (a Fastify request's logger fits, so each line carries its request id). */
export interface CheckoutLog {
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}
