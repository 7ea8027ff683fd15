/**
 * Request-target tricks against a real gate on raw sockets: every spelling of checkout spends
 * checkout's limit, and the app's operator endpoints (`/_stats`, however spelled) are refused at
 * the gate before any rate limit or proxying, while the gate's own paths still answer.
 */
import { connect } from 'node:net';
import { MemoryFlags } from '../../../guard/flags/memory-flags';
import { OUTCOME_HEADER } from '../../../contracts/metrics/gate-metrics';
import { silentLogger } from '../../../gate/proxy/gate-logger';
import { startGate, type StartedGate } from '../../../gate/proxy/gate-server';
import { TRICKY_CHECKOUT_PATHS } from '../../support/tricky-paths';
import { uniquePrefix } from '../../support/test-redis';
import { testConfig } from './fixtures/test-config';
import { startTestUpstream, type TestUpstream } from './fixtures/test-upstream';

/** One request on its own connection, the target written byte for byte; resolves with status, headers and body. */
function rawRequest(
  port: number,
  method: string,
  target: string,
  headers: Record<string, string> = {},
  body = '',
): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const lines = Object.entries({
      host: 'shop.test',
      connection: 'close',
      'content-length': String(Buffer.byteLength(body)),
      ...headers,
    }).map(([k, v]) => `${k}: ${v}\r\n`);
    socket.on('connect', () => socket.write(`${method} ${target} HTTP/1.1\r\n${lines.join('')}\r\n${body}`));
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const raw = Buffer.concat(chunks).toString('latin1');
      const [head, ...rest] = raw.split('\r\n\r\n');
      const [statusLine, ...headerLines] = head.split('\r\n');
      const parsed: Record<string, string> = {};
      for (const line of headerLines)
        parsed[line.slice(0, line.indexOf(':')).toLowerCase()] = line.slice(line.indexOf(':') + 1).trim();
      resolve({ status: Number(statusLine.split(' ')[1]), headers: parsed, body: rest.join('\r\n\r\n') });
    });
  });
}

describe('request targets at the gate', () => {
  let upstream: TestUpstream;
  let gate: StartedGate;
  let port: number;
  const flags = new MemoryFlags();

  beforeAll(async () => {
    upstream = await startTestUpstream();
    const config = testConfig((raw) => {
      raw.identity = { header: 'x-user-id', proof: 'none', trustedProxyHops: 0 };
      // checkout: 2 per user and no refill within the test; the catch-all allows far more
      raw.routes[0].rateLimit = { algorithm: 'token-bucket', capacity: 2, refillPerSecond: 0.001 };
    });
    gate = await startGate({
      config,
      upstream: upstream.url,
      port: 0,
      flags,
      logger: silentLogger,
      metricsSink: () => undefined,
      rateLimitPrefix: uniquePrefix('paths'),
    });
    port = Number(new URL(gate.url).port);
  });

  afterAll(async () => {
    await gate.close();
    await flags.close();
    await upstream.close();
  });

  it.each(TRICKY_CHECKOUT_PATHS.map((p, i) => [p.target, p.expectRoute, i]))(
    'POST %s spends checkout’s limit (%s)',
    async (target, _route, i) => {
      const user = { 'x-user-id': `tricky-${i}`, 'content-type': 'application/json' };
      // Two plain checkouts use up the user's checkout quota ...
      for (let n = 0; n < 2; n++)
        expect((await rawRequest(port, 'POST', '/api/checkout', user, '{}')).status).toBe(201);
      // ... so the tricky spelling is refused by checkout's limit, not served by the catch-all's.
      const tricky = await rawRequest(port, 'POST', target as string, user, '{}');
      expect(tricky.status).toBe(429);
      expect(tricky.headers[OUTCOME_HEADER]).toBe('limited');
    },
  );

  it.each([
    '/_stats',
    '/%5Fstats',
    '/%5fstats',
    '//_stats',
    '/./_stats',
    '/x/../_stats',
    '/_STATS',
    '/_stats/',
    '/_stats?x=1',
    '/_stats#',
    '/_faults',
    '/_gate/../_stats',
    '/_gate/unknown',
  ])('refuses %s at the gate with 404, before rate limiting and without asking the app', async (target) => {
    const before = [...upstream.received.keys()].filter((p) => p.includes('_')).length;
    // far more than any rate limit would allow: every one is the same refusal
    for (let i = 0; i < 45; i++) {
      const answer = await rawRequest(port, 'GET', target, { 'x-user-id': 'operator-prober' });
      expect(answer.status).toBe(404);
      expect(answer.headers[OUTCOME_HEADER]).toBe('bad-request');
      expect(JSON.parse(answer.body).error).toMatch(/not served through the gate|no such gate endpoint/);
    }
    expect([...upstream.received.keys()].filter((p) => p.includes('_')).length).toBe(before);
  });

  it('still answers its own /healthz and, from loopback, /_gate/metrics', async () => {
    expect((await rawRequest(port, 'GET', '/healthz')).status).toBe(200);
    const metrics = await rawRequest(port, 'GET', '/_gate/metrics');
    expect(metrics.status).toBe(200);
    expect(JSON.parse(metrics.body)).toHaveProperty('outcomes');
  });
});
