/**
 * The gate end to end on real HTTP (port 0) in front of a real app, with flags in memory: outcome
 * headers, proxying, the health endpoint, rate limits with their headers, the degradation level,
 * breakers (from the flags and tripped by upstream failures), deadlines and fallbacks.
 */
import { request as httpRequest } from 'node:http';
import { initialFlags, type FlagsDocument } from '../../../contracts/flags/flags-document';
import { MemoryFlags } from '../../../guard/flags/memory-flags';
import { OUTCOME_HEADER } from '../../../contracts/metrics/gate-metrics';
import { silentLogger } from '../../../gate/proxy/gate-logger';
import { startGate, type StartedGate } from '../../../gate/proxy/gate-server';
import { uniquePrefix } from '../../support/test-redis';
import { testConfig } from './fixtures/test-config';
import { createTestHttpClient } from './fixtures/http-client';
import { startTestUpstream, type TestUpstream } from './fixtures/test-upstream';

let version = 1;
function flagsDoc(level: number, open: string[] = []): FlagsDocument {
  const now = new Date().toISOString();
  return {
    ...initialFlags(),
    version: version++,
    level,
    updatedAt: now,
    reason: 'test',
    breakers: Object.fromEntries(open.map((name) => [name, { open: true, since: now, reason: 'test' }])),
  };
}

