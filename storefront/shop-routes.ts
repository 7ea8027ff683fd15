/**
 * The shop's public API: products, cart, checkout, recommendations, the page and its assets.
 * Cache headers are chosen for CloudFront: the product list is shared and short-lived, anything
 * with live stock or a user in it is never cached by a shared cache.
 */
import { createHash, randomUUID } from 'node:crypto';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CircuitBreaker } from '../gate/breaker';
import type { Clock } from '../gate/clock';
import { PRODUCT_ID_PATTERN, type Catalog, type Product } from './catalog';
import { delay, type FaultInjector, type FaultTarget } from './fault-injector';
import type { PaymentProvider } from './payments';
import { recommend } from './recommendations';
import { cartBodySchema, checkoutBodySchema, IDEMPOTENCY_KEY_PATTERN, USER_ID_PATTERN, validate } from './request-schemas';
import type { CartItem, CheckoutReceipt, ConfirmResult, OrderRef, ReserveResult, ShopStore } from './shop-store';
import type { StaticAssets, StaticAsset } from './static-assets';
import { InjectedFaultError, InventoryUnavailableError, isPaymentFailedError, isPaymentTimeoutError } from './storefront-errors';

/**
 * The product list: browsers always revalidate (max-age=0, cheap with the ETag), CloudFront keeps
 * it 5 s, serves it stale for 30 s while refetching, and for 5 min if the fleet answers errors.
 */
export const PRODUCT_LIST_CACHE = 'public, max-age=0, s-maxage=5, stale-while-revalidate=30, stale-if-error=300';
/** Live stock, carts, orders: never stored by any cache. */
export const NO_STORE = 'no-store';
/** Personal but slow to compute: the browser may keep it a minute, shared caches never. */
export const RECOMMENDATIONS_CACHE = 'private, max-age=60';
/** Retry-After for a checkout whose payment timed out, or that is still in progress. */
const PAYMENT_RETRY_AFTER_SECONDS = 2;
const IN_PROGRESS_RETRY_AFTER_SECONDS = 1;

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
}

export interface ShopContext {
  catalog: Catalog;
  /** The store behind the inventory breaker. */
  store: ShopStore;
  inventoryBreaker: CircuitBreaker;
  payments: PaymentProvider;
  faults: FaultInjector;
  clock: Clock;
  assets: StaticAssets;
  recommendationsWork: number;
  counters: CheckoutCounters;
  /** Seeds missing stock records (SET NX), e.g. after Redis came back empty. */
  ensureStock(): Promise<void>;
}

