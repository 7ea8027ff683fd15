/** GET and POST /api/cart: one cart per identity the gate established (`saleday-user`), kept in the store. */
import type { FastifyInstance } from 'fastify';
import type { Catalog } from './catalog';
import { NO_STORE } from './http-caching';
import { requireIdentity } from './request-identity';
import { cartBodySchema, validate } from './request-schemas';
import { badRequest, unknownProduct } from './route-replies';
import type { CartItem, ShopStore } from './shop-store';

export function registerCartRoutes(app: FastifyInstance, context: { catalog: Catalog; store: ShopStore }): void {
  const { catalog, store } = context;
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
}

function cartView(catalog: Catalog, userId: string, items: CartItem[]) {
  const lines = items.flatMap((item) => {
    const product = catalog.find(item.productId);
    if (!product) return [];
    return [
      {
        productId: item.productId,
        name: product.name,
        priceCents: product.priceCents,
        quantity: item.quantity,
        lineTotalCents: product.priceCents * item.quantity,
      },
    ];
  });
  return { userId, items: lines, totalCents: lines.reduce((sum, line) => sum + line.lineTotalCents, 0) };
}
