/** HTTP helpers shared by the storefront's checkout tests: a JSON call, a checkout as a user, both stores. */
import type { RunningStorefront, StartStorefrontOptions } from '../../storefront/server';
import { testRedisUrl, uniquePrefix } from '../support/test-redis';

export interface Answer {
  status: number;
  /** The only header these tests read: the back-off a 503 or 409 asks for. */
  retryAfter: string | null;
  body: Record<string, unknown>;
}

export async function call(shop: RunningStorefront, path: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(shop.url + path, init);
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: (await response.json()) as Record<string, unknown> };
}

export function checkout(shop: RunningStorefront, userId: string, body: { productId: string; quantity: number }, idempotencyKey?: string): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-user-id': userId };
  if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey;
  return call(shop, '/api/checkout', { method: 'POST', headers, body: JSON.stringify(body) });
}

/** The embedded store and a real Redis (under its own key prefix), for `describe.each`. */
export function storeModes(prefix: string): [string, () => StartStorefrontOptions][] {
  return [
    ['memory store', () => ({})],
    ['redis store', () => ({ redisUrl: testRedisUrl(), keyPrefix: uniquePrefix(prefix) })],
  ];
}
