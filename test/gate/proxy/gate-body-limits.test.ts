/**
 * Bodies at the gate: each route's cap, one budget for all bodies in memory, a cap on open
 * connections, and refused bodies answered so the client reads the answer (lingering close).
 * Real gate and app on port 0, raw sockets and undici's fetch as clients.
 */
import { connect, type Socket } from 'node:net';
import { fetch } from 'undici';
import { MemoryFlags } from '../../../guard/flags/memory-flags';
import { OUTCOME_HEADER } from '../../../contracts/metrics/gate-metrics';
import { silentLogger } from '../../../gate/proxy/gate-logger';
import { startGate, type StartedGate } from '../../../gate/proxy/gate-server';
import { uniquePrefix } from '../../support/test-redis';
import { createTestHttpClient } from './fixtures/http-client';
import { testConfig } from './fixtures/test-config';
import { startTestUpstream, type TestUpstream } from './fixtures/test-upstream';

const BUDGET = 64 * 1024;

/** A raw connection that collects what the gate answers. */
function openSocket(port: number): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', () => undefined);
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.once('connect', () => resolve({ socket, received: () => Buffer.concat(chunks).toString('latin1'), closed }));
    socket.once('error', reject);
  });
}

const statusOf = (raw: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1]);

async function eventually(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('request bodies at the gate', () => {
  let upstream: TestUpstream;
  let gate: StartedGate;
  let port: number;
  const flags = new MemoryFlags();
  const http = createTestHttpClient();

  beforeAll(async () => {
    upstream = await startTestUpstream();
    const config = testConfig((raw) => {
      raw.identity = { header: 'x-user-id', proof: 'none', trustedProxyHops: 0 };
      raw.gate.maxBufferedBytes = BUDGET;
      raw.routes.find((r: { name: string }) => r.name === 'pages').rateLimit = undefined;
    });
    gate = await startGate({
      config,
      upstream: upstream.url,
      port: 0,
      flags,
      logger: silentLogger,
      metricsSink: () => undefined,
      rateLimitPrefix: uniquePrefix('body-limits'),
    });
    port = Number(new URL(gate.url).port);
  });

  afterAll(async () => {
    await http.close();
    await gate.close();
    await flags.close();
    await upstream.close();
  });

  it('caps each route at what its app accepts: 16 KiB for checkout, the global cap elsewhere', async () => {
    const body = JSON.stringify({ pad: 'x'.repeat(20_000) });
    const checkout = await http.send('POST', `${gate.url}/api/checkout`, {
      headers: { 'content-type': 'application/json', 'x-user-id': 'big-body' },
      body,
    });
    expect(checkout.status).toBe(413);
    expect(checkout.headers[OUTCOME_HEADER]).toBe('bad-request');
    expect(checkout.json().error).toContain('16384');
    const page = await http.send('POST', `${gate.url}/some/page`, {
      headers: { 'content-type': 'application/json', 'x-user-id': 'big-body' },
      body,
    });
    expect(page.status).toBe(200);
  });

  it('holds at most its body budget across many concurrent large bodies: the rest get 503 at once', async () => {
    const declared = 15_000; // under the cart's 16 KiB cap; four fit the 64 KiB budget
    const clients = await Promise.all(Array.from({ length: 12 }, () => openSocket(port)));
    const seen: number[] = [];
    const sample = setInterval(() => seen.push(gate.gate.load().bufferedBodyBytes), 5);
    clients.forEach(({ socket }, i) =>
      socket.write(
        `POST /api/cart HTTP/1.1\r\nHost: x\r\nX-User-Id: budget-${i}\r\nContent-Type: application/json\r\nContent-Length: ${declared}\r\n\r\n{"a":"`,
      ),
    );
    await eventually(() => clients.filter((c) => statusOf(c.received()) === 503).length === 8);
    expect(gate.gate.load().bufferedBodyBytes).toBe(4 * declared);
    const refused = clients.filter((c) => statusOf(c.received()) === 503);
    for (const c of refused) {
      expect(c.received()).toMatch(/retry-after: 1\r\n/i);
      expect(c.received().toLowerCase()).toContain(`${OUTCOME_HEADER}: shed`);
    }
    // the four admitted ones finish their bodies and are served
    const admitted = clients.filter((c) => !c.received());
    expect(admitted).toHaveLength(4);
    for (const { socket } of admitted) socket.write(`${'x'.repeat(declared - 8)}"}`);
    await eventually(() => admitted.every((c) => statusOf(c.received()) === 200));
    clearInterval(sample);
    expect(Math.max(...seen)).toBeLessThanOrEqual(BUDGET);
    await eventually(() => gate.gate.load().bufferedBodyBytes === 0);
    for (const { socket } of clients) socket.destroy();
  });

  it('draws chunked bodies from the same budget as they arrive', async () => {
    const clients = await Promise.all(Array.from({ length: 10 }, () => openSocket(port)));
    const chunk = 'y'.repeat(10_000);
    const seen: number[] = [];
    const sample = setInterval(() => seen.push(gate.gate.load().bufferedBodyBytes), 5);
    clients.forEach(({ socket }, i) =>
      socket.write(
        `POST /api/cart HTTP/1.1\r\nHost: x\r\nX-User-Id: chunked-${i}\r\nTransfer-Encoding: chunked\r\n\r\n${chunk.length.toString(16)}\r\n${chunk}\r\n`,
      ),
    );
    // 10 KiB each: six fit in 64 KiB, the other four are refused
    await eventually(() => clients.filter((c) => statusOf(c.received()) === 503).length === 4);
    clearInterval(sample);
    expect(Math.max(...seen, gate.gate.load().bufferedBodyBytes)).toBeLessThanOrEqual(BUDGET);
    for (const { socket } of clients) socket.destroy();
    await eventually(() => gate.gate.load().bufferedBodyBytes === 0);
  });

  it.each([
    ['a declared 5 MiB body', () => Buffer.alloc(5 * 1024 * 1024, 0x61)],
    [
      'a 5 MiB body streamed without a length',
      () =>
        new ReadableStream<Uint8Array>({
          start(controller) {
            for (let i = 0; i < 80; i++) controller.enqueue(new Uint8Array(64 * 1024).fill(0x62));
            controller.close();
          },
        }),
    ],
  ])('answers %s from a Node fetch client with a readable 413, not a reset', async (_name, makeBody) => {
    for (let attempt = 0; attempt < 3; attempt++) {
      const response = await fetch(`${gate.url}/api/checkout`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-user-id': `fetch-${attempt}` },
        body: makeBody(),
        duplex: 'half',
      });
      expect(response.status).toBe(413);
      expect(response.headers.get(OUTCOME_HEADER)).toBe('bad-request');
      expect(((await response.json()) as { error: string }).error).toContain('16384');
    }
  });

  it('stops draining a refused body after a bounded number of bytes and closes the connection', async () => {
    const { socket, received, closed } = await openSocket(port);
    socket.write('POST /api/checkout HTTP/1.1\r\nHost: x\r\nX-User-Id: endless\r\nContent-Length: 1073741824\r\n\r\n');
    const piece = Buffer.alloc(64 * 1024, 0x63);
    let open = true;
    void closed.then(() => (open = false));
    const pump = async () => {
      while (open && socket.bytesWritten < 256 * 1024 * 1024) {
        if (!socket.write(piece)) await new Promise((r) => socket.once('drain', r).once('close', r));
      }
    };
    void pump();
    await closed;
    expect(statusOf(received())).toBe(413);
    // the gate read at most its lingering bound (plus what the kernels' buffers hold), never the gigabyte
    expect(socket.bytesWritten).toBeLessThan(64 * 1024 * 1024);
  }, 30_000);
});

