/**
 * What the load test sends: by default GET /api/products/:id over the seeded catalog's ids, each
 * request from one of many distinct user keys (signed when the config asks for proof), so per-user
 * rate limits measure nothing and the test measures the task itself.
 */
import type { Dispatcher } from 'undici';
import { signHmacUserKey } from '../../contracts/hmac-user-key';
import { signHs256Jwt } from '../../gate/proxy/hs256-jwt';
import type { IdentityConfig } from '../../contracts/config/schema';
import type { LoadRequest } from './open-loop-generator';

export interface RequestMixOptions {
  /** Path template; `:id` is replaced by the ids in turn. @default /api/products/:id */
  readonly path?: string;
  readonly method?: Dispatcher.HttpMethod;
  /** Request body (JSON text); sent with content-type application/json. */
  readonly body?: string;
  /** Values for `:id`. @default sku-001 … sku-050 (the storefront's seeded catalog) */
  readonly ids?: readonly string[];
  /** Distinct user keys to rotate through. @default 10000 */
  readonly users?: number;
  /** Where the user key travels and how it is proven (the config's identity). @default proof none */
  readonly identity: Pick<IdentityConfig, 'header' | 'cookie'> & Partial<Pick<IdentityConfig, 'proof'>>;
  /** Signs the user keys when identity.proof is hmac or jwt (the gate's identity secret). */
  readonly identitySecret?: string;
}

export const DEFAULT_LOADTEST_PATH = '/api/products/:id';
export const DEFAULT_PRODUCT_IDS: readonly string[] = Array.from(
  { length: 50 },
  (_, i) => `sku-${String(i + 1).padStart(3, '0')}`,
);

export class RequestMixOptionsError extends Error {
  readonly code = 'SALEDAY_LOADTEST_INVALID_MIX';
  constructor(option: string, value: unknown, expected: string) {
    super(`${option}: got ${JSON.stringify(value)}; expected ${expected}`);
    this.name = 'RequestMixOptionsError';
  }
}

export function isRequestMixOptionsError(error: unknown): error is RequestMixOptionsError {
  return error instanceof RequestMixOptionsError;
}

export function requestMix(options: RequestMixOptions): (index: number) => LoadRequest {
  const path = options.path ?? DEFAULT_LOADTEST_PATH;
  if (!path.startsWith('/')) throw new RequestMixOptionsError('path', path, 'a path starting with /');
  const ids = options.ids ?? DEFAULT_PRODUCT_IDS;
  if (path.includes(':id') && ids.length === 0) throw new RequestMixOptionsError('ids', ids, 'at least one id for :id');
  const users = options.users ?? 10_000;
  if (!Number.isInteger(users) || users < 1)
    throw new RequestMixOptionsError('users', users, 'a whole number of user keys, 1 or more');
  if (options.body !== undefined) {
    try {
      JSON.parse(options.body);
    } catch {
      throw new RequestMixOptionsError('body', options.body, 'JSON text');
    }
  }
  const method = options.method ?? 'GET';
  const userKeyValue = userKeySigner(options.identity.proof ?? 'none', options.identitySecret);
  return (index) => {
    const userKey = userKeyValue(`loadtest-user-${index % users}`);
    const headers: Record<string, string> = {};
    if (options.identity.header) headers[options.identity.header] = userKey;
    else if (options.identity.cookie) headers.cookie = `${options.identity.cookie}=${userKey}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    return {
      path: path.replace(':id', encodeURIComponent(ids[index % ids.length] ?? '')),
      method,
      headers,
      body: options.body,
    };
  };
}

/** The value that carries a user key as the gate verifies it, signed once per key (at most `users` entries). */
function userKeySigner(proof: IdentityConfig['proof'], secret: string | undefined): (userKey: string) => string {
  if (proof === 'none') return (userKey) => userKey;
  if (!secret)
    throw new RequestMixOptionsError('identitySecret', secret, `the identity secret, since identity.proof is ${proof}`);
  const signed = new Map<string, string>();
  return (userKey) => {
    let value = signed.get(userKey);
    if (value === undefined) {
      value =
        proof === 'hmac'
          ? signHmacUserKey(userKey, secret)
          : signHs256Jwt({ sub: userKey }, Buffer.from(secret, 'utf8'));
      signed.set(userKey, value);
    }
    return value;
  };
}
