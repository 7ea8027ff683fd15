/** The 400 and 404 answers the shop's routes share, always `no-store`. */
import type { FastifyReply } from 'fastify';
import { NO_STORE } from './http-caching';

export function badRequest(reply: FastifyReply, error: string, message: string): FastifyReply {
  return reply.code(400).header('cache-control', NO_STORE).send({ error, message });
}

export function unknownProduct(reply: FastifyReply, productId: string): FastifyReply {
  return reply
    .code(404)
    .header('cache-control', NO_STORE)
    .send({ error: 'unknown-product', message: `no product ${productId}` });
}
