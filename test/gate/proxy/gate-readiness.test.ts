/**
 * The gate's readiness path (the load balancer's health check) follows the app: it fails when the
 * app stops answering, while the gate's own liveness (/healthz) stays 200, and it is never shed.
 */
import { createServer } from 'node:net';
import { READY_PATH, HEALTH_PATH } from '../../../contracts/reserved-paths';
import { initialFlags } from '../../../contracts/flags/flags-document';
import { MemoryFlags } from '../../../guard/flags/memory-flags';
import { silentLogger } from '../../../gate/proxy/gate-logger';
import { startGate, type StartedGate } from '../../../gate/proxy/gate-server';
import { createUpstreamReadiness } from '../../../gate/proxy/upstream-readiness';
import { FakeClock } from '../../support/fake-clock';
import { createTestHttpClient, type HttpAnswer } from './fixtures/http-client';
import { testConfig } from './fixtures/test-config';
import { startTestUpstream, type TestUpstream } from './fixtures/test-upstream';

const http = createTestHttpClient();
afterAll(() => http.close());

/** Asks until `accept` holds (a condition, not a fixed wait); generous for a busy machine. */
async function askUntil(url: string, accept: (answer: HttpAnswer) => boolean, timeoutMs = 15_000): Promise<HttpAnswer> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await http.get(url);
    if (accept(answer) || Date.now() > deadline) return answer;
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('the gate in front of an app that hangs', () => {
  let upstream: TestUpstream;
  let flags: MemoryFlags;
  let gate: StartedGate;

  beforeAll(async () => {
    upstream = await startTestUpstream();
    flags = new MemoryFlags();
    gate = await startGate({
      config: testConfig(),
      upstream: upstream.url,
      port: 0,
      flags,
      logger: silentLogger,
      metricsSink: () => undefined,
      readiness: { intervalMs: 50, timeoutMs: 200, staleAfterMs: 500 },
    });
  });

  afterAll(async () => {
    await gate.close();
    await flags.close();
    await upstream.close();
  });

  it('is ready while the app answers, not ready once it hangs, and ready again when it answers', async () => {
    const ready = await askUntil(`${gate.url}${READY_PATH}`, (a) => a.status === 200);
    expect(ready.status).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ready', app: { ready: true } });

    upstream.hanging.add('/');
    const notReady = await askUntil(`${gate.url}${READY_PATH}`, (a) => a.status === 503);
    expect(notReady.status).toBe(503);
    expect(notReady.json()).toMatchObject({
      status: 'not-ready',
      app: { ready: false, lastProbeError: expect.stringContaining('did not answer') },
    });
    // Liveness is the gate's own: it stays up, so ECS does not restart a gate whose app hangs.
    const live = await http.get(`${gate.url}${HEALTH_PATH}`);
    expect(live.status).toBe(200);

    upstream.hanging.clear();
    expect((await askUntil(`${gate.url}${READY_PATH}`, (a) => a.status === 200)).status).toBe(200);
  });

  it('is never shed by the degradation level', async () => {
    await flags.write({ ...initialFlags(), version: 100, level: 3, reason: 'test' });
    try {
      expect((await askUntil(`${gate.url}${READY_PATH}`, (a) => a.status === 200)).status).toBe(200);
      expect((await http.get(`${gate.url}/about`, { 'x-user-id': 'u-ready' })).status).toBe(503);
    } finally {
      await flags.write({ ...initialFlags(), version: 101, level: 0, reason: 'test' });
    }
  });
});

describe('createUpstreamReadiness', () => {
  /** A port nobody listens on: every probe fails, so only noteAnswer() moves the state. */
  async function closedPort(): Promise<number> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return typeof address === 'object' && address ? address.port : 0;
  }

  it('is ready only while the last answer is at most staleAfterMs old', async () => {
    const clock = new FakeClock();
    const changes: boolean[] = [];
    const readiness = createUpstreamReadiness({
      upstream: `http://127.0.0.1:${await closedPort()}`,
      clock,
      intervalMs: 1000,
      staleAfterMs: 5000,
      onChange: (s) => changes.push(s.ready),
    });
    try {
      await readiness.probe();
      expect(readiness.state()).toMatchObject({
        ready: false,
        lastAnswerAgoMs: null,
        lastProbeError: expect.stringContaining('unreachable'),
      });
      readiness.noteAnswer();
      clock.advance(5000);
      expect(readiness.state()).toMatchObject({ ready: true, lastAnswerAgoMs: 5000 });
      clock.advance(1);
      expect(readiness.state().ready).toBe(false);
      expect(changes).toEqual([true, false]);
    } finally {
      readiness.close();
    }
  });

  it('does not count an app that answers its health path with an error', async () => {
    const upstream = await startTestUpstream();
    upstream.failures.set('/healthz', 500);
    const readiness = createUpstreamReadiness({ upstream: upstream.url, clock: new FakeClock(), intervalMs: 1000 });
    try {
      await readiness.probe();
      expect(readiness.state()).toMatchObject({
        ready: false,
        lastProbeError: expect.stringContaining('answered 500'),
      });
      upstream.failures.clear();
      await readiness.probe();
      expect(readiness.state()).toMatchObject({ ready: true, lastProbeError: null });
    } finally {
      readiness.close();
      await upstream.close();
    }
  });

  it('refuses options that would make it flap, naming the field', () => {
    expect(() =>
      createUpstreamReadiness({
        upstream: 'http://127.0.0.1:1',
        clock: new FakeClock(),
        intervalMs: 1000,
        staleAfterMs: 1000,
      }),
    ).toThrow('readiness.staleAfterMs: got 1000; expected more than readiness.intervalMs (1000)');
    expect(() =>
      createUpstreamReadiness({ upstream: 'http://127.0.0.1:1', clock: new FakeClock(), timeoutMs: 0 }),
    ).toThrow('readiness.timeoutMs: got 0; expected a positive number of milliseconds');
  });
});
