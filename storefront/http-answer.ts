/** An HTTP answer as a plain value, so mapping an outcome to HTTP is a pure, table-testable function. */
import type { FastifyReply } from 'fastify';

export interface HttpAnswer {
  status: number;
  /** Extra headers (Retry-After, saleday-failed-dependency, …), lower-case names. */
  headers: Record<string, string>;
  body: unknown;
}

export function sendAnswer(reply: FastifyReply, answer: HttpAnswer): FastifyReply {
  return reply.code(answer.status).headers(answer.headers).send(answer.body);
}
