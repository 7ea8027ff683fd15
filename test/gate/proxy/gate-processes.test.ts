/**
 * Two gate processes sharing one Redis: one user key hammering both is limited in total to its
 * limit, not to twice it. Also: both entries (gate/main.ts and `saleday gate`) print the listening
 * line and then only EMF on stdout, and exit cleanly on SIGTERM.
 */
import { startRedisServer, type RedisServerHandle } from '../../support/redis-server';
import { createTestHttpClient } from './fixtures/http-client';
import { spawnGateProcess, type GateProcess } from './fixtures/gate-processes';
import { testConfig } from './fixtures/test-config';
import { startTestUpstream, type TestUpstream } from './fixtures/test-upstream';

describe('two gate processes on one Redis', () => {
  let redis: RedisServerHandle;
  let upstream: TestUpstream;
  let gates: GateProcess[] = [];
  const http = createTestHttpClient();

  beforeAll(async () => {
    // A private Redis: the processes use the production key prefix.
    redis = await startRedisServer();
    upstream = await startTestUpstream();
    // One through the container entry (settings from the environment), one through `saleday gate`.
    const config = testConfig();
    // A busy test machine can stall a Redis answer past the default 50 ms, and a gate that falls back
    // to its local share would count the key alone: this test is about the shared count.
    config.gate.redisTimeoutMs = 2_000;
    gates = await Promise.all(
      (['main', 'cli'] as const).map((via) =>
        spawnGateProcess({ config, upstream: upstream.url, redisUrl: redis.url, via }),
      ),
    );
  }, 60_000);

  afterAll(async () => {
    await http.close();
    await Promise.all(gates.map((g) => g.stop()));
    await upstream.close();
    await redis.kill();
  });

  it('limits one user key to its limit in total across both gates', async () => {
    const started = Date.now();
    const allowedPerGate = [0, 0];
    let limited = 0;
    // checkout: token bucket of 5, refilled at 0.5/s
    await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const gate = i % 2;
        const answer = await http.send('POST', `${gates[gate].url}/api/checkout`, {
          headers: { 'x-user-id': 'hammer', 'content-type': 'application/json' },
          body: '{"productId":"p1","quantity":1}',
        });
        if (answer.status === 201) allowedPerGate[gate] += 1;
        else if (answer.status === 429) limited += 1;
      }),
    );
    const elapsedSeconds = (Date.now() - started) / 1000;
    const allowed = allowedPerGate[0] + allowedPerGate[1];
    expect(allowed).toBeGreaterThanOrEqual(5);
    expect(allowed).toBeLessThanOrEqual(5 + Math.ceil(elapsedSeconds * 0.5));
    expect(limited).toBe(40 - allowed);
    // (each gate alone would have allowed 5, 10 in all: the bucket is shared)
  });

  it.each([0, 1])(
    'gate %i prints EMF lines on stdout after the listening line, and exits cleanly on SIGTERM',
    async (index) => {
      const gate = gates[index];
      const deadline = Date.now() + 3000;
      while (!gate.stdout.some((l) => l.includes('"_aws"')) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      expect(JSON.parse(gate.stdout[0])).toEqual({ event: 'listening', url: gate.url });
      const emf = gate.stdout.slice(1).map((l) => JSON.parse(l));
      expect(emf.length).toBeGreaterThan(0);
      expect(emf.every((r) => r._aws.CloudWatchMetrics[0].Namespace === 'Saleday/Gate')).toBe(true);
      expect(await gate.stop()).toBe(0);
    },
  );
});
