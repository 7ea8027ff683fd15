/**
 * The gate counts the 5xx answers it gives on the controller's orders (level sheds, open-breaker
 * short-circuits) apart, as DeliberateRefusals in its per-process EMF record, so the 5xx alarm can
 * leave them out; overload, upstream errors and fallbacks are not among them.
 */
import { initialFlags, type FlagsDocument } from '../../../contracts/flags/flags-document';
import { MemoryFlags } from '../../../guard/flags/memory-flags';
import { OUTCOME_HEADER, type GateOutcome } from '../../../contracts/metrics/gate-metrics';
import { isDeliberateRefusal } from '../../../gate/proxy/deliberate-refusal';
import { silentLogger } from '../../../gate/proxy/gate-logger';
import { startGate, type StartedGate } from '../../../gate/proxy/gate-server';
import { uniquePrefix } from '../../support/test-redis';
import { createTestHttpClient } from './fixtures/http-client';
import { testConfig } from './fixtures/test-config';
import { startTestUpstream, type TestUpstream } from './fixtures/test-upstream';

let version = 1;
function flagsDoc(level: number, open: string[] = []): FlagsDocument {
  const now = new Date().toISOString();
  return {
    ...initialFlags(),
    version: version++,
    level,
    updatedAt: now,
    reason: 'test',
    breakers: Object.fromEntries(open.map((name) => [name, { open: true, since: now, reason: 'test' }])),
  };
}

describe('isDeliberateRefusal', () => {
  it.each([
    [503, 'degraded', true],
    [503, 'short-circuited', true],
    [200, 'degraded', false], // a fallback is an answer, not a refusal
    [503, 'shed', false], // overload is real
    [502, 'upstream-error', false],
    [504, 'upstream-error', false],
    [500, 'upstream-error', false],
    [429, 'limited', false],
  ] as [number, GateOutcome, boolean][])('%i %s → %p', (status, outcome, expected) => {
    expect(isDeliberateRefusal(status, outcome)).toBe(expected);
  });
});

describe('DeliberateRefusals from a gate in front of an app', () => {
  let upstream: TestUpstream;
  let flags: MemoryFlags;
  let gate: StartedGate;
  const emf: string[] = [];
  const http = createTestHttpClient();

  beforeAll(async () => {
    upstream = await startTestUpstream();
    flags = new MemoryFlags();
    gate = await startGate({
      config: testConfig(),
      upstream: upstream.url,
      port: 0,
      flags,
      logger: silentLogger,
      metricsSink: (line) => emf.push(line),
      metricsIntervalMs: 60_000,
      rateLimitPrefix: uniquePrefix('deliberate'),
    });
  });

  afterAll(async () => {
    await http.close();
    await flags.close();
    await upstream.close();
  });

  it('counts level sheds and short-circuits answered 503, and nothing else', async () => {
    const user = { 'x-user-id': 'u-deliberate' };
    // Not deliberate: an app failure passed through, and a served request.
    upstream.failures.set('/about', 500);
    expect((await http.get(`${gate.url}/about`, user)).status).toBe(500);
    upstream.failures.clear();
    expect((await http.get(`${gate.url}/api/products`, user)).status).toBe(200);

    await flags.write(flagsDoc(2));
    const page = await http.get(`${gate.url}/about`, user);
    expect([page.status, page.headers[OUTCOME_HEADER]]).toEqual([503, 'degraded']);
    // A shed class answered from its fallback is no refusal.
    const products = await http.get(`${gate.url}/api/products`, user);
    expect([products.status, products.headers[OUTCOME_HEADER]]).toEqual([200, 'fallback']);

    await flags.write(flagsDoc(0, ['inventory']));
    const product = await http.get(`${gate.url}/api/products/5`, user);
    expect([product.status, product.headers[OUTCOME_HEADER]]).toEqual([503, 'short-circuited']);

    expect(gate.gate.metrics().deliberateRefusals).toBe(2);
    await gate.close(); // flushes the last second
    const records = emf.map(
      (line) =>
        JSON.parse(line) as Record<string, unknown> & {
          _aws: { CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
        },
    );
    const carrying = records.filter((r) => r.DeliberateRefusals !== undefined);
    expect(carrying.length).toBeGreaterThan(0);
    for (const record of carrying) {
      // Dimension Sale only: CloudWatch sums it over every gate of the fleet.
      expect(record._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([['Sale']]);
      expect(record._aws.CloudWatchMetrics[0]!.Metrics).toContainEqual({
        Name: 'DeliberateRefusals',
        Unit: 'Count',
        StorageResolution: 1,
      });
    }
    expect(carrying.reduce((sum, r) => sum + (r.DeliberateRefusals as number), 0)).toBe(2);
  });
});
