/** The storefront's own failures, each with a stable `code` and a type guard; error-replies.ts and the checkout answers map them to HTTP. */
import { GuardError } from '../guard/errors';

/** The inventory store (Redis) is failing or its breaker is open: checkout answers 503 at once. */
export class InventoryUnavailableError extends GuardError {
  readonly code = 'SALEDAY_INVENTORY_UNAVAILABLE';
  constructor(
    /** When the breaker will next let a call through (at least 1 s, for Retry-After). */
    readonly retryAfterMs: number,
    cause?: unknown,
  ) {
    super(`inventory store unavailable; retry in ${Math.ceil(retryAfterMs / 1000)} s`, { cause });
    this.name = 'InventoryUnavailableError';
  }
}

/** The payment provider declined or failed the charge: the reservation is released, checkout answers 502. */
export class PaymentFailedError extends GuardError {
  readonly code = 'SALEDAY_PAYMENT_FAILED';
  constructor(readonly orderId: string) {
    super(`payment for order ${orderId} failed`);
    this.name = 'PaymentFailedError';
  }
}

/** The payment provider did not answer within its deadline: the reservation is released, checkout answers 503. */
export class PaymentTimeoutError extends GuardError {
  readonly code = 'SALEDAY_PAYMENT_TIMEOUT';
  constructor(
    readonly orderId: string,
    readonly timeoutMs: number,
  ) {
    super(`payment for order ${orderId} took longer than ${timeoutMs} ms`);
    this.name = 'PaymentTimeoutError';
  }
}

/**
 * The payment provider failed a refund or did not answer it in time: the customer stays charged for
 * an order that was not placed, so it is logged for reconciliation and counted in /_stats.
 */
export class RefundFailedError extends GuardError {
  readonly code = 'SALEDAY_REFUND_FAILED';
  constructor(
    readonly orderId: string,
    readonly reason: 'failed' | 'timed-out',
  ) {
    super(`refund for order ${orderId} ${reason === 'failed' ? 'failed' : 'got no answer in time'}`);
    this.name = 'RefundFailedError';
  }
}

/** A failure injected through /_faults, for rehearsals: answered with 500 like any app bug. */
export class InjectedFaultError extends GuardError {
  readonly code = 'SALEDAY_INJECTED_FAULT';
  constructor(readonly target: string) {
    super(`fault injected on ${target}`);
    this.name = 'InjectedFaultError';
  }
}

export function isInventoryUnavailableError(error: unknown): error is InventoryUnavailableError {
  return error instanceof InventoryUnavailableError;
}

export function isPaymentFailedError(error: unknown): error is PaymentFailedError {
  return error instanceof PaymentFailedError;
}

export function isPaymentTimeoutError(error: unknown): error is PaymentTimeoutError {
  return error instanceof PaymentTimeoutError;
}

export function isRefundFailedError(error: unknown): error is RefundFailedError {
  return error instanceof RefundFailedError;
}

export function isInjectedFaultError(error: unknown): error is InjectedFaultError {
  return error instanceof InjectedFaultError;
}
