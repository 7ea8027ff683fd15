import { initialFlags } from '../../../../contracts/flags/flags-document';
import { silentLogger } from '../../../../gate/proxy/gate-logger';
import { GateState } from '../../../../gate/pipeline/gate-state';
import { SpeculativeCalls } from '../../../../gate/pipeline/speculative-call';
import { RateLimitStep } from '../../../../gate/pipeline/steps/rate-limit-step';
import { closeGuards, createGuards, type GuardObjects } from '../../../../gate/runtime/guard-wiring';
import type { SaledayConfig } from '../../../../contracts/config/schema';
import { FakeClock } from '../../../support/fake-clock';
import { createTestHttpClient } from '../../proxy/fixtures/http-client';
import { testConfig } from '../../proxy/fixtures/test-config';
import { PASSED_HEADER, routingSteps, startStepServer, stepParts, type StepServer } from '../fixtures/step-server';

/** Checkout allows a burst of 5 per key, then one every 2 s (the example's token bucket), decided in process. */
describe.each([
  { limitBy: 'identity', sameBucket: false },
  { limitBy: 'ip', sameBucket: true },
])('the rate-limit step, limiting checkout by $limitBy', ({ limitBy, sameBucket }) => {
  const http = createTestHttpClient();
  const clock = new FakeClock();
  let guards: GuardObjects;
  let server: StepServer;
  const config: SaledayConfig = testConfig((raw) => {
    raw.gate.localShare = 1;
    raw.gate.rateLimitFields = 'always';
    raw.routes.find((r: { name: string }) => r.name === 'checkout').limitBy = limitBy;
  });
  const checkout = (user: string) =>
    http.send('POST', `${server.url}/api/checkout`, { headers: { 'x-user-id': user } });

  beforeAll(async () => {
    const parts = stepParts(config);
    guards = createGuards({ config, upstream: 'http://127.0.0.1:9' }, clock, silentLogger, 'test', () => undefined);
    // Without Redis no read is speculative, so the speculative part never calls the app here.
    const speculative = new SpeculativeCalls(guards.admission, undefined as never, undefined as never, parts.metrics);
    const step = new RateLimitStep(
      config.gate,
      new GateState(initialFlags()),
      speculative,
      parts.answers,
      parts.metrics,
      silentLogger,
    );
    server = await startStepServer([...routingSteps(config, parts, clock, guards.limiters), step], parts.answers);
  });
  afterAll(async () => {
    await server.close();
    await closeGuards(guards);
    await http.close();
  });

  it('passes a key its burst, refuses the next with 429 and its quota, and passes it again once a token is back', async () => {
    for (let i = 0; i < 5; i++) {
      const passed = await checkout('alice');
      expect(passed.headers[PASSED_HEADER]).toBe('passed');
    }
    const refused = await checkout('alice');
    expect(refused.status).toBe(429);
    expect(refused.headers['saleday-outcome']).toBe('limited');
    expect(refused.headers['ratelimit']).toMatch(/remaining=0/);
    const other = await checkout('bob');
    expect(other.status).toBe(sameBucket ? 429 : 204);
    clock.advance(2_000);
    expect((await checkout('alice')).status).toBe(204);
  });

  it('lets a route without a rate limit through', async () => {
    expect((await http.get(`${server.url}/assets/logo.png`, { 'x-user-id': 'alice' })).headers[PASSED_HEADER]).toBe(
      'passed',
    );
  });
});
