/** HTTP helpers shared by the storefront's checkout tests: a JSON call, a checkout as an identity, both stores. */
import type { RunningStorefront, StartStorefrontOptions } from '../../storefront/server';
import { testRedisUrl, uniquePrefix } from '../support/test-redis';

export interface Answer {
  status: number;
  /** The back-off a 503 or 409 asks for. */
  retryAfter: string | null;
  /** The dependency a 5xx blames (saleday-failed-dependency). */
  failedDependency: string | null;
  body: Record<string, unknown>;
}

export async function call(shop: RunningStorefront, path: string, init: RequestInit = {}): Promise<Answer> {
  return answerOf(await fetch(shop.url + path, init));
}

/** A call to the operator listener (/_stats, /_faults, /_stock/reset): the storefront must run with an operatorPort. */
export async function operatorCall(shop: RunningStorefront, path: string, init: RequestInit = {}): Promise<Answer> {
  if (!shop.operatorUrl) throw new Error('this storefront was started without operatorPort');
  return answerOf(await fetch(shop.operatorUrl + path, init));
}

async function answerOf(response: Response): Promise<Answer> {
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    failedDependency: response.headers.get('saleday-failed-dependency'),
    body: (await response.json()) as Record<string, unknown>,
  };
}

/** The `saleday-user` value the gate would set: `u:<name>` unless the name already carries a prefix (`u:` or `ip:`). */
export function identityOf(user: string): string {
  return user.startsWith('u:') || user.startsWith('ip:') ? user : `u:${user}`;
}

export function checkout(
  shop: RunningStorefront,
  user: string,
  body: { productId: string; quantity: number },
  idempotencyKey?: string,
  extraHeaders: Record<string, string> = {},
): Promise<Answer> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'saleday-user': identityOf(user),
    ...extraHeaders,
  };
  if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey;
  return call(shop, '/api/checkout', { method: 'POST', headers, body: JSON.stringify(body) });
}

/** The embedded store and a real Redis (under its own key prefix, seeded on start), both with an operator listener, for `describe.each`. */
export function storeModes(prefix: string): [string, () => StartStorefrontOptions][] {
  return [
    ['memory store', () => ({ operatorPort: 0 })],
    [
      'redis store',
      () => ({ operatorPort: 0, redisUrl: testRedisUrl(), keyPrefix: uniquePrefix(prefix), seedIfEmpty: true }),
    ],
  ];
}
