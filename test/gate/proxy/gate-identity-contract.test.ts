/**
 * The identity contract between the gate and the app: whatever the client sends, the app sees only
 * the identity the gate established (`saleday-user`, `saleday-user-proven`), and the rate limit
 * spends the same key. Real gate, real HTTP app echoing what it received, real redis-server.
 */
import {
  SALEDAY_DEADLINE_HEADER,
  SALEDAY_USER_HEADER,
  SALEDAY_USER_PROVEN_HEADER,
} from '../../../contracts/request-headers';
import { MemoryFlags } from '../../../guard/flags/memory-flags';
import { OUTCOME_HEADER } from '../../../contracts/metrics/gate-metrics';
import { signHmacUserKey } from '../../../contracts/hmac-user-key';
import { silentLogger } from '../../../gate/proxy/gate-logger';
import { startGate, type StartedGate } from '../../../gate/proxy/gate-server';
import { signHs256Jwt } from '../../../gate/proxy/hs256-jwt';
import { testRedisUrl, uniquePrefix } from '../../support/test-redis';
import { createTestHttpClient } from './fixtures/http-client';
import { testConfig } from './fixtures/test-config';
import { startTestUpstream, type TestUpstream } from './fixtures/test-upstream';

const SECRET = 'identity-contract-secret-0123456789';
const jwtFor = (claims: Record<string, unknown>) =>
  signHs256Jwt({ exp: Math.floor(Date.now() / 1000) + 600, ...claims }, Buffer.from(SECRET));

interface Echo {
  headers: Record<string, string | undefined>;
}

async function gateWith(
  upstream: TestUpstream,
  identity: Record<string, unknown>,
  routeExtras: Record<string, unknown> = {},
): Promise<StartedGate> {
  const config = testConfig((raw) => {
    raw.identity = { trustedProxyHops: 1, ...identity };
    // The echo route: the app answers with the headers it received; 3 requests per key, no refill within a test.
    raw.routes.unshift({
      name: 'echo',
      path: '/api/echo',
      methods: ['GET', 'POST'],
      priority: 'high',
      rateLimit: { algorithm: 'token-bucket', capacity: 3, refillPerSecond: 0.001 },
      timeoutMs: 1500,
      ...routeExtras,
    });
  });
  return startGate({
    config,
    upstream: upstream.url,
    port: 0,
    flags: new MemoryFlags(),
    logger: silentLogger,
    metricsSink: () => undefined,
    env: { SALEDAY_IDENTITY_SECRET: SECRET },
    rateLimitPrefix: uniquePrefix('identity-contract'),
    redisUrl: testRedisUrl(),
  });
}

