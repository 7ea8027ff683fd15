/**
 * Redis killed mid-test: the gate keeps serving, deciding rate limits locally (RedisFallback 1 in
 * its metrics) and keeping its last-known flags; after Redis comes back it returns to it.
 */
import Redis from 'ioredis';
import { FLAGS_CHANNEL, FLAGS_KEY, initialFlags } from '../../../contracts/flags/flags-document';
import { OUTCOME_HEADER } from '../../../contracts/metrics/gate-metrics';
import { silentLogger } from '../../../gate/proxy/gate-logger';
import { startGate, type StartedGate } from '../../../gate/proxy/gate-server';
import { startRedisServer, type RedisServerHandle } from '../../support/redis-server';
import { createTestHttpClient } from './fixtures/http-client';
import { testConfig } from './fixtures/test-config';
import { startTestUpstream, type TestUpstream } from './fixtures/test-upstream';

interface Snapshot {
  process: { redisFallback: boolean; flagsLevel: number };
  rateLimitSources: Record<string, number>;
}

describe('the gate when Redis dies and comes back', () => {
  let redis: RedisServerHandle;
  let upstream: TestUpstream;
  let gate: StartedGate;
  const emf: string[] = [];
  const http = createTestHttpClient();

  beforeAll(async () => {
    redis = await startRedisServer();
    upstream = await startTestUpstream();
    const config = testConfig((raw) => {
      raw.gate.flagsPollMs = 200;
      // This gate stands alone: its fallback may allow the whole limit (by default, its fleet share).
      raw.gate.localShare = 1;
    });
    gate = await startGate({
      config,
      upstream: upstream.url,
      port: 0,
      redisUrl: redis.url,
      logger: silentLogger,
      metricsSink: (l) => emf.push(l),
      metricsIntervalMs: 100,
    });
  });

  afterAll(async () => {
    await http.close();
    await gate.close();
    await upstream.close();
    await redis.kill();
  });

  const snapshot = async () => (await http.get(`${gate.url}/_gate/metrics`)).json<Snapshot>();
  const product = (user: string) => http.get(`${gate.url}/api/products/1`, { 'x-user-id': user });
  const waitFor = async (predicate: () => Promise<boolean>, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await predicate()) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  };

  it('serves on the local fallback while Redis is down, keeps its flags, and returns to Redis after a restart', async () => {
    // Flags written to Redis reach the gate (level 1 sheds low: recommendations get their fallback).
    const writer = new Redis(redis.url);
    const doc = { ...initialFlags(), version: 7, level: 1, updatedAt: new Date().toISOString(), reason: 'test' };
    await writer.set(FLAGS_KEY, JSON.stringify(doc));
    await writer.publish(FLAGS_CHANNEL, JSON.stringify(doc));
    await writer.quit();
    expect(await waitFor(async () => (await snapshot()).process.flagsLevel === 1, 5000)).toBe(true);

    expect((await product('before')).headers[OUTCOME_HEADER]).toBe('served');
    expect((await snapshot()).rateLimitSources.redis).toBeGreaterThan(0);

    await redis.kill();
    const during = [];
    for (let i = 0; i < 20; i++) during.push(await product(`during-${i % 4}`));
    expect(during.every((a) => a.status === 200 && a.headers[OUTCOME_HEADER] === 'served')).toBe(true);
    const down = await snapshot();
    expect(down.process.redisFallback).toBe(true);
    expect(down.process.flagsLevel).toBe(1); // last-known flags kept
    expect((await http.get(`${gate.url}/api/recommendations`, { 'x-user-id': 'during' })).headers[OUTCOME_HEADER]).toBe(
      'fallback',
    );
    const health = (await http.get(`${gate.url}/healthz`)).json<{ redis: { fallback: boolean } }>();
    expect(health.redis.fallback).toBe(true);
    await new Promise((r) => setTimeout(r, 250));
    expect(emf.map((l) => JSON.parse(l)).some((r) => r.RedisFallback === 1)).toBe(true);

    // Limits still hold locally: one key hammering product (GCRA burst 20) is limited.
    const hammer = [];
    for (let i = 0; i < 30; i++) hammer.push((await product('hammer-during-outage')).status);
    expect(hammer.filter((s) => s === 429).length).toBeGreaterThan(0);

    redis = await redis.restart();
    const back = await waitFor(async () => {
      await product('after');
      return !(await snapshot()).process.redisFallback;
    }, 15_000);
    expect(back).toBe(true);
    emf.length = 0;
    await new Promise((r) => setTimeout(r, 250));
    expect(
      emf
        .map((l) => JSON.parse(l))
        .filter((r) => r.RedisFallback !== undefined)
        .at(-1)?.RedisFallback,
    ).toBe(0);
  });
});
