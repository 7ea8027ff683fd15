import { createIdentityResolver } from '../../../gate/proxy/client-identity';
import { signHs256Jwt, verifyHs256Jwt } from '../../../gate/proxy/hs256-jwt';
import { VerifiedTokenCache } from '../../../gate/proxy/verified-token-cache';
import { FakeClock } from '../../support/fake-clock';
import { testConfig } from './fixtures/test-config';

const SECRET = 'token-cache-test-secret-0123456789';
const FAR = Number.POSITIVE_INFINITY;

describe('VerifiedTokenCache', () => {
  it('holds at most maxEntries, dropping the oldest first', () => {
    const cache = new VerifiedTokenCache({ maxEntries: 3 });
    for (let i = 0; i < 5; i++) cache.set(`token-${i}`, `sub-${i}`, FAR);
    expect(cache.size).toBe(3);
    expect(cache.get('token-0', 0)).toBeUndefined();
    expect(cache.get('token-1', 0)).toBeUndefined();
    expect(cache.get('token-4', 0)).toBe('sub-4');
  });

  it('holds at most maxBytes of tokens and subs, whatever the number of entries', () => {
    const cache = new VerifiedTokenCache({ maxEntries: 10_000, maxBytes: 100_000 });
    for (let i = 0; i < 200; i++) cache.set(`${'t'.repeat(15_000)}-${i}`, `sub-${i}`, FAR);
    expect(cache.bytes).toBeLessThanOrEqual(100_000);
    expect(cache.size).toBe(6); // 100_000 / ~15_010 bytes each
    expect(cache.get(`${'t'.repeat(15_000)}-199`, 0)).toBe('sub-199');
  });

  it('never keeps an entry larger than the whole budget, and forgets expired ones', () => {
    const cache = new VerifiedTokenCache({ maxBytes: 1000 });
    cache.set('x'.repeat(2000), 'sub', FAR);
    expect(cache.size).toBe(0);
    cache.set('short', 'sub', 50);
    expect(cache.get('short', 10)).toBe('sub');
    expect(cache.get('short', 60)).toBeUndefined();
    expect(cache.bytes).toBe(0);
  });

  it('the gate’s resolver keeps its cache within the byte bound under large valid tokens', () => {
    const cache = new VerifiedTokenCache({ maxBytes: 200_000 });
    const identity = testConfig(
      (raw) => (raw.identity = { header: 'authorization', proof: 'jwt', trustedProxyHops: 0 }),
    ).identity;
    const resolve = createIdentityResolver(
      identity,
      new FakeClock(1_800_000_000_000),
      { SALEDAY_IDENTITY_SECRET: SECRET },
      cache,
    );
    for (let i = 0; i < 100; i++) {
      const token = signHs256Jwt({ sub: `bulky-${i}`, pad: 'p'.repeat(11_000) }, Buffer.from(SECRET));
      expect(resolve({ authorization: `Bearer ${token}` }, '127.0.0.1').key).toBe(`u:bulky-${i}`);
    }
    expect(cache.bytes).toBeLessThanOrEqual(200_000);
    expect(cache.size).toBeGreaterThan(0);
  });
});

describe('strict HS256 parsing', () => {
  const now = 1_800_000_000_000;
  const token = signHs256Jwt({ sub: 'strict' }, Buffer.from(SECRET));
  const [header, payload, signature] = token.split('.');

  it('accepts the canonical token', () => {
    expect(verifyHs256Jwt(token, Buffer.from(SECRET), now)?.sub).toBe('strict');
  });

  it.each([
    ['a padded signature', `${header}.${payload}.${signature}=`],
    ['a signature with a trailing ~', `${header}.${payload}.${signature}~`],
    ['a signature one character long', `${header}.${payload}.${signature}A`],
    [
      'a signature whose unused bits are set',
      `${header}.${payload}.${signature.slice(0, -1)}${String.fromCharCode(signature.charCodeAt(42) + 1)}`,
    ],
    ['a padded payload', `${header}.${payload}=.${signature}`],
  ])('refuses %s', (_name, variant) => {
    expect(verifyHs256Jwt(variant, Buffer.from(SECRET), now)).toBeUndefined();
  });
});
