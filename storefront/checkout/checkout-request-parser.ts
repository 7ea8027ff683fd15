/**
 * Reads a checkout out of an HTTP request: the identity the gate set, the Idempotency-Key, the
 * body and the gate's deadline. A request that cannot be read is a problem the route answers 4xx,
 * before the checkout service is asked anything.
 */
import type { FastifyRequest } from 'fastify';
import { SALEDAY_DEADLINE_HEADER } from '../../contracts/request-headers';
import { checkoutBodySchema, IDEMPOTENCY_KEY_PATTERN, validate } from '../request-schemas';
import { readIdentity } from '../request-identity';
import type { CheckoutRequest } from './checkout-result';

export type CheckoutRequestProblem =
  | { kind: 'identity-required' }
  | { kind: 'invalid-identity'; value: string }
  | { kind: 'invalid-idempotency-key' }
  | { kind: 'invalid-body'; message: string }
  | { kind: 'invalid-deadline'; value: string };

export type ParsedCheckoutRequest = { kind: 'checkout-request'; request: CheckoutRequest } | CheckoutRequestProblem;

export type DeadlineReading =
  { kind: 'none' } | { kind: 'deadline'; atMs: number } | { kind: 'invalid'; value: string };

export function parseCheckoutRequest(request: Pick<FastifyRequest, 'headers' | 'body'>): ParsedCheckoutRequest {
  const identity = readIdentity(request);
  if (identity.kind === 'missing') return { kind: 'identity-required' };
  if (identity.kind === 'invalid') return { kind: 'invalid-identity', value: identity.value };
  const idempotencyKey = request.headers['idempotency-key'];
  if (
    idempotencyKey !== undefined &&
    (typeof idempotencyKey !== 'string' || !IDEMPOTENCY_KEY_PATTERN.test(idempotencyKey))
  ) {
    return { kind: 'invalid-idempotency-key' };
  }
  const body = validate(checkoutBodySchema, request.body);
  if (!body.ok) return { kind: 'invalid-body', message: body.message };
  const deadline = readDeadline(request);
  if (deadline.kind === 'invalid') return { kind: 'invalid-deadline', value: deadline.value };
  const checkout: CheckoutRequest = {
    userId: identity.user,
    productId: body.value.productId,
    quantity: body.value.quantity,
  };
  if (idempotencyKey !== undefined) checkout.idempotencyKey = idempotencyKey;
  if (deadline.kind === 'deadline') checkout.deadlineAtMs = deadline.atMs;
  return { kind: 'checkout-request', request: checkout };
}

/** The gate's `saleday-deadline` (epoch milliseconds), when it sent one. */
export function readDeadline(request: Pick<FastifyRequest, 'headers'>): DeadlineReading {
  const raw = request.headers[SALEDAY_DEADLINE_HEADER];
  if (raw === undefined) return { kind: 'none' };
  const value = Array.isArray(raw) ? raw.join(',') : raw;
  if (!/^\d{1,16}$/.test(value)) return { kind: 'invalid', value };
  return { kind: 'deadline', atMs: Number(value) };
}
