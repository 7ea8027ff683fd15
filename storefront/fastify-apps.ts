/** The storefront's two Fastify instances, public and operator, built with the same limits and timeouts. */
import Fastify, { type FastifyInstance } from 'fastify';
import type { StorefrontOptions } from './storefront-options';

export function createFastifyApps(
  options: Pick<StorefrontOptions, 'logger' | 'logStream'>,
  bodyLimit: number,
): { app: FastifyInstance; operatorApp: FastifyInstance } {
  const fastifyOptions = {
    logger: options.logger ? { level: 'info', ...(options.logStream ? { stream: options.logStream } : {}) } : false,
    bodyLimit,
    // Slow clients cannot hold a connection: idle sockets close after 10 s, a whole request must arrive within 15 s.
    connectionTimeout: 10_000,
    requestTimeout: 15_000,
    // Longer than the ALB's 60 s idle timeout, so the ALB always closes first (no 502 on a reused socket).
    keepAliveTimeout: 65_000,
    routerOptions: { maxParamLength: 200 },
    return503OnClosing: true,
  };
  return { app: Fastify(fastifyOptions), operatorApp: Fastify(fastifyOptions) };
}
