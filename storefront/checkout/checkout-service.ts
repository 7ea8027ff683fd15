/**
 * Checkout as a service: reserve the stock atomically, charge, confirm, and settle whatever is
 * uncertain before answering, so money and stock are never guessed. It returns a CheckoutResult
 * for every outcome and knows nothing of HTTP; checkout-route.ts maps results to answers.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Clock } from '../../guard/clock';
import type { Catalog, Product } from '../catalog';
import { delay } from '../fault-injector';
import type { PaymentProvider } from '../payments';
import type { CheckoutReceipt, ReserveRequest, ReserveResult, ShopStore } from '../shop-store';
import { isInventoryUnavailableError, isPaymentFailedError, isPaymentTimeoutError } from '../storefront-errors';
import { countCheckoutResult, type CheckoutCounters } from './checkout-counters';
import type { CheckoutLog, CheckoutRequest, CheckoutResult } from './checkout-result';
import {
  confirmWithRetries,
  orderNotRecorded,
  reservationExpired,
  settleFailedReserve,
  settleUnconfirmed,
  type PaidCharge,
  type SettlementContext,
} from './checkout-settlement';

/** One "catalog missing" log line per this long, however many checkouts find it missing. */
const CATALOG_MISSING_LOG_INTERVAL_MS = 10_000;

export interface CheckoutServiceOptions {
  catalog: Catalog;
  /** The store behind the inventory breaker. */
  store: ShopStore;
  payments: PaymentProvider;
  /** Per-process outcomes, reported by /_stats. */
  counters: CheckoutCounters;
  /** Spaces the "catalog missing" log lines. */
  clock: Clock;
  /** The gate's deadline and the reservation stamp other tasks' reapers compare are wall times. */
  wallClock: Clock;
  /** The longest a checkout can take (checkoutWorstCaseMs): a sooner deadline is refused before reserving. */
  worstCaseMs: number;
  /** Waits or fails as an injected `checkout` fault says. @default no fault */
  injectFault?: () => Promise<void>;
  /** Waits between confirm attempts. @default a real timer */
  sleep?: (ms: number) => Promise<void>;
}

/** Where a reserved order stands before its charge: the receipt it earns and what it costs. */
interface Reserved {
  receipt: CheckoutReceipt;
  amountCents: number;
  idempotencyKey: string | undefined;
}

const silentLog: CheckoutLog = { warn: () => undefined, error: () => undefined };

