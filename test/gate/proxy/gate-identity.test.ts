/**
 * Spoofing at the gate: forged user keys (jwt and hmac modes) and forged X-Forwarded-For entries
 * only ever land a client in its own IP's bucket; a victim's bucket stays untouched.
 */
import { MemoryFlags } from '../../../guard/flags/memory-flags';
import { silentLogger } from '../../../gate/proxy/gate-logger';
import { signHmacUserKey } from '../../../contracts/hmac-user-key';
import { signHs256Jwt } from '../../../gate/proxy/hs256-jwt';
import { startGate, type StartedGate } from '../../../gate/proxy/gate-server';
import { uniquePrefix } from '../../support/test-redis';
import { createTestHttpClient } from './fixtures/http-client';
import { testConfig } from './fixtures/test-config';
import { startTestUpstream, type TestUpstream } from './fixtures/test-upstream';

const SECRET = 'gate-identity-test-secret-0123456789';

describe.each([
  ['hmac', { header: 'x-user-id', proof: 'hmac' }, (key: string) => signHmacUserKey(key, SECRET), 'x-user-id'],
  [
    'jwt',
    { header: 'authorization', proof: 'jwt' },
    (key: string) =>
      `Bearer ${signHs256Jwt({ sub: key, exp: Math.floor(Date.now() / 1000) + 600 }, Buffer.from(SECRET))}`,
    'authorization',
  ],
])('identity proof %s', (_mode, identity, sign, header) => {
  let upstream: TestUpstream;
  let gate: StartedGate;
  const flags = new MemoryFlags();
  const http = createTestHttpClient();

  beforeAll(async () => {
    upstream = await startTestUpstream();
    const config = testConfig((raw) => (raw.identity = { ...identity, trustedProxyHops: 1 }));
    gate = await startGate({
      config,
      upstream: upstream.url,
      port: 0,
      flags,
      logger: silentLogger,
      metricsSink: () => undefined,
      env: { SALEDAY_IDENTITY_SECRET: SECRET },
      rateLimitPrefix: uniquePrefix('identity'),
      redisUrl: process.env.REDIS_URL,
    });
  });

  afterAll(async () => {
    await http.close();
    await gate.close();
    await flags.close();
    await upstream.close();
  });

  const checkout = (headers: Record<string, string>) =>
    http.send('POST', `${gate.url}/api/checkout`, {
      headers: { 'content-type': 'application/json', ...headers },
      body: '{}',
    });

  it('a forged key with spoofed X-Forwarded-For entries is counted against the attacker’s own IP', async () => {
    const statuses = [];
    for (let i = 0; i < 10; i++) {
      // forged proof for the victim, and a different fake client address on the left each time
      statuses.push(
        (
          await checkout({
            [header]: header === 'authorization' ? 'Bearer forged.token.value' : 'victim.Zm9yZ2Vk',
            'x-forwarded-for': `10.9.9.${i}, 198.51.100.66`,
          })
        ).status,
      );
    }
    // one bucket (the attacker's address, the hop our proxy appended): 5 allowed, the rest limited
    expect(statuses.filter((s) => s === 201)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(5);
    // the victim's own bucket was never touched
    const victim = [];
    for (let i = 0; i < 5; i++)
      victim.push((await checkout({ [header]: sign('victim'), 'x-forwarded-for': '203.0.113.50' })).status);
    expect(victim).toEqual([201, 201, 201, 201, 201]);
  });
});
