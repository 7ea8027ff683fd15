/**
 * POST /api/checkout: read the request, ask the checkout service, answer its result. Each request
 * belongs to the identity the gate established (`saleday-user`); every answer is `no-store`.
 */
import type { FastifyInstance } from 'fastify';
import { NO_STORE } from '../http-caching';
import { sendAnswer } from '../http-answer';
import { checkoutAnswer } from './checkout-answers';
import { parseCheckoutRequest } from './checkout-request-parser';
import type { CheckoutService } from './checkout-service';

export function registerCheckoutRoute(app: FastifyInstance, service: CheckoutService): void {
  app.post('/api/checkout', async (request, reply) => {
    reply.header('cache-control', NO_STORE);
    const parsed = parseCheckoutRequest(request);
    const outcome = parsed.kind === 'checkout-request' ? await service.checkout(parsed.request, request.log) : parsed;
    return sendAnswer(reply, checkoutAnswer(outcome));
  });
}
