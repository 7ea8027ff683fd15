/**
 * What the gate and the app tell each other about failures: the app's `saleday-failed-dependency`
 * feeds that dependency's breaker alone (and never reaches the client), a checkout the gate gave up
 * on tells the client to retry with the same Idempotency-Key, and the app's 431 is counted as the
 * client's error. Real gate, a real HTTP app on port 0 whose answers each test sets.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { FAILED_DEPENDENCY_HEADER } from '../../../contracts/request-headers';
import { MemoryFlags } from '../../../guard/flags/memory-flags';
import { OUTCOME_HEADER } from '../../../contracts/metrics/gate-metrics';
import { silentLogger } from '../../../gate/proxy/gate-logger';
import { startGate, type StartedGate } from '../../../gate/proxy/gate-server';
import { uniquePrefix } from '../../support/test-redis';
import { createTestHttpClient } from './fixtures/http-client';
import { testConfig } from './fixtures/test-config';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

describe('failures between the gate and the app', () => {
  let app: Server;
  let handler: Handler = (_req, res) => res.end('{}');
  let gate: StartedGate;
  let namedBlameGate: StartedGate;
  const flags = new MemoryFlags();
  const http = createTestHttpClient();

  beforeAll(async () => {
    app = createServer((req, res) => {
      req.resume();
      req.on('end', () => handler(req, res));
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    const address = app.address();
    const configWith = (breakerBlame: 'route' | 'named') =>
      testConfig((raw) => {
        const checkout = raw.routes.find((r: { name: string }) => r.name === 'checkout');
        checkout.rateLimit = undefined;
        checkout.timeoutMs = 300;
        raw.routes.find((r: { name: string }) => r.name === 'pages').timeoutMs = 300;
        raw.gate.breakerBlame = breakerBlame;
      });
    const upstream = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const common = { upstream, port: 0, flags, logger: silentLogger, metricsSink: () => undefined };
    gate = await startGate({
      ...common,
      config: configWith('route'),
      rateLimitPrefix: uniquePrefix('upstream-contract'),
    });
    namedBlameGate = await startGate({
      ...common,
      config: configWith('named'),
      rateLimitPrefix: uniquePrefix('upstream-contract-named'),
    });
  });

  afterAll(async () => {
    await http.close();
    await gate.close();
    await namedBlameGate.close();
    await flags.close();
    app.closeAllConnections();
    await new Promise((r) => app.close(r));
  });

  const checkout = () =>
    http.send('POST', `${gate.url}/api/checkout`, {
      headers: { 'content-type': 'application/json', 'x-user-id': 'u-blame', 'idempotency-key': 'k-1' },
      body: '{}',
    });
  const failures = () => gate.gate.metrics().dependencies;

  it('blames only the dependency the app names, and keeps the header from the client', async () => {
    handler = (_req, res) =>
      res
        .writeHead(503, { [FAILED_DEPENDENCY_HEADER]: 'inventory', 'content-type': 'application/json' })
        .end('{"error":"inventory-unavailable"}');
    const before = failures();
    const answer = await checkout();
    expect(answer.status).toBe(503);
    expect(answer.headers[FAILED_DEPENDENCY_HEADER]).toBeUndefined();
    const after = failures();
    expect(after.inventory.failures - before.inventory.failures).toBe(1);
    // payments' health is unknown (it was most likely never called): nothing is recorded for it
    expect(after.payments.failures - before.payments.failures).toBe(0);
    expect(after.payments.calls - before.payments.calls).toBe(0);
  });

  it('blames every dependency of the route when the app names none, or one the route does not have', async () => {
    for (const named of [undefined, 'recommender']) {
      handler = (_req, res) => res.writeHead(500, named ? { [FAILED_DEPENDENCY_HEADER]: named } : {}).end();
      const before = failures();
      const answer = await checkout();
      expect(answer.status).toBe(500);
      expect(answer.headers[FAILED_DEPENDENCY_HEADER]).toBeUndefined();
      const after = failures();
      expect(after.inventory.failures - before.inventory.failures).toBe(1);
      expect(after.payments.failures - before.payments.failures).toBe(1);
    }
  });

  it('with breakerBlame named, feeds only a dependency the app names: no unnamed 5xx, timeout or slow answer', async () => {
    const namedFailures = () => namedBlameGate.gate.metrics().dependencies;
    const send = () =>
      http.send('POST', `${namedBlameGate.url}/api/checkout`, {
        headers: { 'content-type': 'application/json', 'x-user-id': 'u-named', 'idempotency-key': 'k-named' },
        body: '{}',
      });
    const before = namedFailures();
    handler = (_req, res) => res.writeHead(500).end();
    expect((await send()).status).toBe(500);
    handler = () => undefined; // never answers: the gate times out
    expect((await send()).status).toBe(504);
    let after = namedFailures();
    expect(after.inventory.failures - before.inventory.failures).toBe(0);
    expect(after.payments.failures - before.payments.failures).toBe(0);

    handler = (_req, res) => res.writeHead(503, { [FAILED_DEPENDENCY_HEADER]: 'inventory' }).end();
    expect((await send()).status).toBe(503);
    after = namedFailures();
    expect(after.inventory.failures - before.inventory.failures).toBe(1);
    expect(after.payments.failures - before.payments.failures).toBe(0);
  });

  it('a checkout the app did not answer in time tells the client to retry with the same Idempotency-Key', async () => {
    handler = () => undefined; // never answers
    const answer = await checkout();
    expect(answer.status).toBe(504);
    expect(answer.headers[OUTCOME_HEADER]).toBe('upstream-error');
    const body = answer.json<{ error: string; retry: string }>();
    expect(body.error).toContain('300 ms');
    expect(body.retry).toMatch(/same Idempotency-Key/);
    // a non-critical route's 504 says nothing of keys
    const page = await http.get(`${gate.url}/some/page`, { 'x-user-id': 'u-blame' });
    expect(page.status).toBe(504);
    expect(page.json()).not.toHaveProperty('retry');
  });

  it('counts the app’s 431 as the client’s bad request', async () => {
    handler = (_req, res) =>
      res.writeHead(431, { 'content-type': 'application/json' }).end('{"error":"headers too large"}');
    const answer = await http.get(`${gate.url}/some/page`, { 'x-user-id': 'u-431' });
    expect(answer.status).toBe(431);
    expect(answer.headers[OUTCOME_HEADER]).toBe('bad-request');
  });
});
