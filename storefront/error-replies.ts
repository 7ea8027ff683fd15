/** How the storefront's Fastify instances (public and operator) answer errors and unknown routes. */
import type { FastifyError, FastifyInstance } from 'fastify';
import { FAILED_DEPENDENCY_HEADER } from '../contracts/request-headers';
import { sendAnswer, type HttpAnswer } from './http-answer';
import { NO_STORE } from './http-caching';
import { isInjectedFaultError, isInventoryUnavailableError } from './storefront-errors';

export function installErrorReplies(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    reply.header('cache-control', NO_STORE);
    if (isInventoryUnavailableError(error)) {
      return sendAnswer(reply, inventoryUnavailableAnswer(error.retryAfterMs));
    }
    if (isInjectedFaultError(error)) return reply.code(500).send({ error: 'injected-fault', message: error.message });
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500)
      return reply.code(status).send({ error: clientErrorName(error, status), message: error.message });
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send({ error: 'internal', message: 'internal error' });
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .header('cache-control', NO_STORE)
      .send({ error: 'not-found', message: `no route ${request.method} ${request.url.split('?')[0]}` }),
  );
}

/** 503 for a failing inventory store (Redis down or its breaker open), blaming inventory. */
export function inventoryUnavailableAnswer(retryAfterMs: number): HttpAnswer {
  return {
    status: 503,
    headers: {
      'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))),
      [FAILED_DEPENDENCY_HEADER]: 'inventory',
    },
    body: { error: 'inventory-unavailable', message: 'the inventory store is unavailable; try again shortly' },
  };
}

function clientErrorName(error: FastifyError, status: number): string {
  if (status === 413) return 'body-too-large';
  if (status === 415) return 'unsupported-media-type';
  if (error.code?.includes('JSON')) return 'malformed-json';
  if (error.code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH') return 'invalid-content-length';
  return 'bad-request';
}
