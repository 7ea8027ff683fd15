/**
 * POST /api/checkout: reserve the stock atomically, charge, confirm. Each request belongs to the
 * identity the gate established (`saleday-user`), and its Idempotency-Key is scoped to it.
 * Every 5xx names the one dependency that failed in `saleday-failed-dependency`.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FAILED_DEPENDENCY_HEADER, SALEDAY_DEADLINE_HEADER } from '../contracts/request-headers';
import type { Clock } from '../guard/clock';
import type { Catalog } from './catalog';
import { readDeadline } from './checkout-budget';
import {
  answerOrderNotRecorded,
  answerReservationExpired,
  confirmWithRetries,
  PAYMENT_RETRY_AFTER_SECONDS,
  settleFailedReserve,
  settleUnconfirmed,
  type SettlementContext,
} from './checkout-settlement';
import { NO_STORE } from './http-caching';
import { checkoutBodySchema, IDEMPOTENCY_KEY_PATTERN, validate } from './request-schemas';
import { requireIdentity } from './request-identity';
import type { CheckoutReceipt, ReserveRequest, ReserveResult } from './shop-store';
import { isInventoryUnavailableError, isPaymentFailedError, isPaymentTimeoutError } from './storefront-errors';

const IN_PROGRESS_RETRY_AFTER_SECONDS = 1;
const DEADLINE_RETRY_AFTER_SECONDS = 1;
/** The catalog stays missing until an operator acts: clients need not come back at once. */
const CATALOG_MISSING_RETRY_AFTER_SECONDS = 5;
/** One "catalog missing" log line per this long, however many checkouts find it missing. */
const CATALOG_MISSING_LOG_INTERVAL_MS = 10_000;

export interface CheckoutContext extends SettlementContext {
  catalog: Catalog;
  clock: Clock;
  /** Waits or fails as an injected `checkout` fault says. */
  injectFault(): Promise<void>;
  /** The longest a checkout can take (checkoutWorstCaseMs): a gate deadline sooner than this refuses it before reserving. */
  worstCaseMs: number;
}

export function registerCheckoutRoute(app: FastifyInstance, context: CheckoutContext): void {
  const { catalog, store } = context;
  const logCatalogMissing = catalogMissingLogger(context.clock);

  app.post('/api/checkout', async (request, reply) => {
    reply.header('cache-control', NO_STORE);
    const userId = requireIdentity(request, reply);
    if (userId === undefined) return reply;
    const idempotencyHeader = request.headers['idempotency-key'];
    if (idempotencyHeader !== undefined && (typeof idempotencyHeader !== 'string' || !IDEMPOTENCY_KEY_PATTERN.test(idempotencyHeader))) {
      return badRequest(reply, 'invalid-idempotency-key', 'Idempotency-Key must be 1-255 printable ASCII characters without spaces');
    }
    const body = validate(checkoutBodySchema, request.body);
    if (!body.ok) return badRequest(reply, 'invalid-body', body.message);
    const { productId, quantity } = body.value;
    const product = catalog.find(productId);
    if (!product) return reply.code(404).send({ error: 'unknown-product', message: `no product ${productId}` });
    await context.injectFault();
    if (refusedForDeadline(request, reply, context)) return reply;

    // Scoped to the identity: one client's key can never replay another client's order.
    // `|` cannot appear in an identity, so no (identity, key) pair can collide with another.
    const idempotencyKey = idempotencyHeader === undefined ? undefined : `${userId}|${idempotencyHeader}`;
    const reserveRequest: ReserveRequest = {
      orderId: `ord_${randomUUID()}`,
      productId,
      quantity,
      userId,
      idempotencyKey,
      fingerprint: createHash('sha256').update(`${productId}\n${quantity}`).digest('hex').slice(0, 32),
      now: context.clock.now(),
    };
    let outcome: ReserveResult;
    try {
      outcome = await store.reserve(reserveRequest);
    } catch (error) {
      // A cause means the store was called (not refused by the open breaker): the reserve may have landed.
      if (isInventoryUnavailableError(error) && error.cause !== undefined) await settleFailedReserve(context, reserveRequest, idempotencyKey, request);
      throw error;
    }
    if (outcome.kind !== 'reserved') return answerWithoutReservation(request, reply, context, outcome, productId, logCatalogMissing);
    const receipt: CheckoutReceipt = { orderId: outcome.order.orderId, productId, quantity, remainingStock: outcome.remainingStock, status: 'paid' };
    return chargeAndConfirm(request, reply, context, { receipt, amountCents: product.priceCents * quantity, idempotencyKey });
  });
}

/** Every reserve outcome that holds no stock for this request: answered at once. */
function answerWithoutReservation(
  request: FastifyRequest,
  reply: FastifyReply,
  context: CheckoutContext,
  outcome: Exclude<ReserveResult, { kind: 'reserved' }>,
  productId: string,
  logCatalogMissing: (request: FastifyRequest, productId: string, count: number) => void,
): FastifyReply {
  const { counters } = context;
  switch (outcome.kind) {
    case 'not-stocked':
      counters.catalogMissing += 1;
      logCatalogMissing(request, productId, counters.catalogMissing);
      return reply
        .code(503)
        .header('retry-after', String(CATALOG_MISSING_RETRY_AFTER_SECONDS))
        .header(FAILED_DEPENDENCY_HEADER, 'inventory')
        .send({ error: 'inventory-unavailable', message: `the stock of ${productId} is missing from the inventory store; checkout stays closed until an operator restores it` });
    case 'sold-out':
      counters.soldOut += 1;
      return reply.code(409).send({ error: 'sold-out', message: `only ${outcome.remainingStock} left of ${productId}`, remainingStock: outcome.remainingStock });
    case 'key-reused':
      counters.conflicts += 1;
      return reply.code(422).send({
        error: 'idempotency-key-reused',
        message: 'this Idempotency-Key was already used with a different body; use a new key for a new order',
        orderId: outcome.orderId,
      });
    case 'in-progress':
      counters.conflicts += 1;
      return reply
        .code(409)
        .header('retry-after', String(IN_PROGRESS_RETRY_AFTER_SECONDS))
        .send({ error: 'checkout-in-progress', message: 'a checkout with this Idempotency-Key is still being processed', orderId: outcome.orderId });
    case 'replay':
      counters.replayed += 1;
      return reply.code(201).header('idempotent-replayed', 'true').send(outcome.receipt);
  }
}

