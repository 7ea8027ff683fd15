/**
 * POST /api/session mints an anonymous session cookie that the gate's own HMAC prover accepts, so
 * `identity.proof: hmac` works end to end with the reference shop; and the shop page mints one only
 * when it has none.
 */
import { chromium } from 'playwright-core';
import { createIdentityResolver } from '../../gate/proxy/client-identity';
import { IdentitySchema } from '../../contracts/config/schema';
import { startStorefront, type RunningStorefront } from '../../storefront/server';
import { CHROMIUM_ARGS } from '../cli/rehearse/report/report-browser';
import { FakeClock } from '../support/fake-clock';

const SECRET_ENV = 'SHOP_SESSION_TEST_SECRET';
const env = { [SECRET_ENV]: 'a-secret-of-enough-length-for-hmac' };

async function mint(shop: RunningStorefront) {
  const response = await fetch(`${shop.url}/api/session`, { method: 'POST' });
  return {
    status: response.status,
    cookie: response.headers.get('set-cookie') ?? '',
    cacheControl: response.headers.get('cache-control'),
    body: (await response.json()) as Record<string, unknown>,
  };
}

describe('POST /api/session', () => {
  let shop: RunningStorefront;
  beforeAll(async () => {
    shop = await startStorefront({ port: 0, sessions: { secretEnv: SECRET_ENV, env, maxAgeSeconds: 3600 } });
  });
  afterAll(async () => {
    await shop.close();
  });

  it("sets an HttpOnly, Secure, SameSite=Lax cookie the gate's HMAC prover accepts as the session id", async () => {
    const minted = await mint(shop);
    expect(minted.status).toBe(201);
    expect(minted.cacheControl).toBe('no-store');
    expect(minted.body).toEqual({ session: expect.stringMatching(/^[A-Za-z0-9_-]{24}$/), expiresInSeconds: 3600 });
    const [pair, ...attributes] = minted.cookie.split('; ');
    expect(attributes.sort()).toEqual(['HttpOnly', 'Max-Age=3600', 'Path=/', 'SameSite=Lax', 'Secure']);
    expect(pair.startsWith(`saleday-session=${String(minted.body.session)}.`)).toBe(true);

    const resolve = createIdentityResolver(
      IdentitySchema.parse({ cookie: 'saleday-session', proof: 'hmac', secretEnv: SECRET_ENV, trustedProxyHops: 0 }),
      new FakeClock(),
      env,
    );
    expect(resolve({ cookie: `theme=dark; ${pair}` }, '198.51.100.7')).toEqual({
      key: `u:${String(minted.body.session)}`,
      kind: 'user',
      ip: '198.51.100.7',
    });
    // The gate refuses a session signed with another secret: it counts as the client IP.
    const forged = pair.replace(/\.[^.]+$/, '.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    expect(resolve({ cookie: forged }, '198.51.100.7')).toMatchObject({ kind: 'ip' });
  });

  it('mints a different session each time', async () => {
    const ids = new Set<unknown>();
    for (let i = 0; i < 5; i += 1) ids.add((await mint(shop)).body.session);
    expect(ids.size).toBe(5);
  });

  it('answers 501 naming the variable to set when no secret is configured, and leaves Secure off only when asked', async () => {
    const withoutSecret = await startStorefront({ port: 0, sessions: { secretEnv: SECRET_ENV, env: {} } });
    const insecure = await startStorefront({ port: 0, sessions: { secretEnv: SECRET_ENV, env, insecureCookie: true } });
    try {
      expect(await mint(withoutSecret)).toMatchObject({
        status: 501,
        body: { error: 'sessions-disabled', message: expect.stringContaining(SECRET_ENV) },
      });
      const minted = await mint(insecure);
      expect(minted.cookie).not.toContain('Secure');
      expect(minted.cookie).toContain('Max-Age=604800');
    } finally {
      await withoutSecret.close();
      await insecure.close();
    }
  });

  it('refuses to start with a secret shorter than 16 characters, naming the variable', async () => {
    await expect(
      startStorefront({ port: 0, sessions: { secretEnv: SECRET_ENV, env: { [SECRET_ENV]: 'too-short' } } }),
    ).rejects.toThrow(/SHOP_SESSION_TEST_SECRET.*at least 16 characters/);
    await expect(
      startStorefront({ port: 0, sessions: { secretEnv: SECRET_ENV, env, maxAgeSeconds: 5 } }),
    ).rejects.toThrow(/sessions.maxAgeSeconds/);
  });
});

describe('the shop page', () => {
  it('mints a session once, when it has none, and the browser keeps the HttpOnly cookie', async () => {
    const shop = await startStorefront({ port: 0, sessions: { secretEnv: SECRET_ENV, env, insecureCookie: true } });
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    try {
      const context = await browser.newContext();
      const page = await context.newPage();
      const sessionRequests: string[] = [];
      page.on('request', (request) => {
        if (request.url().endsWith('/api/session')) sessionRequests.push(request.method());
      });
      await page.goto(shop.url);
      await page.waitForSelector('article.product');
      await page.reload();
      await page.waitForSelector('article.product');
      expect(sessionRequests).toEqual(['POST']);
      const cookies = await context.cookies();
      expect(cookies).toEqual([expect.objectContaining({ name: 'saleday-session', httpOnly: true, sameSite: 'Lax' })]);
    } finally {
      await browser.close();
      await shop.close();
    }
  });
});