export class CheckoutService {
  private readonly settlement: SettlementContext;
  private readonly injectFault: () => Promise<void>;
  private catalogMissingLoggedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: CheckoutServiceOptions) {
    const { store, payments, counters } = options;
    this.settlement = { store, payments, counters, sleep: options.sleep ?? delay };
    this.injectFault = options.injectFault ?? (() => Promise.resolve());
  }

  /**
   * Every outcome is a result; it throws only for what is no outcome of a checkout: an injected
   * fault, or an error the store or the provider is not documented to throw (a bug).
   */
  async checkout(request: CheckoutRequest, log: CheckoutLog = silentLog): Promise<CheckoutResult> {
    const result = await this.run(request, log);
    countCheckoutResult(this.options.counters, result);
    if (result.kind === 'catalog-missing') this.logCatalogMissing(result.productId, log);
    return result;
  }

  private async run(request: CheckoutRequest, log: CheckoutLog): Promise<CheckoutResult> {
    const product = this.options.catalog.find(request.productId);
    if (!product) return { kind: 'unknown-product', productId: request.productId };
    await this.injectFault();
    const refusal = this.refuseForDeadline(request.deadlineAtMs, log);
    if (refusal) return refusal;

    const reserveRequest = this.reserveRequest(request);
    let outcome: ReserveResult;
    try {
      outcome = await this.options.store.reserve(reserveRequest);
    } catch (error) {
      if (!isInventoryUnavailableError(error)) throw error;
      // A cause means the store was called (not refused by the open breaker): the reserve may have landed.
      if (error.cause !== undefined)
        await settleFailedReserve(this.settlement, reserveRequest, reserveRequest.idempotencyKey, log);
      return { kind: 'inventory-unavailable', retryAfterMs: error.retryAfterMs, failedDependency: 'inventory' };
    }
    if (outcome.kind !== 'reserved') return withoutReservation(outcome, request.productId);
    return this.chargeAndConfirm(reserved(product, request, outcome, reserveRequest.idempotencyKey), log);
  }

  /** deadline-too-short when the caller gives up sooner than a checkout can take at worst; nothing is held yet. */
  private refuseForDeadline(deadlineAtMs: number | undefined, log: CheckoutLog): CheckoutResult | undefined {
    if (deadlineAtMs === undefined) return undefined;
    const { worstCaseMs } = this.options;
    const remainingMs = deadlineAtMs - this.options.wallClock.now();
    if (remainingMs >= worstCaseMs) return undefined;
    log.warn(
      { remainingMs, worstCaseMs },
      'checkout refused before reserving: the gate gives up sooner than a checkout can take',
    );
    return { kind: 'deadline-too-short', remainingMs: Math.max(0, remainingMs), worstCaseMs };
  }

  private reserveRequest(request: CheckoutRequest): ReserveRequest {
    const { userId, productId, quantity } = request;
    return {
      orderId: `ord_${randomUUID()}`,
      productId,
      quantity,
      userId,
      // Scoped to the identity: one client's key can never replay another client's order.
      // `|` cannot appear in an identity, so no (identity, key) pair can collide with another.
      idempotencyKey: request.idempotencyKey === undefined ? undefined : `${userId}|${request.idempotencyKey}`,
      fingerprint: createHash('sha256').update(`${productId}\n${quantity}`).digest('hex').slice(0, 32),
      now: this.options.wallClock.now(),
    };
  }

  /** Charges a reserved order and confirms it; a failed charge releases the reservation and blames payments. */
  private async chargeAndConfirm(order: Reserved, log: CheckoutLog): Promise<CheckoutResult> {
    const { receipt, idempotencyKey } = order;
    const ref = { orderId: receipt.orderId, productId: receipt.productId };
    const charge: PaidCharge = { orderId: receipt.orderId, amountCents: order.amountCents };
    try {
      await this.options.payments.charge(charge);
    } catch (error) {
      const released = await this.options.store.release(ref, idempotencyKey).catch((releaseError: unknown) => {
        // The units stay reserved under a cancelled payment until the reservation reaper releases them (after its TTL).
        log.error({ err: releaseError, orderId: ref.orderId }, 'could not release the reservation of a failed payment');
        return false;
      });
      if (isPaymentFailedError(error)) return { kind: 'payment-failed', released, failedDependency: 'payments' };
      if (isPaymentTimeoutError(error)) return { kind: 'payment-timed-out', released, failedDependency: 'payments' };
      throw error;
    }

    const confirmation = await confirmWithRetries(this.settlement, receipt, idempotencyKey, log);
    if (confirmation === undefined) {
      // Never `created` for an order the store did not record, and never a refund for one it did:
      // which of the two happened is settled in the store before answering.
      const settled = await settleUnconfirmed(this.options.store, ref, idempotencyKey, log);
      switch (settled) {
        case 'paid':
          this.options.counters.confirmRecovered += 1;
          return { kind: 'created', receipt };
        case 'cancelled':
        case 'missing':
          return reservationExpired(this.settlement, { ...charge, reservation: settled }, log);
        case 'released':
        case 'unknown':
          return orderNotRecorded(this.settlement, charge, log);
      }
    }
    if (confirmation.kind === 'not-reserved') {
      // The checkout stalled past the TTL and the reaper gave the units back (maybe already sold
      // again): this order must not stand, so the charge goes back and the client may retry.
      return reservationExpired(this.settlement, { ...charge, reservation: confirmation.status }, log);
    }
    return { kind: 'created', receipt };
  }

  /** One "catalog missing" line per interval, however many checkouts find it missing meanwhile. */
  private logCatalogMissing(productId: string, log: CheckoutLog): void {
    const now = this.options.clock.now();
    if (now - this.catalogMissingLoggedAt < CATALOG_MISSING_LOG_INTERVAL_MS) return;
    this.catalogMissingLoggedAt = now;
    log.error(
      { productId, catalogMissing: this.options.counters.catalogMissing },
      'checkout refused: the catalog is missing from the inventory store (Redis restarted empty or lost writes); restore it or run `saleday storefront seed`',
    );
  }
}

/** Every reserve outcome that holds no stock for this request. */
function withoutReservation(outcome: Exclude<ReserveResult, { kind: 'reserved' }>, productId: string): CheckoutResult {
  switch (outcome.kind) {
    case 'not-stocked':
      return { kind: 'catalog-missing', productId, failedDependency: 'inventory' };
    case 'sold-out':
      return { kind: 'sold-out', productId, remainingStock: outcome.remainingStock };
    case 'key-reused':
      return { kind: 'idempotency-key-reused', orderId: outcome.orderId };
    case 'in-progress':
      return { kind: 'checkout-in-progress', orderId: outcome.orderId };
    case 'replay':
      return { kind: 'replayed', receipt: outcome.receipt };
  }
}

function reserved(
  product: Product,
  request: CheckoutRequest,
  outcome: Extract<ReserveResult, { kind: 'reserved' }>,
  idempotencyKey: string | undefined,
): Reserved {
  const { productId, quantity } = request;
  const receipt: CheckoutReceipt = {
    orderId: outcome.order.orderId,
    productId,
    quantity,
    remainingStock: outcome.remainingStock,
    status: 'paid',
  };
  return { receipt, amountCents: product.priceCents * quantity, idempotencyKey };
}
