/**
 * Who is asking: the key a request's rate limits are counted under.
 *
 * The user key travels in the configured header or cookie. With `proof: none` it is trusted as
 * sent; with `jwt` it must be an HS256 token whose `sub` is the key; with `hmac` it must be
 * `<key>.<base64url HMAC-SHA256(secret, key)>`. Anything missing, malformed or unproven counts as
 * the client IP (from the hop our own proxies appended), so forging a header only ever puts a
 * client in its own IP's bucket.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Clock } from '../clock';
import { InvalidOptionsError } from '../errors';
import type { IdentityConfig } from '../../lib/config/schema';
import { clientIpFrom } from './forwarded-for';
import { verifyHs256Jwt } from './hs256-jwt';

export interface ClientIdentity {
  /** The rate-limit key: `u:<user key>` or `ip:<address>`. */
  key: string;
  kind: 'user' | 'ip';
  ip: string;
}

export type IdentityResolver = (headers: IncomingHttpHeaders, remoteAddress: string | undefined) => ClientIdentity;

/** Longer keys are refused (counted as IP) so a client cannot make us store megabytes per key. */
const MAX_KEY_LENGTH = 128;
/** Verified tokens are remembered so a client's every request does not pay for an HMAC. */
const VERIFIED_TOKEN_CACHE_SIZE = 10_000;

export function createIdentityResolver(identity: IdentityConfig, clock: Clock, env: NodeJS.ProcessEnv = process.env): IdentityResolver {
  const secret = identity.proof === 'none' ? undefined : secretFrom(identity, env);
  const readValue = identity.header !== undefined ? headerReader(identity.header) : cookieReader(identity.cookie as string);
  const prove = prover(identity.proof, secret, clock);
  return (headers, remoteAddress) => {
    const ip = clientIpFrom(headers['x-forwarded-for'], remoteAddress, identity.trustedProxyHops);
    const value = readValue(headers);
    const userKey = value === undefined ? undefined : prove(value);
    if (userKey !== undefined && userKey.length > 0 && userKey.length <= MAX_KEY_LENGTH) return { key: `u:${userKey}`, kind: 'user', ip };
    return { key: `ip:${ip}`, kind: 'ip', ip };
  };
}

function secretFrom(identity: IdentityConfig, env: NodeJS.ProcessEnv): Buffer {
  const value = env[identity.secretEnv];
  if (!value || value.length < 16) {
    throw new InvalidOptionsError(`identity.secretEnv (${identity.secretEnv})`, value ? '<set but short>' : undefined, `an environment variable holding a secret of at least 16 characters for proof '${identity.proof}'`);
  }
  return Buffer.from(value, 'utf8');
}

function headerReader(name: string): (headers: IncomingHttpHeaders) => string | undefined {
  return (headers) => {
    const raw = headers[name];
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value === undefined || value.length === 0) return undefined;
    // An Authorization header carries "Bearer <token>"; the token is what gets proven.
    return /^bearer\s+/i.test(value) ? value.replace(/^bearer\s+/i, '') : value;
  };
}

function cookieReader(name: string): (headers: IncomingHttpHeaders) => string | undefined {
  const prefix = `${name}=`;
  return (headers) => {
    const cookie = headers.cookie;
    if (!cookie) return undefined;
    for (const part of cookie.split(';')) {
      const trimmed = part.trim();
      if (trimmed.startsWith(prefix)) {
        const value = trimmed.slice(prefix.length);
        try {
          return decodeURIComponent(value);
        } catch {
          return undefined;
        }
      }
    }
    return undefined;
  };
}

function prover(proof: IdentityConfig['proof'], secret: Buffer | undefined, clock: Clock): (value: string) => string | undefined {
  if (proof === 'none') return (value) => value;
  const key = secret as Buffer;
  if (proof === 'hmac') {
    return (value) => {
      const dot = value.lastIndexOf('.');
      if (dot <= 0) return undefined;
      const userKey = value.slice(0, dot);
      const given = Buffer.from(value.slice(dot + 1), 'base64url');
      const expected = createHmac('sha256', key).update(userKey).digest();
      return given.length === expected.length && timingSafeEqual(given, expected) ? userKey : undefined;
    };
  }
  const verified = new Map<string, { sub: string; expiresAtMs: number }>();
  return (token) => {
    const now = clock.now();
    const cached = verified.get(token);
    if (cached && cached.expiresAtMs > now) return cached.sub;
    if (cached) verified.delete(token);
    const claims = verifyHs256Jwt(token, key, now);
    if (!claims) return undefined;
    if (verified.size >= VERIFIED_TOKEN_CACHE_SIZE) verified.delete(verified.keys().next().value as string);
    verified.set(token, claims);
    return claims.sub;
  };
}

/** Signs a user key for `proof: hmac` (the value the shop sets in the cookie or header). */
export function signHmacUserKey(userKey: string, secret: string): string {
  return `${userKey}.${createHmac('sha256', secret).update(userKey).digest('base64url')}`;
}
