/**
 * The `proof: hmac` form both sides agree on: the shop (or the storefront's session route) signs a
 * user key, the gate verifies it. Imports nothing of the project.
 */
import { createHmac } from 'node:crypto';

/** Signs a user key for `proof: hmac` (the value the shop sets in the cookie or header). */
export function signHmacUserKey(userKey: string, secret: string): string {
  return `${userKey}.${createHmac('sha256', secret).update(userKey).digest('base64url')}`;
}
