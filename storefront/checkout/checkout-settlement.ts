/**
 * What checkout does when a step's outcome is uncertain or failed: confirm retries, settling an
 * order whose confirm or reserve reply was lost, and refunds, with the results that go with them.
 */
import type { PaymentProvider } from '../payments';
import type { CheckoutReceipt, ConfirmResult, OrderRef, ShopStore } from '../shop-store';
import { CONFIRM_RETRY_DELAYS_MS } from './checkout-budget';
import type { CheckoutCounters } from './checkout-counters';
import type { CheckoutLog, CheckoutResult } from './checkout-result';

export interface SettlementContext {
  store: ShopStore;
  payments: PaymentProvider;
  counters: CheckoutCounters;
  /** Waits between confirm attempts. */
  sleep(ms: number): Promise<void>;
}

/** A charge to give back: the order it paid for and its amount. */
export interface PaidCharge {
  orderId: string;
  amountCents: number;
}

/**
 * Confirms a paid order, trying again when the store fails: confirming is idempotent (a confirm that
 * landed before its reply was lost answers `already-paid`). Undefined when every attempt failed.
 */
export async function confirmWithRetries(
  context: SettlementContext,
  receipt: CheckoutReceipt,
  idempotencyKey: string | undefined,
  log: CheckoutLog,
): Promise<ConfirmResult | undefined> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await context.store.confirm(receipt, idempotencyKey);
    } catch (error) {
      const delayMs = CONFIRM_RETRY_DELAYS_MS[attempt];
      log.error(
        { err: error, orderId: receipt.orderId, attempt: attempt + 1, willRetry: delayMs !== undefined },
        'could not mark a paid order as paid',
      );
      if (delayMs === undefined) return undefined;
      await context.sleep(delayMs);
    }
  }
}

/**
 * A reserve that failed may still have landed (its reply timed out): release whatever it holds
 * before answering 503. Releasing rather than continuing, because the client is about to be told
 * no order was placed and to retry with the same Idempotency-Key; a held key would answer that
 * retry 409 checkout-in-progress until the pending record expired, and the units would stay held
 * until reaped. The release follows the reserve on the same connection, so Redis ran the reserve
 * first if it ran it at all.
 */
export async function settleFailedReserve(
  context: SettlementContext,
  order: OrderRef,
  idempotencyKey: string | undefined,
  log: CheckoutLog,
): Promise<void> {
  try {
    if (await context.store.release(order, idempotencyKey)) {
      context.counters.reserveSettled += 1;
      log.warn(
        { orderId: order.orderId, productId: order.productId },
        'a reserve whose reply was lost had landed: released it before answering 503',
      );
    }
  } catch (error) {
    log.error(
      { err: error, orderId: order.orderId },
      'could not settle a reserve whose reply was lost; if it landed it is reaped after its TTL and its key answers 409 until then',
    );
  }
}

/**
 * Where an order stands once every confirm attempt failed, asked of the store atomically: still
 * reserved, it is released now (`released`: stock back, idempotency key free, and a confirm still on
 * its way then finds it cancelled and changes nothing); otherwise a confirm had landed with its reply
 * lost (`paid`), or the reaper released it meanwhile (`cancelled`), or the store lost it (`missing`).
 * `unknown` when the store cannot answer either: the reservation is then reaped after its TTL.
 */
export async function settleUnconfirmed(
  store: ShopStore,
  order: OrderRef,
  idempotencyKey: string | undefined,
  log: CheckoutLog,
): Promise<'released' | 'paid' | 'cancelled' | 'missing' | 'unknown'> {
  try {
    if (await store.release(order, idempotencyKey)) return 'released';
    const record = await store.order(order.orderId);
    if (record === undefined) return 'missing';
    return record.status === 'paid' ? 'paid' : 'cancelled';
  } catch (error) {
    log.error(
      { err: error, orderId: order.orderId },
      'could not settle an order whose confirm failed; it stays reserved until reaped',
    );
    return 'unknown';
  }
}

/** Refunds the charge of a paid order the store could not record: no order, and inventory is to blame. */
export async function orderNotRecorded(
  context: SettlementContext,
  failed: PaidCharge,
  log: CheckoutLog,
): Promise<CheckoutResult> {
  // When the store could not be asked either (settleUnconfirmed answered `unknown`) and the last
  // confirm had landed after all, the order stands paid while its charge is refunded: the refund is
  // logged, for reconciliation with the rest.
  const refunded = await refundOrLog(context, failed, 'the order could not be recorded', log);
  return { kind: 'order-not-recorded', orderId: failed.orderId, refunded, failedDependency: 'inventory' };
}

/** Refunds the charge of an order whose reservation was released during payment: no order. */
export async function reservationExpired(
  context: SettlementContext,
  expired: PaidCharge & { reservation: 'cancelled' | 'missing' },
  log: CheckoutLog,
): Promise<CheckoutResult> {
  const { orderId, amountCents } = expired;
  log.warn(
    { orderId, reservation: expired.reservation },
    'payment completed after the reservation was released; refunding the charge',
  );
  const refunded = await refundOrLog(context, { orderId, amountCents }, 'the reservation expired during payment', log);
  return { kind: 'reservation-expired', orderId, refunded };
}

/** Refunds through the provider; a failed refund is counted and logged at error level for reconciliation. */
async function refundOrLog(
  context: SettlementContext,
  charge: PaidCharge,
  why: string,
  log: CheckoutLog,
): Promise<boolean> {
  const refunded = await context.payments.refund(charge.orderId).then(
    () => true,
    (refundError: unknown) => {
      // The customer is charged for an order that does not exist: someone has to settle it by hand.
      log.error(
        { err: refundError, ...charge, why },
        'refund failed: customer charged for an order that was not placed; reconcile',
      );
      return false;
    },
  );
  if (refunded) context.counters.refunded += 1;
  else context.counters.refundFailed += 1;
  return refunded;
}
