/**
 * HS256 JSON Web Token verification (RFC 7519 / RFC 7515) with node:crypto.
 *
 * Why not jose: jose 6 ships as ES modules only, and the test runner (jest 30 on Node 20) cannot
 * load it in-process; HS256 is small enough to verify directly. It is deliberately strict: only
 * `alg: HS256` (never `none`, never an algorithm named by the attacker), a constant-time signature
 * comparison, `exp`/`nbf` checked against the injected clock, a string `sub`, and every segment
 * in canonical base64url (no padding, no stray characters, no unused bits set), so one token has
 * exactly one accepted spelling.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface VerifiedJwt {
  sub: string;
  /** Expiry in ms since the epoch, or +Infinity without `exp`. */
  expiresAtMs: number;
}

/** Returns the verified claims, or undefined for anything that is not a valid, current HS256 token. */
export function verifyHs256Jwt(
  token: string,
  secret: Buffer,
  nowMs: number,
  clockToleranceSeconds = 5,
): VerifiedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [encodedHeader, encodedPayload, encodedSignature] = parts;
  if (!isCanonicalSha256Signature(encodedSignature)) return undefined;
  const header = decodeJson(encodedHeader);
  if (!header || header.alg !== 'HS256' || header.crit !== undefined) return undefined;
  const expected = createHmac('sha256', secret).update(`${encodedHeader}.${encodedPayload}`).digest();
  const given = Buffer.from(encodedSignature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  const payload = decodeJson(encodedPayload);
  if (!payload || typeof payload.sub !== 'string' || payload.sub.length === 0) return undefined;
  const nowSeconds = nowMs / 1000;
  if (
    payload.exp !== undefined &&
    (typeof payload.exp !== 'number' || payload.exp + clockToleranceSeconds <= nowSeconds)
  )
    return undefined;
  if (
    payload.nbf !== undefined &&
    (typeof payload.nbf !== 'number' || payload.nbf - clockToleranceSeconds > nowSeconds)
  )
    return undefined;
  return {
    sub: payload.sub,
    expiresAtMs: typeof payload.exp === 'number' ? payload.exp * 1000 : Number.POSITIVE_INFINITY,
  };
}

/** Signs an HS256 token; used by tests and by operators minting test identities. */
export function signHs256Jwt(claims: Record<string, unknown>, secret: Buffer): string {
  const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

/** 32 bytes of HMAC-SHA256 in base64url: 43 characters, no padding, the last one's two unused bits zero. */
const SHA256_SIGNATURE = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

/** Whether `signature` is exactly how base64url spells some HMAC-SHA256 (there is one spelling per value). */
export function isCanonicalSha256Signature(signature: string): boolean {
  return SHA256_SIGNATURE.test(signature);
}

function decodeJson(segment: string): Record<string, unknown> | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(segment)) return undefined;
  const bytes = Buffer.from(segment, 'base64url');
  // Node's decoder ignores stray bits and a dangling character; only the canonical spelling counts.
  if (bytes.toString('base64url') !== segment) return undefined;
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
