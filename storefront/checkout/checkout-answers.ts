/**
 * Every checkout outcome as HTTP, in one exhaustive switch: a new result that is not mapped here
 * fails type-checking. Each 5xx of a failed dependency names it in `saleday-failed-dependency`.
 */
import { FAILED_DEPENDENCY_HEADER, SALEDAY_DEADLINE_HEADER } from '../../contracts/request-headers';
import { inventoryUnavailableAnswer } from '../error-replies';
import type { HttpAnswer } from '../http-answer';
import { identityProblemAnswer } from '../request-identity';
import type { CheckoutRequestProblem } from './checkout-request-parser';
import type { CheckoutResult } from './checkout-result';

/** Retry-After for a checkout whose payment timed out, or whose order could not be recorded. */
export const PAYMENT_RETRY_AFTER_SECONDS = 2;
const IN_PROGRESS_RETRY_AFTER_SECONDS = 1;
const DEADLINE_RETRY_AFTER_SECONDS = 1;
/** The catalog stays missing until an operator acts: clients need not come back at once. */
const CATALOG_MISSING_RETRY_AFTER_SECONDS = 5;

export function checkoutAnswer(outcome: CheckoutResult | CheckoutRequestProblem): HttpAnswer {
  switch (outcome.kind) {
    case 'identity-required':
      return identityProblemAnswer({ kind: 'missing' });
    case 'invalid-identity':
      return identityProblemAnswer({ kind: 'invalid', value: outcome.value });
    case 'invalid-idempotency-key':
      return badRequest(
        'invalid-idempotency-key',
        'Idempotency-Key must be 1-255 printable ASCII characters without spaces',
      );
    case 'invalid-body':
      return badRequest('invalid-body', outcome.message);
    case 'invalid-deadline':
      return badRequest(
        'invalid-deadline',
        `${SALEDAY_DEADLINE_HEADER} was ${JSON.stringify(outcome.value.slice(0, 40))}; expected epoch milliseconds`,
      );
    case 'created':
      return answer(201, {}, outcome.receipt);
    case 'replayed':
      return answer(201, { 'idempotent-replayed': 'true' }, outcome.receipt);
    case 'unknown-product':
      return answer(404, {}, { error: 'unknown-product', message: `no product ${outcome.productId}` });
    case 'deadline-too-short':
      return deadlineTooShort(outcome);
    case 'sold-out':
      return soldOut(outcome);
    case 'idempotency-key-reused':
      return keyReused(outcome);
    case 'checkout-in-progress':
      return inProgress(outcome);
    case 'catalog-missing':
      return catalogMissing(outcome);
    case 'inventory-unavailable':
      return inventoryUnavailableAnswer(outcome.retryAfterMs);
    case 'payment-failed':
      return paymentFailed(outcome);
    case 'payment-timed-out':
      return paymentTimedOut(outcome);
    case 'reservation-expired':
      return reservationExpired(outcome);
    case 'order-not-recorded':
      return orderNotRecorded(outcome);
    default:
      return unmapped(outcome);
  }
}

type ResultOf<K extends CheckoutResult['kind']> = Extract<CheckoutResult, { kind: K }>;

function deadlineTooShort({ remainingMs, worstCaseMs }: ResultOf<'deadline-too-short'>): HttpAnswer {
  const message = `the request has ${remainingMs} ms left and a checkout can take ${worstCaseMs} ms, so nothing was reserved or charged; retry with the same Idempotency-Key`;
  return answer(503, retryAfter(DEADLINE_RETRY_AFTER_SECONDS), {
    error: 'deadline-too-short',
    message,
    remainingMs,
    worstCaseMs,
  });
}

function soldOut({ productId, remainingStock }: ResultOf<'sold-out'>): HttpAnswer {
  return answer(409, {}, { error: 'sold-out', message: `only ${remainingStock} left of ${productId}`, remainingStock });
}

function keyReused({ orderId }: ResultOf<'idempotency-key-reused'>): HttpAnswer {
  const message = 'this Idempotency-Key was already used with a different body; use a new key for a new order';
  return answer(422, {}, { error: 'idempotency-key-reused', message, orderId });
}

function inProgress({ orderId }: ResultOf<'checkout-in-progress'>): HttpAnswer {
  const message = 'a checkout with this Idempotency-Key is still being processed';
  return answer(409, retryAfter(IN_PROGRESS_RETRY_AFTER_SECONDS), { error: 'checkout-in-progress', message, orderId });
}

function catalogMissing({ productId, failedDependency }: ResultOf<'catalog-missing'>): HttpAnswer {
  const message = `the stock of ${productId} is missing from the inventory store; checkout stays closed until an operator restores it`;
  const headers = { ...retryAfter(CATALOG_MISSING_RETRY_AFTER_SECONDS), ...blame(failedDependency) };
  return answer(503, headers, { error: 'inventory-unavailable', message });
}

function paymentFailed({ released, failedDependency }: ResultOf<'payment-failed'>): HttpAnswer {
  const message = 'the payment provider declined or failed the charge; no order was placed';
  return answer(502, blame(failedDependency), { error: 'payment-failed', message, released });
}

function paymentTimedOut({ released, failedDependency }: ResultOf<'payment-timed-out'>): HttpAnswer {
  const message = 'the payment provider did not answer in time; no order was placed';
  const headers = { ...retryAfter(PAYMENT_RETRY_AFTER_SECONDS), ...blame(failedDependency) };
  return answer(503, headers, { error: 'payments-unavailable', message, released });
}

function reservationExpired({ orderId, refunded }: ResultOf<'reservation-expired'>): HttpAnswer {
  const message = `the reservation expired before the payment completed, so no order was placed; ${refundOutcome(refunded)}; please try again`;
  return answer(409, {}, { error: 'reservation-expired', message, orderId, refunded });
}

function orderNotRecorded({ orderId, refunded, failedDependency }: ResultOf<'order-not-recorded'>): HttpAnswer {
  const message = `the payment went through but the order could not be recorded, so no order was placed; ${refundOutcome(refunded)}; please try again`;
  const headers = { ...retryAfter(PAYMENT_RETRY_AFTER_SECONDS), ...blame(failedDependency) };
  return answer(503, headers, { error: 'order-not-recorded', message, orderId, refunded });
}

function badRequest(error: string, message: string): HttpAnswer {
  return answer(400, {}, { error, message });
}

function answer(status: number, headers: Record<string, string>, body: unknown): HttpAnswer {
  return { status, headers, body };
}

function retryAfter(seconds: number): Record<string, string> {
  return { 'retry-after': String(seconds) };
}

function blame(dependency: string): Record<string, string> {
  return { [FAILED_DEPENDENCY_HEADER]: dependency };
}

/** What the client is told about its charge after a refund attempt. */
function refundOutcome(refunded: boolean): string {
  return refunded ? 'the charge was refunded' : 'the charge could not be refunded yet and will be refunded by support';
}

function unmapped(outcome: never): never {
  throw new Error(`checkout outcome ${JSON.stringify(outcome)} has no HTTP answer`);
}