export function registerShopRoutes(app: FastifyInstance, context: ShopContext): void {
  const { catalog, store, faults } = context;
  const productList = JSON.stringify({ products: catalog.products, count: catalog.products.length });
  const productListEtag = `"${createHash('sha256').update(productList).digest('hex').slice(0, 16)}"`;

  const injectFault = async (target: FaultTarget): Promise<void> => {
    const decision = faults.decide(target);
    if (!decision) return;
    await delay(decision.latencyMs);
    if (decision.fail) throw new InjectedFaultError(target);
  };

  // Never depends on Redis: a task whose cache is down is still healthy, and replacing it would not help.
  app.get('/healthz', async (_request, reply) =>
    reply.header('cache-control', NO_STORE).send({ status: 'ok', store: store.kind, inventory: context.inventoryBreaker.state() }),
  );

  app.get('/', async (request, reply) => sendAsset(request, reply, context.assets.page));

  app.get<{ Params: { file: string } }>('/assets/:file', async (request, reply) => {
    const asset = context.assets.find(request.params.file);
    if (!asset) return reply.code(404).header('cache-control', NO_STORE).send({ error: 'not-found', message: 'no such asset' });
    return sendAsset(request, reply, asset);
  });

  // Served from memory: the list never touches Redis, so it keeps serving through a cache outage.
  app.get('/api/products', async (request, reply) => {
    await injectFault('products');
    reply.header('cache-control', PRODUCT_LIST_CACHE).header('etag', productListEtag);
    if (request.headers['if-none-match'] === productListEtag) return reply.code(304).send();
    return reply.type('application/json; charset=utf-8').send(productList);
  });

  app.get<{ Params: { id: string } }>('/api/products/:id', async (request, reply) => {
    const product = findProduct(catalog, request.params.id, reply);
    if (!product) return reply;
    await injectFault('products');
    let stock = await store.stockOf(product.id);
    if (stock === undefined) {
      await context.ensureStock();
      stock = await store.stockOf(product.id);
    }
    if (stock === undefined) throw new InventoryUnavailableError(1000);
    return reply.header('cache-control', NO_STORE).send({ ...product, stock, available: stock > 0 });
  });

  app.get('/api/cart', async (request, reply) => {
    const userId = requireUser(request, reply);
    if (!userId) return reply;
    return reply.header('cache-control', NO_STORE).send(cartView(catalog, userId, await store.cart(userId)));
  });

  app.post('/api/cart', async (request, reply) => {
    const userId = requireUser(request, reply);
    if (!userId) return reply;
    const body = validate(cartBodySchema, request.body);
    if (!body.ok) return badRequest(reply, 'invalid-body', body.message);
    if (!catalog.find(body.value.productId)) return unknownProduct(reply, body.value.productId);
    const items = await store.addToCart(userId, body.value.productId, body.value.quantity);
    return reply.header('cache-control', NO_STORE).send(cartView(catalog, userId, items));
  });

  app.post('/api/checkout', async (request, reply) => {
    reply.header('cache-control', NO_STORE);
    const userId = optionalUser(request, reply);
    if (userId === null) return reply;
    const idempotencyHeader = request.headers['idempotency-key'];
    if (idempotencyHeader !== undefined && (typeof idempotencyHeader !== 'string' || !IDEMPOTENCY_KEY_PATTERN.test(idempotencyHeader))) {
      return badRequest(reply, 'invalid-idempotency-key', 'Idempotency-Key must be 1-255 printable ASCII characters without spaces');
    }
    const body = validate(checkoutBodySchema, request.body);
    if (!body.ok) return badRequest(reply, 'invalid-body', body.message);
    const { productId, quantity } = body.value;
    const product = catalog.find(productId);
    if (!product) return unknownProduct(reply, productId);
    await injectFault('checkout');

    // Scoped to the user: one client's key can never replay another client's order.
    // `|` cannot appear in a user key, so no (user, key) pair can collide with another.
    const idempotencyKey = idempotencyHeader === undefined ? undefined : `${userId}|${idempotencyHeader}`;
    const reserveRequest = {
      orderId: `ord_${randomUUID()}`,
      productId,
      quantity,
      userId,
      idempotencyKey,
      fingerprint: createHash('sha256').update(`${productId}\n${quantity}`).digest('hex').slice(0, 32),
      now: context.clock.now(),
    };
    let outcome: ReserveResult = await store.reserve(reserveRequest);
    if (outcome.kind === 'not-stocked') {
      // The store lost its data (a restarted Redis): seed the missing records once and retry.
      await context.ensureStock();
      outcome = await store.reserve(reserveRequest);
    }
    switch (outcome.kind) {
      case 'not-stocked':
        throw new InventoryUnavailableError(1000);
      case 'sold-out':
        context.counters.soldOut += 1;
        return reply.code(409).send({ error: 'sold-out', message: `only ${outcome.remainingStock} left of ${productId}`, remainingStock: outcome.remainingStock });
      case 'key-reused':
        context.counters.conflicts += 1;
        return reply.code(422).send({
          error: 'idempotency-key-reused',
          message: 'this Idempotency-Key was already used with a different body; use a new key for a new order',
          orderId: outcome.orderId,
        });
      case 'in-progress':
        context.counters.conflicts += 1;
        return reply
          .code(409)
          .header('retry-after', String(IN_PROGRESS_RETRY_AFTER_SECONDS))
          .send({ error: 'checkout-in-progress', message: 'a checkout with this Idempotency-Key is still being processed', orderId: outcome.orderId });
      case 'replay':
        context.counters.replayed += 1;
        return reply.code(201).header('idempotent-replayed', 'true').send(outcome.receipt);
      case 'reserved':
        break;
    }

    const order = outcome.order;
    const charge = { orderId: order.orderId, amountCents: product.priceCents * quantity };
    try {
      await context.payments.charge(charge);
    } catch (error) {
      const released = await store.release(order, idempotencyKey).catch((releaseError: unknown) => {
        // The units stay reserved under a cancelled payment until the reservation reaper releases them (after its TTL).
        request.log.error({ err: releaseError, orderId: order.orderId }, 'could not release the reservation of a failed payment');
        return false;
      });
      if (isPaymentFailedError(error)) {
        context.counters.paymentFailed += 1;
        return reply.code(502).send({ error: 'payment-failed', message: 'the payment provider declined or failed the charge; no order was placed', released });
      }
      if (isPaymentTimeoutError(error)) {
        context.counters.paymentTimedOut += 1;
        return reply
          .code(503)
          .header('retry-after', String(PAYMENT_RETRY_AFTER_SECONDS))
          .send({ error: 'payments-unavailable', message: 'the payment provider did not answer in time; no order was placed', released });
      }
      throw error;
    }

    const receipt: CheckoutReceipt = { orderId: order.orderId, productId, quantity, remainingStock: outcome.remainingStock, status: 'paid' };
    const confirmation = await confirmWithRetries(store, receipt, idempotencyKey, request);
    if (confirmation === undefined) {
      // Never 201 for an order the store did not record, and never a refund for one it did: which of
      // the two happened is settled in the store before answering.
      const settled = await settleUnconfirmed(store, order, idempotencyKey, request);
      switch (settled) {
        case 'paid':
          context.counters.confirmRecovered += 1;
          context.counters.created += 1;
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
    context.counters.created += 1;
    return reply.code(201).send(receipt);
  });

  app.get<{ Querystring: { productId?: string } }>('/api/recommendations', async (request, reply) => {
    const userId = optionalUser(request, reply);
    if (userId === null) return reply;
    const basedOn = typeof request.query.productId === 'string' ? request.query.productId : undefined;
    if (basedOn !== undefined && !PRODUCT_ID_PATTERN.test(basedOn)) return badRequest(reply, 'malformed-product-id', 'productId must look like sku-001');
    await injectFault('recommendations');
    // Low priority inside the process too: let already-queued I/O (checkouts) run before burning CPU.
    await yieldToEventLoop();
    const items = recommend(catalog, `${userId}:${basedOn ?? ''}`, context.recommendationsWork);
    return reply.header('cache-control', RECOMMENDATIONS_CACHE).send({ items, basedOn: basedOn ?? null });
  });
}

/** Pauses before each further confirm attempt: a Redis failover or a blip is over within these. */
const CONFIRM_RETRY_DELAYS_MS = [50, 250];

/**
 * Confirms a paid order, trying again when the store fails: confirming is idempotent (a confirm that
 * landed before its reply was lost answers `already-paid`). Undefined when every attempt failed.
 */
async function confirmWithRetries(store: ShopStore, receipt: CheckoutReceipt, idempotencyKey: string | undefined, request: FastifyRequest): Promise<ConfirmResult | undefined> {
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
 * Where an order stands once every confirm attempt failed, asked of the store atomically: still
 * reserved, it is released now (`released`: stock back, idempotency key free, and a confirm still on
 * its way then finds it cancelled and changes nothing); otherwise a confirm had landed with its reply
 * lost (`paid`), or the reaper released it meanwhile (`cancelled`), or the store lost it (`missing`).
 * `unknown` when the store cannot answer either: the reservation is then reaped after its TTL.
 */
async function settleUnconfirmed(
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

/** Refunds the charge of a paid order the store could not record, then answers 503. */
async function answerOrderNotRecorded(request: FastifyRequest, reply: FastifyReply, context: ShopContext, failed: { orderId: string; amountCents: number }): Promise<FastifyReply> {
  context.counters.notRecorded += 1;
  // When the store could not be asked either (settleUnconfirmed answered `unknown`) and the last
  // confirm had landed after all, the order stands paid while its charge is refunded: the refund is
  // logged, for reconciliation with the rest.
  const refunded = await refundOrLog(request, context, failed, 'the order could not be recorded');
  return reply
    .code(503)
    .header('retry-after', String(PAYMENT_RETRY_AFTER_SECONDS))
    .send({
      error: 'order-not-recorded',
      message: `the payment went through but the order could not be recorded, so no order was placed; ${refundOutcome(refunded)}; please try again`,
      orderId: failed.orderId,
      refunded,
    });
}

/** Refunds through the provider; a failed refund is counted and logged at error level for reconciliation. */
async function refundOrLog(request: FastifyRequest, context: ShopContext, charge: { orderId: string; amountCents: number }, why: string): Promise<boolean> {
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

/** Refunds the charge of an order whose reservation was released during payment, then answers 409. */
async function answerReservationExpired(
  request: FastifyRequest,
  reply: FastifyReply,
  context: ShopContext,
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

function sendAsset(request: FastifyRequest, reply: FastifyReply, asset: StaticAsset): FastifyReply {
  reply.header('cache-control', asset.cacheControl).header('etag', asset.etag);
  if (request.headers['if-none-match'] === asset.etag) return reply.code(304).send();
  return reply.type(asset.contentType).send(asset.body);
}

function findProduct(catalog: Catalog, id: string, reply: FastifyReply): Product | undefined {
  if (!PRODUCT_ID_PATTERN.test(id)) {
    badRequest(reply, 'malformed-product-id', 'product ids look like sku-001');
    return undefined;
  }
  const product = catalog.find(id);
  if (!product) unknownProduct(reply, id);
  return product;
}

/** The user key, required: a cart belongs to someone. */
function requireUser(request: FastifyRequest, reply: FastifyReply): string | undefined {
  if (request.headers['x-user-id'] === undefined) {
    badRequest(reply, 'missing-user-id', 'send the x-user-id header to use a cart');
    return undefined;
  }
  return optionalUser(request, reply) ?? undefined;
}

const ANONYMOUS = 'anonymous';

/** The user key, or `anonymous` when absent; null (and a 400 sent) when malformed. */
function optionalUser(request: FastifyRequest, reply: FastifyReply): string | null {
  const header = request.headers['x-user-id'];
  if (header === undefined) return ANONYMOUS;
  if (typeof header !== 'string' || !USER_ID_PATTERN.test(header)) {
    badRequest(reply, 'invalid-user-id', 'x-user-id must be 1-128 characters of letters, digits and ._:@-');
    return null;
  }
  return header;
}

function badRequest(reply: FastifyReply, error: string, message: string): FastifyReply {
  return reply.code(400).header('cache-control', NO_STORE).send({ error, message });
}

function unknownProduct(reply: FastifyReply, productId: string): FastifyReply {
  return reply.code(404).header('cache-control', NO_STORE).send({ error: 'unknown-product', message: `no product ${productId}` });
}

function cartView(catalog: Catalog, userId: string, items: CartItem[]) {
  const lines = items.flatMap((item) => {
    const product = catalog.find(item.productId);
    if (!product) return [];
    return [{ productId: item.productId, name: product.name, priceCents: product.priceCents, quantity: item.quantity, lineTotalCents: product.priceCents * item.quantity }];
  });
  return { userId, items: lines, totalCents: lines.reduce((sum, line) => sum + line.lineTotalCents, 0) };
}