describe('open connections at the gate', () => {
  let upstream: TestUpstream;
  let gate: StartedGate;
  let port: number;
  const flags = new MemoryFlags();

  beforeAll(async () => {
    upstream = await startTestUpstream();
    const config = testConfig((raw) => {
      raw.gate.maxConnections = 3;
    });
    gate = await startGate({
      config,
      upstream: upstream.url,
      port: 0,
      flags,
      logger: silentLogger,
      metricsSink: () => undefined,
      rateLimitPrefix: uniquePrefix('connections'),
    });
    port = Number(new URL(gate.url).port);
  });

  afterAll(async () => {
    await gate.close();
    await flags.close();
    await upstream.close();
  });

  it('answers a request on a connection past the cap with 503 and Retry-After, and serves again once connections close', async () => {
    const idle = await Promise.all(Array.from({ length: 3 }, () => openSocket(port)));
    await eventually(() => gate.gate.load().openConnections === 3);
    const extra = await openSocket(port);
    extra.socket.write('GET /api/products HTTP/1.1\r\nHost: x\r\n\r\n');
    await extra.closed;
    expect(statusOf(extra.received())).toBe(503);
    expect(extra.received()).toMatch(/retry-after: 1\r\n/i);
    expect(extra.received().toLowerCase()).toContain(`${OUTCOME_HEADER}: shed`);
    for (const { socket } of idle) socket.destroy();
    await eventually(() => gate.gate.load().openConnections === 0);
    const again = await openSocket(port);
    again.socket.write('GET /api/products HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await again.closed;
    expect(statusOf(again.received())).toBe(200);
  });
});
