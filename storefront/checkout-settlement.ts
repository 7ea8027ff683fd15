/**
 * What checkout does when a step's outcome is uncertain or failed: confirm retries, settling an
 * order whose confirm or reserve reply was lost, refunds, and the answers that go with them.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { FAILED_DEPENDENCY_HEADER } from '../contracts/request-headers';
import { CONFIRM_RETRY_DELAYS_MS } from './checkout-budget';
import type { CheckoutCounters } from './checkout-counters';
import { delay } from './fault-injector';
import type { PaymentProvider } from './payments';
import type { CheckoutReceipt, ConfirmResult, OrderRef, ShopStore } from './shop-store';

/** Retry-After for a checkout whose payment timed out, or whose order could not be recorded. */
export const PAYMENT_RETRY_AFTER_SECONDS = 2;

export interface SettlementContext {
  store: ShopStore;
  payments: PaymentProvider;
  counters: CheckoutCounters;
}

/**
 * Confirms a paid order, trying again when the store fails: confirming is idempotent (a confirm that
 * landed before its reply was lost answers `already-paid`). Undefined when every attempt failed.
 */
export async function confirmWithRetries(store: ShopStore, receipt: CheckoutReceipt, idempotencyKey: string | undefined, request: FastifyRequest): Promise<ConfirmResult | undefined> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await store.confirm(receipt, idempotencyKey);
    } catch (error) {
      const delayMs = CONFIRM_RETRY_DELAYS_MS[attempt];
      request.log.error({ err: error, orderId: receipt.orderId, attempt: attempt + 1, willRetry: delayMs !== undefined }, 'could not mark a paid order as paid');
      if (delayMs === undefined) return undefined;
      await delay(delayMs);
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
export async function settleFailedReserve(context: SettlementContext, order: OrderRef, idempotencyKey: string | undefined, request: FastifyRequest): Promise<void> {
  try {
    if (await context.store.release(order, idempotencyKey)) {
      context.counters.reserveSettled += 1;
      request.log.warn({ orderId: order.orderId, productId: order.productId }, 'a reserve whose reply was lost had landed: released it before answering 503');
    }
  } catch (error) {
    request.log.error({ err: error, orderId: order.orderId }, 'could not settle a reserve whose reply was lost; if it landed it is reaped after its TTL and its key answers 409 until then');
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
  request: FastifyRequest,
): Promise<'released' | 'paid' | 'cancelled' | 'missing' | 'unknown'> {
  try {
    if (await store.release(order, idempotencyKey)) return 'released';
    const record = await store.order(order.orderId);
    if (record === undefined) return 'missing';
    return record.status === 'paid' ? 'paid' : 'cancelled';
  } catch (error) {
    request.log.error({ err: error, orderId: order.orderId }, 'could not settle an order whose confirm failed; it stays reserved until reaped');
    return 'unknown';
  }
}

/** Refunds the charge of a paid order the store could not record, then answers 503 blaming the inventory store. */
export async function answerOrderNotRecorded(request: FastifyRequest, reply: FastifyReply, context: SettlementContext, failed: { orderId: string; amountCents: number }): Promise<FastifyReply> {
  context.counters.notRecorded += 1;
  // When the store could not be asked either (settleUnconfirmed answered `unknown`) and the last
  // confirm had landed after all, the order stands paid while its charge is refunded: the refund is
  // logged, for reconciliation with the rest.
  const refunded = await refundOrLog(request, context, failed, 'the order could not be recorded');
  return reply
    .code(503)
    .header('retry-after', String(PAYMENT_RETRY_AFTER_SECONDS))
    .header(FAILED_DEPENDENCY_HEADER, 'inventory')
    .send({
      error: 'order-not-recorded',
      message: `the payment went through but the order could not be recorded, so no order was placed; ${refundOutcome(refunded)}; please try again`,
      orderId: failed.orderId,
      refunded,
    });
}

/** Refunds the charge of an order whose reservation was released during payment, then answers 409. */
export async function answerReservationExpired(
  request: FastifyRequest,
  reply: FastifyReply,
  context: SettlementContext,
  expired: { orderId: string; amountCents: number; reservation: 'cancelled' | 'missing' },
): Promise<FastifyReply> {
  const { orderId, amountCents } = expired;
  context.counters.reservationExpired += 1;
  request.log.warn({ orderId, reservation: expired.reservation }, 'payment completed after the reservation was released; refunding the charge');
  const refunded = await refundOrLog(request, context, { orderId, amountCents }, 'the reservation expired during payment');
  return reply.code(409).send({
    error: 'reservation-expired',
    message: `the reservation expired before the payment completed, so no order was placed; ${refundOutcome(refunded)}; please try again`,
    orderId,
    refunded,
  });
}

/** Refunds through the provider; a failed refund is counted and logged at error level for reconciliation. */
async function refundOrLog(request: FastifyRequest, context: SettlementContext, charge: { orderId: string; amountCents: number }, why: string): Promise<boolean> {
  const refunded = await context.payments.refund(charge.orderId).then(
    () => true,
    (refundError: unknown) => {
      // The customer is charged for an order that does not exist: someone has to settle it by hand.
      request.log.error({ err: refundError, ...charge, why }, 'refund failed: customer charged for an order that was not placed; reconcile');
      return false;
    },
  );
  if (refunded) context.counters.refunded += 1;
  else context.counters.refundFailed += 1;
  return refunded;
}

/** What the client is told about its charge after a refund attempt. */
function refundOutcome(refunded: boolean): string {
  return refunded ? 'the charge was refunded' : 'the charge could not be refunded yet and will be refunded by support';
}
