import { execFileSync } from 'node:child_process';
import { InvalidOptionsError } from '../../../guard/errors';
import { createIdentityResolver } from '../../../gate/proxy/client-identity';
import { signHmacUserKey } from '../../../contracts/hmac-user-key';
import { clientIpFrom } from '../../../gate/proxy/forwarded-for';
import { signHs256Jwt, verifyHs256Jwt } from '../../../gate/proxy/hs256-jwt';
import { FakeClock } from '../../support/fake-clock';
import { testConfig } from './fixtures/test-config';

const SECRET = 'a-test-secret-of-enough-length';
const env = { SALEDAY_IDENTITY_SECRET: SECRET };

describe('clientIpFrom: only the hop our own proxies appended', () => {
  it.each([
    // [X-Forwarded-For, socket, trusted hops, expected]
    ['203.0.113.7, 10.0.0.5', '10.0.1.9', 2, '203.0.113.7'],
    ['6.6.6.6, 203.0.113.7, 10.0.0.5', '10.0.1.9', 2, '203.0.113.7'], // spoofed entry on the left is ignored
    ['1.1.1.1, 2.2.2.2, 3.3.3.3, 203.0.113.7, 10.0.0.5', '10.0.1.9', 2, '203.0.113.7'],
    ['203.0.113.7', '10.0.1.9', 1, '203.0.113.7'],
    ['6.6.6.6, 203.0.113.7', '10.0.1.9', 1, '203.0.113.7'],
    ['6.6.6.6', '10.0.1.9', 2, '10.0.1.9'], // fewer hops than our proxies add: not from them, use the socket
    [undefined, '10.0.1.9', 2, '10.0.1.9'],
    ['6.6.6.6, 7.7.7.7', '::ffff:127.0.0.1', 0, '127.0.0.1'], // no trusted proxies: the header is ignored
    ['not-an-ip, 10.0.0.5', '10.0.1.9', 2, '10.0.1.9'],
    ['[2001:db8::1], 10.0.0.5', '10.0.1.9', 2, '2001:db8::1'],
    ['198.51.100.2:5555, 10.0.0.5', '10.0.1.9', 2, '198.51.100.2'],
  ])('XFF %p from %s with %i hops → %s', (xff, socket, hops, expected) => {
    expect(clientIpFrom(xff, socket, hops)).toBe(expected);
  });

  it('treats repeated X-Forwarded-For headers as one list', () => {
    expect(clientIpFrom(['6.6.6.6', '203.0.113.7, 10.0.0.5'], '10.0.1.9', 2)).toBe('203.0.113.7');
  });
});

