/**
 * Several times the app's capacity: a flood of low-priority recommendations beside steady
 * checkout traffic. The gate sheds the flood and checkout keeps succeeding.
 */
import { MemoryFlags } from '../../../guard/flags/memory-flags';
import { OUTCOME_HEADER } from '../../../contracts/metrics/gate-metrics';
import { silentLogger } from '../../../gate/proxy/gate-logger';
import { startGate, type StartedGate } from '../../../gate/proxy/gate-server';
import { uniquePrefix } from '../../support/test-redis';
import { createTestHttpClient } from './fixtures/http-client';
import { testConfig } from './fixtures/test-config';
import { startTestUpstream, type TestUpstream } from './fixtures/test-upstream';

describe('the gate at several times the app’s capacity', () => {
  let upstream: TestUpstream;
  let gate: StartedGate;
  const flags = new MemoryFlags();
  const http = createTestHttpClient(256);

  beforeAll(async () => {
    // 4 workers × 20 ms: the app serves about 200 requests/s.
    upstream = await startTestUpstream({ capacity: 4, serviceMs: 20 });
    const config = testConfig((raw) => {
      raw.gate.concurrency = { initialLimit: 16, minLimit: 4, maxLimit: 64, criticalReservedShare: 0.25 };
      raw.gate.queue = { maxLengthPerClass: 20, targetDelayMs: 5, intervalMs: 100, maxWaitMs: 500 };
    });
    gate = await startGate({
      config,
      upstream: upstream.url,
      port: 0,
      flags,
      logger: silentLogger,
      metricsSink: () => undefined,
      rateLimitPrefix: uniquePrefix('overload'),
      redisUrl: process.env.REDIS_URL,
    });
  });

  afterAll(async () => {
    await http.close();
    await gate.close();
    await flags.close();
    await upstream.close();
  });

  it('keeps checkout succeeding while recommendations are shed', async () => {
    // The flood runs until the buyers have placed their orders (bounded, for a very slow machine).
    const ordersPerBuyer = 15;
    const deadline = Date.now() + 20_000;
    let buyersDone = false;
    const outcomes = { checkout: new Map<string, number>(), recommendations: new Map<string, number>() };
    const tally = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
    let flooder = 0;

    // 60 closed-loop flooders, each with its own key (so per-key limits do not hide the shedding).
    const flood = Array.from({ length: 60 }, async () => {
      const key = `flood-${flooder++}`;
      while (!buyersDone && Date.now() < deadline) {
        const answer = await http.get(`${gate.url}/api/recommendations`, { 'x-user-id': key });
        tally(outcomes.recommendations, `${answer.status} ${answer.headers[OUTCOME_HEADER]}`);
      }
    });
    // Steady checkout: 2 buyers, each order from a new customer, a short pause between orders.
    let buyer = 0;
    const checkout = Array.from({ length: 2 }, async () => {
      // Let the flood build up first.
      await new Promise((r) => setTimeout(r, 200));
      for (let i = 0; i < ordersPerBuyer && Date.now() < deadline; i++) {
        const answer = await http.send('POST', `${gate.url}/api/checkout`, {
          headers: { 'x-user-id': `buyer-${buyer++}`, 'content-type': 'application/json' },
          body: JSON.stringify({ productId: 'p1', quantity: 1 }),
        });
        tally(outcomes.checkout, `${answer.status} ${answer.headers[OUTCOME_HEADER]}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    });
    await Promise.all(checkout);
    // The load balancer's health check is answered by the gate itself, flood or not.
    const health = await http.get(`${gate.url}/healthz`);
    buyersDone = true;
    await Promise.all(flood);

    const total = (map: Map<string, number>) => [...map.values()].reduce((a, b) => a + b, 0);
    const checkoutOk = outcomes.checkout.get('201 served') ?? 0;
    const recommendationsShed = outcomes.recommendations.get('503 shed') ?? 0;
    if (process.env.GATE_TEST_VERBOSE)
      console.log({ checkout: [...outcomes.checkout], recommendations: [...outcomes.recommendations] });
    expect(total(outcomes.checkout)).toBeGreaterThanOrEqual(20);
    expect(checkoutOk / total(outcomes.checkout)).toBeGreaterThanOrEqual(0.95);
    // Most of the flood is refused by the gate rather than queued inside the app.
    expect(recommendationsShed).toBeGreaterThan(total(outcomes.recommendations) / 2);
    const snapshot = (await http.get(`${gate.url}/_gate/metrics`)).json<{
      classes: Record<string, { shed: number; served: number }>;
    }>();
    expect(snapshot.classes.low.shed).toBe(recommendationsShed);
    expect(snapshot.classes.critical.shed).toBe(0);
    expect(health.status).toBe(200);
    expect(health.json()).toMatchObject({ status: 'ok' });
  });
});