describe('the gate in front of an app', () => {
  let upstream: TestUpstream;
  let flags: MemoryFlags;
  let gate: StartedGate;
  const emf: string[] = [];
  const http = createTestHttpClient();

  beforeAll(async () => {
    upstream = await startTestUpstream();
    flags = new MemoryFlags();
    const config = testConfig((raw) => {
      raw.routes.unshift({ name: 'hang', path: '/hang/*', priority: 'high', timeoutMs: 200 });
      raw.routes.unshift({
        name: 'slow',
        path: '/slow/*',
        priority: 'high',
        timeoutMs: 200,
        dependencies: ['slowdep'],
      });
      raw.routes.unshift({ name: 'echo', path: '/api/echo', priority: 'high' });
      raw.routes.unshift({
        name: 'shared',
        path: '/shared/*',
        priority: 'normal',
        rateLimit: { algorithm: 'gcra', ratePerSecond: 10, burst: 2 },
      });
      // A burst of 4, then one read per 100 s: nothing refills within a test, however slow the machine.
      raw.routes.unshift({
        name: 'quota',
        path: '/quota/*',
        priority: 'high',
        rateLimit: { algorithm: 'gcra', ratePerSecond: 0.01, burst: 4 },
      });
    });
    gate = await startGate({
      config,
      upstream: upstream.url,
      port: 0,
      flags,
      logger: silentLogger,
      metricsSink: (line) => emf.push(line),
      metricsIntervalMs: 100,
      rateLimitPrefix: uniquePrefix('gate-server'),
    });
  });

  afterAll(async () => {
    await http.close();
    await gate.close();
    await flags.close();
    await upstream.close();
  });

  beforeEach(async () => {
    await flags.write(flagsDoc(0));
    upstream.failures.clear();
    upstream.hanging.clear();
  });

  it('proxies and marks the answer served', async () => {
    const answer = await http.get(`${gate.url}/api/products/7`, { 'x-user-id': 'u-proxy' });
    expect(answer.status).toBe(200);
    expect(answer.json()).toEqual({ id: '7', stock: 10 });
    expect(answer.headers[OUTCOME_HEADER]).toBe('served');
  });

  it('states the quota on an app answer once at most half the limit is left (gate.rateLimitFields near-limit)', async () => {
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await http.get(`${gate.url}/quota/page`, { 'x-user-id': 'u-quota' }));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 429]);
    // 3 of 4 left: more than half, so no fields; then 2, 1, 0 left, and the refusal.
    expect(answers[0]!.headers['ratelimit-policy']).toBeUndefined();
    expect(answers[0]!.headers.ratelimit).toBeUndefined();
    expect(answers[1]!.headers['ratelimit-policy']).toBe('4;w=400');
    expect(answers.slice(1).map((a) => a.headers.ratelimit?.replace(/reset=\d+/, 'reset=…'))).toEqual([
      'limit=4, remaining=2, reset=…',
      'limit=4, remaining=1, reset=…',
      'limit=4, remaining=0, reset=…',
      'limit=4, remaining=0, reset=…',
    ]);
  });

  it('keeps the client’s quota off answers a shared cache may store, and still states it when refusing', async () => {
    // /api/products is edge-cached (semi-static) in the example config.
    const listed = await http.get(`${gate.url}/api/products`, { 'x-user-id': 'u-cached' });
    expect(listed.status).toBe(200);
    expect(listed.headers.ratelimit).toBeUndefined();
    expect(listed.headers['ratelimit-policy']).toBeUndefined();
    // Not edge-cached, but the app says any cache may keep it.
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await http.get(`${gate.url}/shared/page`, { 'x-user-id': 'u-shared' }));
    expect(answers[0]!.status).toBe(200);
    expect(answers[0]!.headers['cache-control']).toBe('public, max-age=60');
    expect(answers[0]!.headers.ratelimit).toBeUndefined();
    const refused = answers.find((a) => a.status === 429)!;
    expect(refused.headers['cache-control']).toBe('no-store');
    expect(refused.headers.ratelimit).toMatch(/^limit=2, remaining=0, reset=\d+$/);
  });

  it('forwards without hop-by-hop headers, appends X-Forwarded-For, and sends the normalized path', async () => {
    // node:http rather than undici: undici refuses to send hop-by-hop headers at all.
    const echoed = await new Promise<{ url: string; headers: Record<string, string>; body: string }>(
      (resolve, reject) => {
        const req = httpRequest(`${gate.url}/api/../api/echo?q=1`, {
          method: 'POST',
          agent: false,
          setHost: true,
          headers: {
            'x-user-id': 'u-echo',
            'content-type': 'application/json',
            'x-forwarded-for': '203.0.113.9',
            connection: 'close, x-drop-me',
            'x-drop-me': '1',
            'proxy-authorization': 'secret',
            'x-custom': 'kept',
          },
        });
        req.on('response', (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString())));
        });
        req.on('error', reject);
        req.end('{"hello":"world"}');
      },
    );
    expect(echoed.url).toBe('/api/echo?q=1');
    expect(echoed.body).toBe('{"hello":"world"}');
    expect(echoed.headers['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');
    expect(echoed.headers['x-custom']).toBe('kept');
    expect(echoed.headers['x-drop-me']).toBeUndefined();
    expect(echoed.headers['proxy-authorization']).toBeUndefined();
  });

  it('passes the app’s own answer to malformed JSON through untouched', async () => {
    const answer = await http.send('POST', `${gate.url}/api/checkout`, {
      headers: { 'x-user-id': 'u-bad-json', 'content-type': 'application/json' },
      body: '{"productId": ',
    });
    expect(answer.status).toBe(400);
    expect(answer.json()).toEqual({ error: 'malformed JSON (answered by the app)' });
    expect(answer.headers[OUTCOME_HEADER]).toBe('served');
  });

  it('answers /healthz itself, with the flags and Redis state', async () => {
    await flags.write(flagsDoc(3, ['payments']));
    upstream.hanging.add('/'); // the app answers nothing: the answer below is the gate's own
    const answer = await http.get(`${gate.url}/healthz`);
    expect(answer.status).toBe(200);
    expect(answer.headers[OUTCOME_HEADER]).toBe('served');
    expect(answer.json()).toMatchObject({
      status: 'ok',
      flags: { level: 3, openBreakers: ['payments'] },
      redis: { configured: false, fallback: false },
    });
  });

  it('limits one user key per route with 429, Retry-After and the RateLimit fields; other keys are unaffected', async () => {
    const answers = [];
    for (let i = 0; i < 8; i++) {
      answers.push(
        await http.send('POST', `${gate.url}/api/checkout`, {
          headers: { 'x-user-id': 'u-hammer', 'content-type': 'application/json' },
          body: '{"productId":"p1","quantity":1}',
        }),
      );
    }
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(5); // token bucket capacity 5
    const limited = answers.find((a) => a.status === 429)!;
    expect(limited.headers[OUTCOME_HEADER]).toBe('limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(limited.headers['ratelimit-policy']).toBe('5;w=10');
    expect(limited.headers.ratelimit).toMatch(/^limit=5, remaining=0, reset=\d+$/);
    const other = await http.send('POST', `${gate.url}/api/checkout`, {
      headers: { 'x-user-id': 'u-other', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(other.status).toBe(201);
  });

  it('level 2 sheds normal and low: fallbacks where the route has one, 503 elsewhere; high and critical still served', async () => {
    const good = await http.get(`${gate.url}/api/products`, { 'x-user-id': 'u-level' });
    expect(good.headers[OUTCOME_HEADER]).toBe('served');
    await flags.write(flagsDoc(2));
    const products = await http.get(`${gate.url}/api/products`, { 'x-user-id': 'u-level' });
    expect(products.status).toBe(200);
    expect(products.headers[OUTCOME_HEADER]).toBe('fallback');
    expect(products.text).toBe(good.text); // the last good body, not a new one
    const recommendations = await http.get(`${gate.url}/api/recommendations`, { 'x-user-id': 'u-level' });
    expect(recommendations.headers[OUTCOME_HEADER]).toBe('fallback');
    expect(recommendations.json()).toEqual({ items: [], degraded: true });
    const page = await http.get(`${gate.url}/about`, { 'x-user-id': 'u-level' });
    expect(page.status).toBe(503);
    expect(page.headers[OUTCOME_HEADER]).toBe('degraded');
    expect(Number(page.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await http.get(`${gate.url}/api/products/1`, { 'x-user-id': 'u-level' })).headers[OUTCOME_HEADER]).toBe(
      'served',
    );
    const checkout = await http.send('POST', `${gate.url}/api/checkout`, {
      headers: { 'x-user-id': 'u-level', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(checkout.status).toBe(201);
  });

  it('an open breaker in the flags short-circuits every route that depends on it', async () => {
    await flags.write(flagsDoc(0, ['inventory']));
    const before = upstream.received.get('/api/products/5') ?? 0;
    const product = await http.get(`${gate.url}/api/products/5`, { 'x-user-id': 'u-breaker' });
    expect(product.status).toBe(503);
    expect(product.headers[OUTCOME_HEADER]).toBe('short-circuited');
    expect(Number(product.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    const cart = await http.get(`${gate.url}/api/cart`, { 'x-user-id': 'u-breaker' });
    expect(cart.headers[OUTCOME_HEADER]).toBe('short-circuited');
    expect(upstream.received.get('/api/products/5') ?? 0).toBe(before);
    // recommendations depends on the recommender only
    expect(
      (await http.get(`${gate.url}/api/recommendations`, { 'x-user-id': 'u-breaker' })).headers[OUTCOME_HEADER],
    ).toBe('served');
    await flags.write(flagsDoc(0, ['recommender']));
    const recommendations = await http.get(`${gate.url}/api/recommendations`, { 'x-user-id': 'u-breaker' });
    expect(recommendations.status).toBe(200);
    expect(recommendations.headers[OUTCOME_HEADER]).toBe('fallback');
    expect((await http.get(`${gate.url}/api/products/5`, { 'x-user-id': 'u-breaker' })).headers[OUTCOME_HEADER]).toBe(
      'served',
    );
  });

  it('app 5xx answers count against the route’s dependencies until their breaker opens', async () => {
    upstream.failures.set('/slow/fail', 500);
    const outcomes: string[] = [];
    for (let i = 0; i < 7; i++)
      outcomes.push((await http.get(`${gate.url}/slow/fail`, { 'x-user-id': 'u-5xx' })).headers[OUTCOME_HEADER]);
    // five consecutive failures (the breaker default) open it; the rest never reach the app
    expect(outcomes.slice(0, 5)).toEqual(Array(5).fill('upstream-error'));
    expect(outcomes.slice(5)).toEqual(['short-circuited', 'short-circuited']);
    expect(upstream.received.get('/slow/fail')).toBe(5);
    const snapshot = await http.get(`${gate.url}/_gate/metrics`);
    expect(
      snapshot.json<{ breakers: Record<string, string>; dependencies: Record<string, { failures: number }> }>(),
    ).toMatchObject({ breakers: { slowdep: 'open' }, dependencies: { slowdep: { failures: 5 } } });
  });

  it('answers 504 when the app misses the route’s deadline, and serves the last good body where there is one', async () => {
    upstream.hanging.add('/hang/forever');
    const answer = await http.get(`${gate.url}/hang/forever`, { 'x-user-id': 'u-deadline' });
    expect(answer.status).toBe(504);
    expect(answer.headers[OUTCOME_HEADER]).toBe('upstream-error');
    const good = await http.get(`${gate.url}/api/products`, { 'x-user-id': 'u-deadline' });
    upstream.failures.set('/api/products', 503);
    const fallback = await http.get(`${gate.url}/api/products`, { 'x-user-id': 'u-deadline' });
    expect(fallback.status).toBe(200);
    expect(fallback.headers[OUTCOME_HEADER]).toBe('fallback');
    expect(fallback.text).toBe(good.text);
  });

  it('answers unknown request targets with 400 and unrouted paths with 404', async () => {
    const config = testConfig((raw) => {
      raw.routes = raw.routes.filter((r: { name: string }) => r.name !== 'pages');
    });
    const strict = await startGate({
      config,
      upstream: upstream.url,
      port: 0,
      flags,
      logger: silentLogger,
      metricsSink: () => undefined,
    });
    try {
      const answer = await http.get(`${strict.url}/nothing-here`);
      expect(answer.status).toBe(404);
      expect(answer.headers[OUTCOME_HEADER]).toBe('bad-request');
      const bad = await http.get(`${strict.url}/bad%zz`);
      expect(bad.status).toBe(400);
    } finally {
      await strict.close();
    }
  });

  it('emits EMF lines every interval, with the outcome counts in them', async () => {
    const deadline = Date.now() + 2000;
    while (!emf.some((l) => JSON.parse(l).Limited > 0) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    const records = emf.map((l) => JSON.parse(l));
    expect(records.some((r) => r.PriorityClass === 'critical' && r.Limited > 0)).toBe(true);
    expect(records.some((r) => r.FlagsVersion > 0 && r.ConcurrencyLimit > 0)).toBe(true);
    expect(records.every((r) => r._aws.CloudWatchMetrics[0].Namespace === 'Saleday/Gate')).toBe(true);
  });
});

describe('closing the gate', () => {
  it('lets in-flight requests finish (graceful drain), then refuses new connections', async () => {
    const slowApp = await startTestUpstream({ serviceMs: 300 });
    const flags = new MemoryFlags();
    const http = createTestHttpClient();
    const gate = await startGate({
      config: testConfig(),
      upstream: slowApp.url,
      port: 0,
      flags,
      logger: silentLogger,
      metricsSink: () => undefined,
      rateLimitPrefix: uniquePrefix('drain'),
    });
    try {
      const inFlight = http.get(`${gate.url}/api/products/1`, { 'x-user-id': 'u-drain' });
      await new Promise((r) => setTimeout(r, 100));
      const closed = gate.close();
      const answer = await inFlight;
      expect(answer.status).toBe(200);
      expect(answer.headers[OUTCOME_HEADER]).toBe('served');
      await closed;
      await expect(http.get(`${gate.url}/healthz`)).rejects.toThrow();
    } finally {
      await http.close();
      await flags.close();
      await slowApp.close();
    }
  });
});