/** Charges a reserved order and confirms it; a failed charge releases the reservation and blames payments. */
async function chargeAndConfirm(
  request: FastifyRequest,
  reply: FastifyReply,
  context: CheckoutContext,
  paid: { receipt: CheckoutReceipt; amountCents: number; idempotencyKey: string | undefined },
): Promise<FastifyReply> {
  const { store, counters } = context;
  const { receipt, idempotencyKey } = paid;
  const order = { orderId: receipt.orderId, productId: receipt.productId };
  const charge = { orderId: receipt.orderId, amountCents: paid.amountCents };
  try {
    await context.payments.charge(charge);
  } catch (error) {
    const released = await store.release(order, idempotencyKey).catch((releaseError: unknown) => {
      // The units stay reserved under a cancelled payment until the reservation reaper releases them (after its TTL).
      request.log.error({ err: releaseError, orderId: order.orderId }, 'could not release the reservation of a failed payment');
      return false;
    });
    if (isPaymentFailedError(error)) {
      counters.paymentFailed += 1;
      return reply
        .code(502)
        .header(FAILED_DEPENDENCY_HEADER, 'payments')
        .send({ error: 'payment-failed', message: 'the payment provider declined or failed the charge; no order was placed', released });
    }
    if (isPaymentTimeoutError(error)) {
      counters.paymentTimedOut += 1;
      return reply
        .code(503)
        .header('retry-after', String(PAYMENT_RETRY_AFTER_SECONDS))
        .header(FAILED_DEPENDENCY_HEADER, 'payments')
        .send({ error: 'payments-unavailable', message: 'the payment provider did not answer in time; no order was placed', released });
    }
    throw error;
  }

  const confirmation = await confirmWithRetries(store, receipt, idempotencyKey, request);
  if (confirmation === undefined) {
    // Never 201 for an order the store did not record, and never a refund for one it did: which of
    // the two happened is settled in the store before answering.
    const settled = await settleUnconfirmed(store, order, idempotencyKey, request);
    switch (settled) {
      case 'paid':
        counters.confirmRecovered += 1;
        counters.created += 1;
        return reply.code(201).send(receipt);
      case 'cancelled':
      case 'missing':
        return answerReservationExpired(request, reply, context, { ...charge, reservation: settled });
      case 'released':
      case 'unknown':
        return answerOrderNotRecorded(request, reply, context, charge);
    }
  }
  if (confirmation.kind === 'not-reserved') {
    // The checkout stalled past the TTL and the reaper gave the units back (maybe already sold
    // again): this order must not stand, so the charge goes back and the client may retry.
    return answerReservationExpired(request, reply, context, { ...charge, reservation: confirmation.status });
  }
  counters.created += 1;
  return reply.code(201).send(receipt);
}

/** One "catalog missing" line per interval, however many checkouts find it missing meanwhile. */
function catalogMissingLogger(clock: Clock): (request: FastifyRequest, productId: string, count: number) => void {
  let loggedAt = Number.NEGATIVE_INFINITY;
  return (request, productId, count) => {
    const now = clock.now();
    if (now - loggedAt < CATALOG_MISSING_LOG_INTERVAL_MS) return;
    loggedAt = now;
    request.log.error(
      { productId, catalogMissing: count },
      'checkout refused: the catalog is missing from the inventory store (Redis restarted empty or lost writes); restore it or run `saleday storefront seed`',
    );
  };
}

/**
 * Answers 503 `deadline-too-short` (true) when the gate gives up sooner than a checkout can take at
 * worst: nothing is reserved or charged, so the same Idempotency-Key can simply be retried.
 */
function refusedForDeadline(request: FastifyRequest, reply: FastifyReply, context: CheckoutContext): boolean {
  const deadline = readDeadline(request);
  if (deadline.kind === 'none') return false;
  if (deadline.kind === 'invalid') {
    badRequest(reply, 'invalid-deadline', `${SALEDAY_DEADLINE_HEADER} was ${JSON.stringify(deadline.value.slice(0, 40))}; expected epoch milliseconds`);
    return true;
  }
  const remainingMs = deadline.atMs - context.clock.now();
  if (remainingMs >= context.worstCaseMs) return false;
  context.counters.deadlineTooShort += 1;
  request.log.warn({ remainingMs, worstCaseMs: context.worstCaseMs }, 'checkout refused before reserving: the gate gives up sooner than a checkout can take');
  reply
    .code(503)
    .header('retry-after', String(DEADLINE_RETRY_AFTER_SECONDS))
    .send({
      error: 'deadline-too-short',
      message: `the request has ${Math.max(0, remainingMs)} ms left and a checkout can take ${context.worstCaseMs} ms, so nothing was reserved or charged; retry with the same Idempotency-Key`,
      remainingMs: Math.max(0, remainingMs),
      worstCaseMs: context.worstCaseMs,
    });
  return true;
}

function badRequest(reply: FastifyReply, error: string, message: string): FastifyReply {
  return reply.code(400).header('cache-control', NO_STORE).send({ error, message });
}