describe('the identity the app sees', () => {
  let upstream: TestUpstream;
  const gates: StartedGate[] = [];
  const http = createTestHttpClient();

  beforeAll(async () => {
    upstream = await startTestUpstream();
  });

  afterAll(async () => {
    await http.close();
    await Promise.all(gates.map((g) => g.close()));
    await upstream.close();
  });

  const start = async (identity: Record<string, unknown>, routeExtras?: Record<string, unknown>) => {
    const gate = await gateWith(upstream, identity, routeExtras);
    gates.push(gate);
    return gate;
  };
  const echo = async (gate: StartedGate, headers: Record<string, string>) => {
    const answer = await http.send('POST', `${gate.url}/api/echo`, {
      headers: { 'content-type': 'application/json', ...headers },
      body: '{}',
    });
    return {
      status: answer.status,
      outcome: answer.headers[OUTCOME_HEADER],
      seen: answer.status === 200 ? answer.json<Echo>().headers : {},
    };
  };

  describe('proof jwt (Authorization)', () => {
    let gate: StartedGate;
    beforeAll(async () => {
      gate = await start({ header: 'authorization', proof: 'jwt' });
    });

    it('an attacker with no token who claims to be the victim is its own IP, and its forged headers never reach the app', async () => {
      const { seen } = await echo(gate, {
        'x-user-id': 'victim',
        [SALEDAY_USER_HEADER]: 'u:victim',
        [SALEDAY_USER_PROVEN_HEADER]: '1',
        'x-forwarded-for': '198.51.100.7',
      });
      expect(seen[SALEDAY_USER_HEADER]).toBe('ip:198.51.100.7');
      expect(seen[SALEDAY_USER_PROVEN_HEADER]).toBe('0');
    });

    it('an attacker with its own valid token plus the victim’s key is the attacker; the token itself is not forwarded', async () => {
      const { seen } = await echo(gate, {
        authorization: `Bearer ${jwtFor({ sub: 'attacker' })}`,
        'x-user-id': 'victim',
        [SALEDAY_USER_HEADER]: 'u:victim',
      });
      expect(seen[SALEDAY_USER_HEADER]).toBe('u:attacker');
      expect(seen[SALEDAY_USER_PROVEN_HEADER]).toBe('1');
      expect(seen.authorization).toBeUndefined();
    });

    it('the key is the token’s sub, however long the token: a refreshed token keeps the same user', async () => {
      const long = jwtFor({ sub: 'shopper-42', profile: 'x'.repeat(600) });
      expect(long.length).toBeGreaterThan(128);
      const refreshed = jwtFor({ sub: 'shopper-42', iat: 12345 });
      expect((await echo(gate, { authorization: `Bearer ${long}` })).seen[SALEDAY_USER_HEADER]).toBe('u:shopper-42');
      expect((await echo(gate, { authorization: `Bearer ${refreshed}` })).seen[SALEDAY_USER_HEADER]).toBe(
        'u:shopper-42',
      );
    });

    it('a sub that cannot be a key (spaces, too long) leaves the client unproven', async () => {
      for (const sub of ['two words', 'x'.repeat(129), 'semi;colon']) {
        const { seen } = await echo(gate, {
          authorization: `Bearer ${jwtFor({ sub })}`,
          'x-forwarded-for': '198.51.100.8',
        });
        expect(seen[SALEDAY_USER_HEADER]).toBe('ip:198.51.100.8');
        expect(seen[SALEDAY_USER_PROVEN_HEADER]).toBe('0');
      }
    });

    it('a padded or suffixed signature does not prove anyone', async () => {
      const token = jwtFor({ sub: 'padded' });
      const variants = [`${token}=`, `${token}==`, `${token}~`, `${token}!`, `${token}A`];
      for (const [i, variant] of variants.entries()) {
        const { seen } = await echo(gate, {
          authorization: `Bearer ${variant}`,
          'x-forwarded-for': `198.51.100.${30 + i}`,
        });
        expect(seen[SALEDAY_USER_HEADER]).toBe(`ip:198.51.100.${30 + i}`);
      }
    });

    it('the rate limit spends the key the app sees: the attacker’s own bucket, never the victim’s', async () => {
      const attacker = `Bearer ${jwtFor({ sub: 'rl-attacker' })}`;
      const statuses = [];
      for (let i = 0; i < 4; i++)
        statuses.push((await echo(gate, { authorization: attacker, 'x-user-id': 'rl-victim' })).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const victim = await echo(gate, { authorization: `Bearer ${jwtFor({ sub: 'rl-victim' })}` });
      expect(victim.status).toBe(200);
      expect(victim.seen[SALEDAY_USER_HEADER]).toBe('u:rl-victim');
    });

    it('tells the app when the gate gives up, over any deadline the client sent', async () => {
      const before = Date.now();
      const { seen } = await echo(gate, { [SALEDAY_DEADLINE_HEADER]: '99999999999999' });
      const deadline = Number(seen[SALEDAY_DEADLINE_HEADER]);
      expect(deadline).toBeGreaterThanOrEqual(before + 1500);
      expect(deadline).toBeLessThanOrEqual(Date.now() + 1500);
    });
  });

  describe('proof hmac (a session cookie)', () => {
    let gate: StartedGate;
    beforeAll(async () => {
      gate = await start({ cookie: 'saleday-session', proof: 'hmac' });
    });

    it('the signed session is the user; the session cookie is removed and the others pass', async () => {
      const { seen } = await echo(gate, {
        cookie: `theme=dark; saleday-session=${signHmacUserKey('s-123', SECRET)}; lang=fr`,
      });
      expect(seen[SALEDAY_USER_HEADER]).toBe('u:s-123');
      expect(seen[SALEDAY_USER_PROVEN_HEADER]).toBe('1');
      expect(seen.cookie).toBe('theme=dark; lang=fr');
    });

    it('every copy of the session cookie is removed, whatever its case, and a lone one leaves no Cookie header', async () => {
      const forged = await echo(gate, {
        cookie: `saleday-session=victim.Zm9yZ2Vk; SALEDAY-SESSION=${signHmacUserKey('victim', 'not-the-secret-at-all')}`,
        'x-forwarded-for': '198.51.100.10',
      });
      expect(forged.seen[SALEDAY_USER_HEADER]).toBe('ip:198.51.100.10');
      expect(forged.seen.cookie).toBeUndefined();
    });

    it('a signature with padding, a suffix or a non-canonical last character is refused', async () => {
      const signed = signHmacUserKey('canonical', SECRET);
      const last = signed.at(-1)!;
      const sibling = String.fromCharCode(last.charCodeAt(0) + 1); // same bytes once decoded, not the canonical spelling
      const variants = [`${signed}=`, `${signed}~`, `${signed}!`, `${signed.slice(0, -1)}${sibling}`];
      for (const [i, variant] of variants.entries()) {
        const { seen } = await echo(gate, {
          cookie: `saleday-session=${variant}`,
          'x-forwarded-for': `198.51.100.${40 + i}`,
        });
        expect(seen[SALEDAY_USER_HEADER]).toBe(`ip:198.51.100.${40 + i}`);
      }
    });
  });

  describe('proof none (an authenticating layer in front sets the header)', () => {
    let gate: StartedGate;
    beforeAll(async () => {
      gate = await start({ header: 'x-user-id', proof: 'none' });
    });

    it('the header is the key, validated, and is not forwarded as sent', async () => {
      const ok = await echo(gate, { 'x-user-id': 'layer-user' });
      expect(ok.seen[SALEDAY_USER_HEADER]).toBe('u:layer-user');
      expect(ok.seen['x-user-id']).toBeUndefined();
      const odd = await echo(gate, { 'x-user-id': 'a b', 'x-forwarded-for': '198.51.100.12' });
      expect(odd.seen[SALEDAY_USER_HEADER]).toBe('ip:198.51.100.12');
    });
  });

  describe('limitBy ip (session minting)', () => {
    it('counts the client IP whoever the request claims to be, while the app still sees the identity', async () => {
      const gate = await start({ cookie: 'saleday-session', proof: 'hmac' }, { limitBy: 'ip' });
      const statuses = [];
      for (let i = 0; i < 4; i++) {
        const answer = await echo(gate, {
          cookie: `saleday-session=${signHmacUserKey(`rotating-${i}`, SECRET)}`,
          'x-forwarded-for': '198.51.100.13',
        });
        statuses.push(answer.status);
        if (answer.status === 200) expect(answer.seen[SALEDAY_USER_HEADER]).toBe(`u:rotating-${i}`);
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
      // another address has its own bucket
      expect((await echo(gate, { 'x-forwarded-for': '198.51.100.14' })).status).toBe(200);
    });
  });
});
