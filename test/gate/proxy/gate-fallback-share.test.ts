/**
 * A gate that cannot reach Redis decides rate limits alone; by default it allows its share of the
 * fleet's limit (limit / fleet.plannedTasks), so a fleet of gates falling back together still
 * allows about the limit in total rather than the limit per gate.
 */
import { createServer } from 'node:net';
import { MemoryFlags } from '../../../guard/flags/memory-flags';
import { OUTCOME_HEADER } from '../../../contracts/metrics/gate-metrics';
import { silentLogger } from '../../../gate/proxy/gate-logger';
import { startGate, type StartedGate } from '../../../gate/proxy/gate-server';
import { uniquePrefix } from '../../support/test-redis';
import { createTestHttpClient } from './fixtures/http-client';
import { testConfig } from './fixtures/test-config';
import { startTestUpstream, type TestUpstream } from './fixtures/test-upstream';

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address ? address.port : 0;
}

describe('the local fallback limit', () => {
  let upstream: TestUpstream;
  let gate: StartedGate;
  const flags = new MemoryFlags();
  const http = createTestHttpClient();

  beforeAll(async () => {
    upstream = await startTestUpstream();
    const config = testConfig((raw) => {
      raw.fleet.plannedTasks = 4;
      raw.fleet.baselineTasks = 2;
      // 8 per user and no refill within the test: a fallback at its share allows 8 / 4 = 2
      raw.routes.find((r: { name: string }) => r.name === 'cart').rateLimit = {
        algorithm: 'token-bucket',
        capacity: 8,
        refillPerSecond: 0.001,
      };
    });
    gate = await startGate({
      config,
      upstream: upstream.url,
      port: 0,
      flags,
      redisUrl: `redis://127.0.0.1:${await closedPort()}`,
      logger: silentLogger,
      metricsSink: () => undefined,
      rateLimitPrefix: uniquePrefix('fallback-share'),
    });
  }, 20_000);

  afterAll(async () => {
    await http.close();
    await gate.close();
    await flags.close();
    await upstream.close();
  });

  it('allows this gate’s share of the fleet’s limit, not the whole limit', async () => {
    const statuses = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await http.get(`${gate.url}/api/cart`, { 'x-user-id': 'fallback-user' })).status);
    expect(statuses).toEqual([200, 200, 429, 429, 429]);
    expect(gate.gate.metrics().rateLimitSources.fallback).toBeGreaterThan(0);
    const answer = await http.get(`${gate.url}/api/cart`, { 'x-user-id': 'fallback-user' });
    expect(answer.headers[OUTCOME_HEADER]).toBe('limited');
  });
});
