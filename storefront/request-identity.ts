/**
 * Who is asking, as the gate established it: the storefront reads the identity only from the
 * `saleday-user` header the gate sets (`u:<proven key>` or `ip:<address>`), never from a header or
 * cookie the client chose. Carts, orders and idempotency records are keyed by that whole value.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  ANONYMOUS_USER_PREFIX,
  PROVEN_USER_PREFIX,
  SALEDAY_USER_HEADER,
  USER_KEY_PATTERN,
} from '../contracts/request-headers';
import { NO_STORE } from './http-caching';
import { sendAnswer, type HttpAnswer } from './http-answer';

export type IdentityReading = { kind: 'user'; user: string } | { kind: 'missing' } | { kind: 'invalid'; value: string };

/** The identity in `saleday-user`: valid (prefix `u:` or `ip:` and a key matching USER_KEY_PATTERN), missing or invalid. */
export function readIdentity(request: Pick<FastifyRequest, 'headers'>): IdentityReading {
  const raw = request.headers[SALEDAY_USER_HEADER];
  if (raw === undefined) return { kind: 'missing' };
  const value = Array.isArray(raw) ? raw.join(',') : raw;
  for (const prefix of [PROVEN_USER_PREFIX, ANONYMOUS_USER_PREFIX]) {
    if (value.startsWith(prefix) && USER_KEY_PATTERN.test(value.slice(prefix.length)))
      return { kind: 'user', user: value };
  }
  return { kind: 'invalid', value };
}

/** What a request without a valid identity is told: 401 `identity-required` (missing) or 400 `invalid-identity` (malformed). */
export function identityProblemAnswer(identity: Exclude<IdentityReading, { kind: 'user' }>): HttpAnswer {
  if (identity.kind === 'missing') {
    return {
      status: 401,
      headers: {},
      body: { error: 'identity-required', message: `the gate sets ${SALEDAY_USER_HEADER}; call through the gate` },
    };
  }
  return {
    status: 400,
    headers: {},
    body: {
      error: 'invalid-identity',
      message: `${SALEDAY_USER_HEADER} was ${JSON.stringify(identity.value.slice(0, 200))}; expected ${PROVEN_USER_PREFIX}<key> or ${ANONYMOUS_USER_PREFIX}<address> with 1-128 characters of letters, digits and ._:@-`,
    },
  };
}

/**
 * The identity, required: without one a cart or an order would belong to nobody (or to everybody),
 * so the identity problem is answered (identityProblemAnswer) and undefined returned.
 */
export function requireIdentity(request: FastifyRequest, reply: FastifyReply): string | undefined {
  const identity = readIdentity(request);
  if (identity.kind === 'user') return identity.user;
  sendAnswer(reply.header('cache-control', NO_STORE), identityProblemAnswer(identity));
  return undefined;
}
