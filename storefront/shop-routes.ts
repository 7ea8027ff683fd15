/**
 * The shop's public API: the page and its assets, products, cart (cart-routes.ts), checkout
 * (checkout/checkout-route.ts), the session
 * (session-route.ts), recommendations, the page and its assets. Carts belong to the identity the
 * gate established (`saleday-user`).
 */
import { APP_HEALTH_PATH } from '../contracts/app-health-path';
import { createHash } from 'node:crypto';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CircuitBreaker } from '../guard/breaker';
import type { Clock } from '../guard/clock';
import { PRODUCT_ID_PATTERN, type Catalog, type Product } from './catalog';
import type { CheckoutCounters } from './checkout/checkout-counters';
import { registerCheckoutRoute } from './checkout/checkout-route';
import { CheckoutService } from './checkout/checkout-service';
import { delay, type FaultInjector, type FaultTarget } from './fault-injector';
import { NO_STORE, PRODUCT_LIST_CACHE, RECOMMENDATIONS_CACHE } from './http-caching';
import type { PaymentProvider } from './payments';
import { recommend } from './recommendations';
import { registerCartRoutes } from './cart-routes';
import { readIdentity } from './request-identity';
import { badRequest, unknownProduct } from './route-replies';
import type { ShopStore } from './shop-store';
import type { StaticAssets, StaticAsset } from './static-assets';
import { InjectedFaultError, InventoryUnavailableError } from './storefront-errors';

export { NO_STORE, PRODUCT_LIST_CACHE, RECOMMENDATIONS_CACHE } from './http-caching';
export type { CheckoutCounters } from './checkout/checkout-counters';

/** Recommendations for a request without an identity are seeded with this. */
const ANONYMOUS = 'anonymous';

export interface ShopContext {
  catalog: Catalog;
  /** The store behind the inventory breaker. */
  store: ShopStore;
  inventoryBreaker: CircuitBreaker;
  payments: PaymentProvider;
  faults: FaultInjector;
  clock: Clock;
  /** Reads the gate's deadline and stamps reservations. */
  wallClock: Clock;
  assets: StaticAssets;
  recommendationsWork: number;
  counters: CheckoutCounters;
  /** The longest a checkout can take (checkoutWorstCaseMs), checked against the gate's deadline. */
  checkoutWorstCaseMs: number;
}

/** Waits or fails as an injected fault on the target says (rehearsals). */
type InjectFault = (target: FaultTarget) => Promise<void>;

export function registerShopRoutes(app: FastifyInstance, context: ShopContext): void {
  const { catalog, store, faults } = context;
  const injectFault: InjectFault = async (target) => {
    const decision = faults.decide(target);
    if (!decision) return;
    await delay(decision.latencyMs);
    if (decision.fail) throw new InjectedFaultError(target);
  };

  registerPageRoutes(app, context);
  registerProductRoutes(app, context, injectFault);
  registerCartRoutes(app, { catalog, store });
  const checkout = new CheckoutService({
    catalog,
    store,
    payments: context.payments,
    clock: context.clock,
    wallClock: context.wallClock,
    counters: context.counters,
    worstCaseMs: context.checkoutWorstCaseMs,
    injectFault: () => injectFault('checkout'),
  });
  registerCheckoutRoute(app, checkout);
  registerRecommendationsRoute(app, context, injectFault);
}

/** The health check, the page and its assets: none of them touches Redis. */
function registerPageRoutes(app: FastifyInstance, context: ShopContext): void {
  // Never depends on Redis: a task whose cache is down is still healthy, and replacing it would not help.
  app.get(APP_HEALTH_PATH, async (_request, reply) =>
    reply
      .header('cache-control', NO_STORE)
      .send({ status: 'ok', store: context.store.kind, inventory: context.inventoryBreaker.state() }),
  );

  app.get('/', async (request, reply) => sendAsset(request, reply, context.assets.page));

  app.get<{ Params: { file: string } }>('/assets/:file', async (request, reply) => {
    const asset = context.assets.find(request.params.file);
    if (!asset)
      return reply.code(404).header('cache-control', NO_STORE).send({ error: 'not-found', message: 'no such asset' });
    return sendAsset(request, reply, asset);
  });
}

function registerProductRoutes(app: FastifyInstance, context: ShopContext, injectFault: InjectFault): void {
  const { catalog, store } = context;
  const productList = JSON.stringify({ products: catalog.products, count: catalog.products.length });
  const productListEtag = `"${createHash('sha256').update(productList).digest('hex').slice(0, 16)}"`;

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
    const stock = await store.stockOf(product.id);
    // No stock record: the catalog is missing from the store (see checkout); never re-created here.
    if (stock === undefined) throw new InventoryUnavailableError(1000);
    return reply.header('cache-control', NO_STORE).send({ ...product, stock, available: stock > 0 });
  });
}

function registerRecommendationsRoute(app: FastifyInstance, context: ShopContext, injectFault: InjectFault): void {
  app.get<{ Querystring: { productId?: string } }>('/api/recommendations', async (request, reply) => {
    const identity = readIdentity(request);
    const userId = identity.kind === 'user' ? identity.user : ANONYMOUS;
    const basedOn = typeof request.query.productId === 'string' ? request.query.productId : undefined;
    if (basedOn !== undefined && !PRODUCT_ID_PATTERN.test(basedOn))
      return badRequest(reply, 'malformed-product-id', 'productId must look like sku-001');
    await injectFault('recommendations');
    // Low priority inside the process too: let already-queued I/O (checkouts) run before burning CPU.
    await yieldToEventLoop();
    const items = recommend(context.catalog, `${userId}:${basedOn ?? ''}`, context.recommendationsWork);
    return reply.header('cache-control', RECOMMENDATIONS_CACHE).send({ items, basedOn: basedOn ?? null });
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
