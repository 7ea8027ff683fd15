/**
 * Answers Node's HTTP server would otherwise write on its own, without `saleday-outcome`: a
 * missing Host on HTTP/1.1 (400) and an Expect the gate cannot meet (417). Raw sockets against a
 * real gate.
 */
import { MemoryFlags } from '../../../guard/flags/memory-flags';
import { OUTCOME_HEADER } from '../../../contracts/metrics/gate-metrics';
import { silentLogger } from '../../../gate/proxy/gate-logger';
import { startGate, type StartedGate } from '../../../gate/proxy/gate-server';
import { uniquePrefix } from '../../support/test-redis';
import { rawExchange } from './fixtures/raw-exchange';
import { testConfig } from './fixtures/test-config';
import { startTestUpstream, type TestUpstream } from './fixtures/test-upstream';

describe('answers Node would write by itself', () => {
  let upstream: TestUpstream;
  let gate: StartedGate;
  let port: number;
  const flags = new MemoryFlags();

  beforeAll(async () => {
    upstream = await startTestUpstream();
    gate = await startGate({
      config: testConfig(),
      upstream: upstream.url,
      port: 0,
      flags,
      logger: silentLogger,
      metricsSink: () => undefined,
      rateLimitPrefix: uniquePrefix('node-answers'),
    });
    port = Number(new URL(gate.url).port);
  });

  afterAll(async () => {
    await gate.close();
    await flags.close();
    await upstream.close();
  });

  it('an HTTP/1.1 request without Host gets 400 with the outcome header', async () => {
    const raw = await rawExchange(port, ['GET /api/products HTTP/1.1\r\nX-User-Id: no-host\r\n\r\n'], { waitMs: 5000 });
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(raw.toLowerCase()).toContain(`${OUTCOME_HEADER}: bad-request`);
  });

  it('an Expect other than 100-continue gets 417 with the outcome header, its body unread', async () => {
    const raw = await rawExchange(
      port,
      ['POST /api/cart HTTP/1.1\r\nHost: x\r\nX-User-Id: expecting\r\nExpect: teapot\r\nContent-Length: 2\r\n\r\n{}'],
      { waitMs: 5000 },
    );
    expect(raw).toMatch(/^HTTP\/1\.1 417 /);
    expect(raw.toLowerCase()).toContain(`${OUTCOME_HEADER}: bad-request`);
    expect(upstream.received.get('/api/cart') ?? 0).toBe(0);
  });

  it('Expect: 100-continue still works', async () => {
    const raw = await rawExchange(
      port,
      [
        'POST /api/cart HTTP/1.1\r\nHost: x\r\nX-User-Id: continuing\r\nExpect: 100-continue\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}',
      ],
      { waitMs: 5000 },
    );
    expect(raw).toMatch(/^HTTP\/1\.1 100 Continue/);
    expect(raw).toMatch(/HTTP\/1\.1 200 /);
  });
});
