/**
 * A gate whose flags key stays missing says so: one log line per episode, naming when it began in
 * wall time, and the FlagsKeyMissing gauge, while it keeps obeying its last-known document.
 */
import { FLAGS_CHANNEL, FLAGS_KEY, initialFlags } from '../../../contracts/flags/flags-document';
import { createJsonLogger } from '../../../gate/proxy/gate-logger';
import { startGate, type StartedGate } from '../../../gate/proxy/gate-server';
import { systemClock, wallClock } from '../../../guard/clock';
import { createRedisConnection } from '../../../guard/redis/redis-connection';
import { startRedisServer, type RedisServerHandle } from '../../support/redis-server';
import { createTestHttpClient } from './fixtures/http-client';
import { testConfig } from './fixtures/test-config';
import { startTestUpstream, type TestUpstream } from './fixtures/test-upstream';

describe('the gate when the flags key is missing', () => {
  let redis: RedisServerHandle;
  let upstream: TestUpstream;
  let gate: StartedGate;
  const logs: Array<{ level: string; message: string; since?: string }> = [];
  const emf: Array<Record<string, unknown>> = [];
  const http = createTestHttpClient();
  const startedAt = Date.now();

  beforeAll(async () => {
    redis = await startRedisServer();
    upstream = await startTestUpstream();
    const config = testConfig((raw) => {
      raw.gate.flagsPollMs = 50;
    });
    const logger = createJsonLogger({
      write: (line) => logs.push(JSON.parse(line) as { level: string; message: string }),
    });
    gate = await startGate({
      config,
      upstream: upstream.url,
      port: 0,
      redisUrl: redis.url,
      logger,
      metricsSink: (line) => emf.push(JSON.parse(line) as Record<string, unknown>),
      metricsIntervalMs: 50,
      // A monotonic clock five hours behind the wall clock, as after a VM pause.
      clock: { now: () => systemClock.now() - 5 * 3_600_000 },
      wallClock,
    });
  });

  afterAll(async () => {
    await http.close();
    await gate.close();
    await upstream.close();
    await redis.kill();
  });

  const snapshot = async () =>
    (await http.get(`${gate.url}/_gate/metrics`)).json<{ process: { flagsKeyMissing: boolean; flagsLevel: number } }>();
  const waitFor = async (what: string, predicate: () => Promise<boolean> | boolean, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await predicate())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const missingLines = () => logs.filter((l) => l.message.startsWith('flags key missing'));

  it('logs once per episode, reports FlagsKeyMissing, and keeps its last-known level', async () => {
    const admin = createRedisConnection({ url: redis.url });
    const doc = JSON.stringify({ ...initialFlags(new Date()), version: Date.now(), level: 1, reason: 'test' });
    await admin.set(FLAGS_KEY, doc);
    await admin.publish(FLAGS_CHANNEL, doc);
    await waitFor('level 1', async () => (await snapshot()).process.flagsLevel === 1);

    await admin.del(FLAGS_KEY);
    await waitFor('the missing key reported', async () => (await snapshot()).process.flagsKeyMissing);
    await waitFor('FlagsKeyMissing 1 in EMF', () => emf.some((r) => r.FlagsKeyMissing === 1));
    // Many more polls of the same episode: still one line.
    const polls = emf.length;
    await waitFor('more metric records', () => emf.length > polls + 10);
    expect(missingLines()).toHaveLength(1);
    const since = Date.parse(missingLines()[0]!.since ?? '');
    // The episode may count from the gate's first reads, when no read had seen the key yet.
    expect(since).toBeGreaterThanOrEqual(startedAt);
    expect(since).toBeLessThanOrEqual(Date.now());
    expect((await snapshot()).process.flagsLevel).toBe(1);

    await admin.set(FLAGS_KEY, doc);
    await waitFor('the key back', async () => !(await snapshot()).process.flagsKeyMissing);
    expect(logs.some((l) => l.message === 'flags key back in Redis')).toBe(true);
    await admin.del(FLAGS_KEY);
    await waitFor('a second episode', () => missingLines().length === 2);
    admin.disconnect();
  });
});
