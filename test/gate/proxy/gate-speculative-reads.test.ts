/**
 * Speculative reads through a real gate, a real Redis and a real app: limits stay exact for the
 * client, a refused read reaches the app at most once per suspect period, and nothing is
 * speculative without a free slot, without Redis, or when the policy does not ask for it.
 */
import { MemoryFlags } from '../../../guard/flags/memory-flags';
import { silentLogger } from '../../../gate/proxy/gate-logger';
import { startGate, type StartedGate } from '../../../gate/proxy/gate-server';
import { uniquePrefix } from '../../support/test-redis';
import { createTestHttpClient } from './fixtures/http-client';
import { testConfig } from './fixtures/test-config';
import { startTestUpstream, type TestUpstream } from './fixtures/test-upstream';

const BURST = 3;

interface Setup {
  speculative: boolean;
  redis: boolean;
  /** One concurrency slot in all, so a hanging request can hold it. */
  singleSlot?: boolean;
}

describe('speculative reads at the gate', () => {
  const http = createTestHttpClient();
  const running: Array<{ gate: StartedGate; upstream: TestUpstream; flags: MemoryFlags }> = [];

  async function start(setup: Setup): Promise<{ gate: StartedGate; upstream: TestUpstream }> {
    const upstream = await startTestUpstream();
    const flags = new MemoryFlags();
    const config = testConfig((raw) => {
      const product = (raw.routes as Array<Record<string, unknown>>).find((r) => r.name === 'product')!;
      // BURST reads, then one every 100 s: within a test, everything after the burst is refused.
      product.rateLimit = { algorithm: 'gcra', ratePerSecond: 0.01, burst: BURST, speculative: setup.speculative };
      // The first decision loads the scripts; on a busy machine that can outlast the default 50 ms,
      // and the local fallback (a share of the burst) would answer instead of Redis.
      raw.gate.redisTimeoutMs = 2000;
      if (setup.singleSlot)
        raw.gate.concurrency = { initialLimit: 1, minLimit: 1, maxLimit: 1, criticalReservedShare: 0 };
    });
    const gate = await startGate({
      config,
      upstream: upstream.url,
      port: 0,
      flags,
      logger: silentLogger,
      metricsSink: () => undefined,
      rateLimitPrefix: uniquePrefix('speculative'),
      redisUrl: setup.redis ? process.env.REDIS_URL : undefined,
    });
    running.push({ gate, upstream, flags });
    return { gate, upstream };
  }

  afterEach(async () => {
    for (const { gate, upstream, flags } of running.splice(0)) {
      await gate.close();
      await flags.close();
      await upstream.close();
    }
  });

  afterAll(() => http.close());

  const read = (gate: StartedGate, user: string, path = '/api/products/p1') =>
    http.get(`${gate.url}${path}`, { 'x-user-id': user });

  async function readsOf(gate: StartedGate, user: string, count: number): Promise<number[]> {
    const statuses: number[] = [];
    for (let i = 0; i < count; i++) statuses.push((await read(gate, user)).status);
    return statuses;
  }

  it('answers exactly as without speculation: the burst served, the RateLimit fields once half of it is used, the rest 429', async () => {
    const { gate } = await start({ speculative: true, redis: true });
    const first = await read(gate, 'shopper');
    expect(first.status).toBe(200);
    expect(first.json()).toEqual({ id: 'p1', stock: 10 });
    expect(first.headers['ratelimit']).toBeUndefined(); // 2 of 3 left: more than half
    expect(first.headers['saleday-outcome']).toBe('served');
    const second = await read(gate, 'shopper');
    expect(second.status).toBe(200);
    expect(second.headers['ratelimit']).toMatch(new RegExp(`^limit=${BURST}, remaining=${BURST - 2}, reset=\\d+$`));
    const rest = await readsOf(gate, 'shopper', 5);
    expect(rest).toEqual([200, 429, 429, 429, 429]);
    const refused = await read(gate, 'shopper');
    expect(refused.headers['retry-after']).toBeDefined();
    expect(refused.headers['saleday-outcome']).toBe('limited');
    expect(gate.gate.metrics().classes.high).toMatchObject({ served: BURST, limited: 5 });
  });

  it('lets a refused read reach the app once, then makes the key wait for its decisions', async () => {
    const { gate, upstream } = await start({ speculative: true, redis: true });
    expect(await readsOf(gate, 'bot', BURST + 5)).toEqual([200, 200, 200, 429, 429, 429, 429, 429]);
    // The first refusal was speculative (the app answered it, the client got 429); the key is then
    // a suspect and its next four refusals never reach the app.
    await waitFor(() => upstream.received.get('/api/products/p1') === BURST + 1);
    expect(gate.gate.metrics().classes.high).toMatchObject({ limited: 5, speculativeDiscarded: 1 });
    // Another client is unaffected.
    expect(await readsOf(gate, 'shopper', 2)).toEqual([200, 200]);
    expect(upstream.received.get('/api/products/p1')).toBe(BURST + 3);
  });

  it('never sends a refused read to the app when the policy is not speculative', async () => {
    const { gate, upstream } = await start({ speculative: false, redis: true });
    expect(await readsOf(gate, 'bot', BURST + 5)).toEqual([200, 200, 200, 429, 429, 429, 429, 429]);
    expect(upstream.received.get('/api/products/p1')).toBe(BURST);
    expect(gate.gate.metrics().classes.high.speculativeDiscarded).toBe(0);
  });

  it('decides first without Redis: a local decision takes no round trip worth overlapping', async () => {
    const { gate, upstream } = await start({ speculative: true, redis: false });
    expect(await readsOf(gate, 'bot', BURST + 2)).toEqual([200, 200, 200, 429, 429]);
    expect(upstream.received.get('/api/products/p1')).toBe(BURST);
  });

  it('never takes a queue slot to speculate: with no slot free, a read waits for its decision', async () => {
    const { gate, upstream } = await start({ speculative: true, redis: true, singleSlot: true });
    expect(await readsOf(gate, 'bot', BURST)).toEqual([200, 200, 200]);
    upstream.hanging.add('/api/products/hang');
    // Another user's read holds the only slot (the app never answers it; the route's deadline ends it).
    const holder = read(gate, 'holder', '/api/products/hang');
    await waitFor(() => upstream.stats.active === 1);
    const refused = await read(gate, 'bot');
    expect(refused.status).toBe(429);
    expect(upstream.received.get('/api/products/p1')).toBe(BURST);
    expect(gate.gate.metrics().classes.high.speculativeDiscarded).toBe(0);
    expect((await holder).status).toBe(504);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
