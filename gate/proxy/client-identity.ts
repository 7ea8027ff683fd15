/**
 * Who is asking: the key a request's rate limits are counted under.
 *
 * The user key travels in the configured header or cookie. With `proof: none` it is trusted as
 * sent; with `jwt` it must be an HS256 token whose `sub` is the key; with `hmac` it must be
 * `<key>.<base64url HMAC-SHA256(secret, key)>`. Anything missing, malformed or unproven counts as
 * the client IP (from the hop our own proxies appended), so forging a header only ever puts a
 * client in its own IP's bucket. Every key matches USER_KEY_PATTERN: it is also what the app
 * receives in `saleday-user` (identity-headers.ts). Signatures must be canonical base64url: one
 * token or cookie has one accepted spelling, so padded or suffixed variants cannot be told apart
 * from the original by the app or fill the verified-token cache.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Clock } from '../../guard/clock';
import { InvalidOptionsError } from '../../guard/errors';
import type { IdentityConfig } from '../../contracts/config/schema';
import { ANONYMOUS_USER_PREFIX, PROVEN_USER_PREFIX, USER_KEY_PATTERN } from '../../contracts/request-headers';
import { clientIpFrom } from './forwarded-for';
import { isCanonicalSha256Signature, verifyHs256Jwt } from './hs256-jwt';
import { VerifiedTokenCache, type VerifiedTokenCacheLimits } from './verified-token-cache';

export interface ClientIdentity {
  /** The rate-limit key and the app's `saleday-user`: `u:<user key>` (proven) or `ip:<address>`. */
  key: string;
  kind: 'user' | 'ip';
  ip: string;
}

export type IdentityResolver = (headers: IncomingHttpHeaders, remoteAddress: string | undefined) => ClientIdentity;

/** `wallClock` checks a token's `exp` and `nbf`, which its issuer signed in wall time. */
export function createIdentityResolver(
  identity: IdentityConfig,
  wallClock: Clock,
  env: NodeJS.ProcessEnv = process.env,
  tokenCache?: VerifiedTokenCacheLimits | VerifiedTokenCache,
): IdentityResolver {
  const secret = identity.proof === 'none' ? undefined : secretFrom(identity, env);
  const readValue =
    identity.header !== undefined ? headerReader(identity.header) : cookieReader(identity.cookie as string);
  const cache = tokenCache instanceof VerifiedTokenCache ? tokenCache : new VerifiedTokenCache(tokenCache);
  const prove = prover(identity.proof, secret, wallClock, cache);
  return (headers, remoteAddress) => {
    const ip = clientIpFrom(headers['x-forwarded-for'], remoteAddress, identity.trustedProxyHops);
    const value = readValue(headers);
    const userKey = value === undefined ? undefined : prove(value);
    // Longer or odd keys count as the IP: the app stores them unescaped, and we keep them per client.
    if (userKey !== undefined && USER_KEY_PATTERN.test(userKey))
      return { key: PROVEN_USER_PREFIX + userKey, kind: 'user', ip };
    return { key: ANONYMOUS_USER_PREFIX + ip, kind: 'ip', ip };
  };
}

function secretFrom(identity: IdentityConfig, env: NodeJS.ProcessEnv): Buffer {
  const value = env[identity.secretEnv];
  if (!value || value.length < 16) {
    throw new InvalidOptionsError(
      `identity.secretEnv (${identity.secretEnv})`,
      value ? '<set but short>' : undefined,
      `an environment variable holding a secret of at least 16 characters for proof '${identity.proof}'`,
    );
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

function prover(
  proof: IdentityConfig['proof'],
  secret: Buffer | undefined,
  wallClock: Clock,
  cache: VerifiedTokenCache,
): (value: string) => string | undefined {
  if (proof === 'none') return (value) => value;
  const key = secret as Buffer;
  if (proof === 'hmac') {
    return (value) => {
      const dot = value.lastIndexOf('.');
      if (dot <= 0) return undefined;
      const userKey = value.slice(0, dot);
      const signature = value.slice(dot + 1);
      if (!USER_KEY_PATTERN.test(userKey) || !isCanonicalSha256Signature(signature)) return undefined;
      const given = Buffer.from(signature, 'base64url');
      const expected = createHmac('sha256', key).update(userKey).digest();
      return given.length === expected.length && timingSafeEqual(given, expected) ? userKey : undefined;
    };
  }
  return (token) => {
    const now = wallClock.now();
    const cached = cache.get(token, now);
    if (cached !== undefined) return cached;
    const claims = verifyHs256Jwt(token, key, now);
    // A token whose sub cannot be a key is not worth remembering: it will never prove anyone.
    if (!claims || !USER_KEY_PATTERN.test(claims.sub)) return undefined;
    cache.set(token, claims.sub, claims.expiresAtMs);
    return claims.sub;
  };
}
