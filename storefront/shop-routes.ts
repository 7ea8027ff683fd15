/**
 * The shop's public API: products, cart, checkout (checkout/checkout-route.ts), the session
 * (session-route.ts), recommendations, the page and its assets. Carts belong to the identity the
 * gate established (`saleday-user`).
 */
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
import { readIdentity, requireIdentity } from './request-identity';
import { cartBodySchema, validate } from './request-schemas';
import type { CartItem, ShopStore } from './shop-store';
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
  assets: StaticAssets;
  recommendationsWork: number;
  counters: CheckoutCounters;
  /** The longest a checkout can take (checkoutWorstCaseMs), checked against the gate's deadline. */
  checkoutWorstCaseMs: number;
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
    const stock = await store.stockOf(product.id);
    // No stock record: the catalog is missing from the store (see checkout); never re-created here.
    if (stock === undefined) throw new InventoryUnavailableError(1000);
    return reply.header('cache-control', NO_STORE).send({ ...product, stock, available: stock > 0 });
  });

  app.get('/api/cart', async (request, reply) => {
    const userId = requireIdentity(request, reply);
    if (userId === undefined) return reply;
    return reply.header('cache-control', NO_STORE).send(cartView(catalog, userId, await store.cart(userId)));
  });

  app.post('/api/cart', async (request, reply) => {
    const userId = requireIdentity(request, reply);
    if (userId === undefined) return reply;
    const body = validate(cartBodySchema, request.body);
    if (!body.ok) return badRequest(reply, 'invalid-body', body.message);
    if (!catalog.find(body.value.productId)) return unknownProduct(reply, body.value.productId);
    const items = await store.addToCart(userId, body.value.productId, body.value.quantity);
    return reply.header('cache-control', NO_STORE).send(cartView(catalog, userId, items));
  });

  const checkout = new CheckoutService({
    catalog,
    store,
    payments: context.payments,
    clock: context.clock,
    counters: context.counters,
    worstCaseMs: context.checkoutWorstCaseMs,
    injectFault: () => injectFault('checkout'),
  });
  registerCheckoutRoute(app, checkout);

  app.get<{ Querystring: { productId?: string } }>('/api/recommendations', async (request, reply) => {
    const identity = readIdentity(request);
    const userId = identity.kind === 'user' ? identity.user : ANONYMOUS;
    const basedOn = typeof request.query.productId === 'string' ? request.query.productId : undefined;
    if (basedOn !== undefined && !PRODUCT_ID_PATTERN.test(basedOn)) return badRequest(reply, 'malformed-product-id', 'productId must look like sku-001');
    await injectFault('recommendations');
    // Low priority inside the process too: let already-queued I/O (checkouts) run before burning CPU.
    await yieldToEventLoop();
    const items = recommend(catalog, `${userId}:${basedOn ?? ''}`, context.recommendationsWork);
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