describe('createIdentityResolver', () => {
  const clock = new FakeClock(1_800_000_000_000);
  const identityWith = (identity: Record<string, unknown>) =>
    testConfig((raw) => (raw.identity = { trustedProxyHops: 1, ...identity })).identity;

  it('proof none: the header is the key; without it, the client IP', () => {
    const resolve = createIdentityResolver(identityWith({ header: 'x-user-id' }), clock, {});
    expect(resolve({ 'x-user-id': 'alice', 'x-forwarded-for': '203.0.113.7' }, '10.0.0.1')).toEqual({
      key: 'u:alice',
      kind: 'user',
      ip: '203.0.113.7',
    });
    expect(resolve({ 'x-forwarded-for': '6.6.6.6, 203.0.113.7' }, '10.0.0.1')).toEqual({
      key: 'ip:203.0.113.7',
      kind: 'ip',
      ip: '203.0.113.7',
    });
    expect(resolve({ 'x-user-id': 'x'.repeat(500) }, '10.0.0.1').kind).toBe('ip');
  });

  it('reads the key from a cookie', () => {
    const resolve = createIdentityResolver(identityWith({ cookie: 'sid' }), clock, {});
    expect(resolve({ cookie: 'theme=dark; sid=bob%40shop; other=1' }, '10.0.0.1').key).toBe('u:bob@shop');
    expect(resolve({ cookie: 'theme=dark' }, '10.0.0.1').key).toBe('ip:10.0.0.1');
  });

  it('proof hmac: a signed key is the user; a forged or tampered one counts as its IP', () => {
    const resolve = createIdentityResolver(identityWith({ cookie: 'uid', proof: 'hmac' }), clock, env);
    const signed = signHmacUserKey('carol', SECRET);
    expect(resolve({ cookie: `uid=${signed}` }, '10.0.0.1').key).toBe('u:carol');
    expect(resolve({ cookie: `uid=${signHmacUserKey('carol', 'some-other-secret-value')}` }, '10.0.0.1').key).toBe(
      'ip:10.0.0.1',
    );
    expect(resolve({ cookie: `uid=${signed.replace('carol', 'carl')}` }, '10.0.0.1').key).toBe('ip:10.0.0.1');
    expect(resolve({ cookie: 'uid=carol' }, '10.0.0.1').key).toBe('ip:10.0.0.1');
    expect(resolve({ cookie: 'uid=carol.' }, '10.0.0.1').key).toBe('ip:10.0.0.1');
  });

  it('proof jwt: the sub of a valid HS256 token; expired, unsigned, wrong-key or alg-none tokens count as IP', () => {
    const resolve = createIdentityResolver(identityWith({ header: 'authorization', proof: 'jwt' }), clock, env);
    const nowSeconds = clock.now() / 1000;
    const valid = signHs256Jwt({ sub: 'dave', exp: nowSeconds + 60 }, Buffer.from(SECRET));
    expect(resolve({ authorization: `Bearer ${valid}` }, '10.0.0.1').key).toBe('u:dave');
    const expired = signHs256Jwt({ sub: 'dave', exp: nowSeconds - 60 }, Buffer.from(SECRET));
    expect(resolve({ authorization: `Bearer ${expired}` }, '10.0.0.1').key).toBe('ip:10.0.0.1');
    const wrongKey = signHs256Jwt({ sub: 'dave' }, Buffer.from('another-secret-entirely'));
    expect(resolve({ authorization: wrongKey }, '10.0.0.1').key).toBe('ip:10.0.0.1');
    const [, payload] = valid.split('.');
    const algNone = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${payload}.`;
    expect(resolve({ authorization: algNone }, '10.0.0.1').key).toBe('ip:10.0.0.1');
    const forgedSub = `${valid.split('.')[0]}.${Buffer.from(JSON.stringify({ sub: 'eve', exp: nowSeconds + 60 })).toString('base64url')}.${valid.split('.')[2]}`;
    expect(resolve({ authorization: forgedSub }, '10.0.0.1').key).toBe('ip:10.0.0.1');
  });

  it('a cached token stops counting once it expires', () => {
    const local = new FakeClock(1_800_000_000_000);
    const resolve = createIdentityResolver(identityWith({ header: 'authorization', proof: 'jwt' }), local, env);
    const token = signHs256Jwt({ sub: 'erin', exp: local.now() / 1000 + 10 }, Buffer.from(SECRET));
    expect(resolve({ authorization: token }, '10.0.0.1').key).toBe('u:erin');
    local.advance(20_000);
    expect(resolve({ authorization: token }, '10.0.0.1').key).toBe('ip:10.0.0.1');
  });

  it('refuses to start a proven mode without its secret', () => {
    expect(() => createIdentityResolver(identityWith({ header: 'x-user-id', proof: 'hmac' }), clock, {})).toThrow(
      InvalidOptionsError,
    );
    expect(() =>
      createIdentityResolver(identityWith({ header: 'x-user-id', proof: 'jwt' }), clock, {
        SALEDAY_IDENTITY_SECRET: 'short',
      }),
    ).toThrow(/SALEDAY_IDENTITY_SECRET/);
  });

  it('accepts tokens signed by jose (checked in a child process, where jose loads as ESM)', () => {
    const script = `import { SignJWT } from 'jose'; const t = await new SignJWT({ sub: 'frank' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(${Math.floor(clock.now() / 1000) + 300}).sign(new TextEncoder().encode(${JSON.stringify(SECRET)})); process.stdout.write(t);`;
    const token = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: process.cwd(),
      encoding: 'utf8',
    });
    expect(verifyHs256Jwt(token, Buffer.from(SECRET), clock.now())?.sub).toBe('frank');
    expect(verifyHs256Jwt(token, Buffer.from('not-the-secret-at-all'), clock.now())).toBeUndefined();
  });
});
