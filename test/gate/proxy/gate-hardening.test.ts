/**
 * Bad input on raw sockets: malformed requests, huge headers, oversized bodies (declared and
 * chunked), slow clients. Each gets its 4xx with the outcome header, and the gate keeps serving.
 */
import { connect } from 'node:net';
import { MemoryFlags } from '../../../guard/flags/memory-flags';
import { OUTCOME_HEADER } from '../../../contracts/metrics/gate-metrics';
import { silentLogger } from '../../../gate/proxy/gate-logger';
import { startGate, type StartedGate } from '../../../gate/proxy/gate-server';
import { uniquePrefix } from '../../support/test-redis';
import { createTestHttpClient } from './fixtures/http-client';
import { rawExchange } from './fixtures/raw-exchange';
import { testConfig } from './fixtures/test-config';
import { startTestUpstream, type TestUpstream } from './fixtures/test-upstream';

const statusOf = (raw: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1]);

describe('the gate under bad input', () => {
  let upstream: TestUpstream;
  let gate: StartedGate;
  let port: number;
  const http = createTestHttpClient();
  const flags = new MemoryFlags();

  beforeAll(async () => {
    upstream = await startTestUpstream();
    const config = testConfig((raw) => {
      raw.gate.maxBodyBytes = 1024;
      raw.gate.maxHeaderBytes = 4096;
      // every route at the global cap (the example gives cart and checkout their own)
      for (const route of raw.routes) delete route.maxBodyBytes;
    });
    gate = await startGate({
      config,
      upstream: upstream.url,
      port: 0,
      flags,
      logger: silentLogger,
      metricsSink: () => undefined,
      rateLimitPrefix: uniquePrefix('hardening'),
      timeouts: { headersTimeoutMs: 300, requestTimeoutMs: 600 },
    });
    port = Number(new URL(gate.url).port);
  });

  afterAll(async () => {
    await http.close();
    await gate.close();
    await flags.close();
    await upstream.close();
  });

  const stillServing = async () => {
    const answer = await http.get(`${gate.url}/api/products/1`, { 'x-user-id': 'u-alive' });
    expect(answer.status).toBe(200);
  };

  it.each([
    ['garbage instead of a request line', 'NOT HTTP AT ALL\r\n\r\n'],
    ['a header without a colon', 'GET / HTTP/1.1\r\nHost: x\r\nbroken header\r\n\r\n'],
    ['an invalid method token', 'G(T / HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['a NUL in the request line', 'GET /\u0000 HTTP/1.1\r\nHost: x\r\n\r\n'],
    [
      'conflicting Content-Length and Transfer-Encoding',
      'POST /api/checkout HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    ],
    ['a bad chunk size', 'POST /api/checkout HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n'],
  ])('answers %s with 400', async (_name, bytes) => {
    const raw = await rawExchange(port, [bytes]);
    expect(statusOf(raw)).toBe(400);
    expect(raw.toLowerCase()).toContain(`${OUTCOME_HEADER}: bad-request`);
    await stillServing();
  });

  it('answers an absolute-form target with 400 rather than proxying anywhere else', async () => {
    const raw = await rawExchange(port, [
      'GET http://evil.example/api/products HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n',
    ]);
    expect(statusOf(raw)).toBe(400);
    await stillServing();
  });

  it('answers huge headers with 431', async () => {
    const raw = await rawExchange(port, [
      `GET /api/products HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(8000)}\r\n\r\n`,
    ]);
    expect(statusOf(raw)).toBe(431);
    expect(raw.toLowerCase()).toContain(`${OUTCOME_HEADER}: bad-request`);
    await stillServing();
  });

  it('answers a declared oversized body with 413 before reading it', async () => {
    const raw = await rawExchange(port, [
      'POST /api/checkout HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n',
      '{"a":1}',
    ]);
    expect(statusOf(raw)).toBe(413);
    expect(raw.toLowerCase()).toContain(`${OUTCOME_HEADER}: bad-request`);
    await stillServing();
  });

  it('answers a chunked body that grows past the limit with 413', async () => {
    const chunk = 'x'.repeat(600);
    const piece = `${chunk.length.toString(16)}\r\n${chunk}\r\n`;
    const raw = await rawExchange(
      port,
      [
        'POST /api/checkout HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n',
        piece,
        piece,
        piece,
        '0\r\n\r\n',
      ],
      { gapMs: 20 },
    );
    expect(statusOf(raw)).toBe(413);
    await stillServing();
  });

  it('cuts off a slowloris client that never finishes its headers (408)', async () => {
    const raw = await rawExchange(
      port,
      [
        'GET /api/products HTTP/1.1\r\n',
        'Host: x\r\n',
        'X-A: 1\r\n',
        'X-B: 2\r\n',
        'X-C: 3\r\n',
        'X-D: 4\r\n',
        'X-E: 5\r\n',
        'X-F: 6\r\n',
      ],
      { gapMs: 150, waitMs: 4000 },
    );
    expect(statusOf(raw)).toBe(408);
    await stillServing();
  });

  it('cuts off a client that trickles its body (408), without taking an app connection', async () => {
    const before = upstream.received.get('/api/checkout') ?? 0;
    const pieces = [
      'POST /api/checkout HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n',
      ...Array.from({ length: 12 }, () => 'x'),
    ];
    const raw = await rawExchange(port, pieces, { gapMs: 100, waitMs: 4000 });
    expect(statusOf(raw)).toBe(408);
    expect(upstream.received.get('/api/checkout') ?? 0).toBe(before);
    await stillServing();
  });

  it('survives clients that vanish mid-request', async () => {
    for (let i = 0; i < 20; i++) {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.on('connect', () => {
        socket.write('POST /api/checkout HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"a"');
        setTimeout(() => socket.destroy(), 5);
      });
    }
    await new Promise((r) => setTimeout(r, 100));
    await stillServing();
  });

  it('keeps a connection alive across requests (HTTP/1.1 keep-alive)', async () => {
    const raw = await rawExchange(
      port,
      [
        'GET /api/products/1 HTTP/1.1\r\nHost: x\r\nX-User-Id: u-ka\r\n\r\n',
        'GET /api/products/2 HTTP/1.1\r\nHost: x\r\nX-User-Id: u-ka\r\nConnection: close\r\n\r\n',
      ],
      { gapMs: 50 },
    );
    expect(raw.match(/HTTP\/1\.1 200/g)).toHaveLength(2);
  });
});
