import { initialFlags } from '../../../../contracts/flags/flags-document';
import { BreakerRegistry } from '../../../../guard/breaker';
import { compileShedTable } from '../../../../gate/proxy/degradation-policy';
import { createFallbackStore } from '../../../../gate/proxy/fallback-store';
import { GateState } from '../../../../gate/pipeline/gate-state';
import { FlagsStep } from '../../../../gate/pipeline/steps/flags-step';
import { FakeClock } from '../../../support/fake-clock';
import { createTestHttpClient } from '../../proxy/fixtures/http-client';
import { testConfig } from '../../proxy/fixtures/test-config';
import { PASSED_HEADER, routingSteps, startStepServer, stepParts, type StepServer } from '../fixtures/step-server';

const config = testConfig();

describe('the flags step', () => {
  const http = createTestHttpClient();
  const state = new GateState(initialFlags());
  const breakers = new BreakerRegistry({
    defaults: { clock: new FakeClock() },
    dependencies: ['inventory', 'payments', 'recommender'],
  });
  let server: StepServer;

  beforeAll(async () => {
    const parts = stepParts(config);
    const flags = new FlagsStep(
      state,
      compileShedTable(config.degradation),
      breakers,
      createFallbackStore(config.routes),
      parts.answers,
      parts.metrics,
    );
    server = await startStepServer([...routingSteps(config, parts, new FakeClock()), flags], parts.answers);
  });
  afterAll(async () => {
    breakers.close();
    await server.close();
    await http.close();
  });

  // Levels of the example config: 1 sheds low, 2 sheds low and normal, 3 sheds high too.
  it.each([
    { level: 0, open: [], path: '/api/recommendations', status: 204, outcome: undefined, retryAfter: undefined },
    { level: 1, open: [], path: '/api/recommendations', status: 200, outcome: 'fallback', retryAfter: undefined },
    { level: 1, open: [], path: '/about', status: 204, outcome: undefined, retryAfter: undefined },
    { level: 2, open: [], path: '/about', status: 503, outcome: 'degraded', retryAfter: '5' },
    { level: 3, open: [], path: '/api/cart', status: 503, outcome: 'degraded', retryAfter: '5' },
    { level: 3, open: [], path: '/api/checkout', status: 204, outcome: undefined, retryAfter: undefined },
    {
      level: 0,
      open: ['inventory'],
      path: '/api/products/1',
      status: 503,
      outcome: 'short-circuited',
      retryAfter: expect.any(String),
    },
    {
      level: 0,
      open: ['recommender'],
      path: '/api/recommendations',
      status: 200,
      outcome: 'fallback',
      retryAfter: undefined,
    },
    {
      level: 0,
      open: ['recommender'],
      path: '/api/products/1',
      status: 204,
      outcome: undefined,
      retryAfter: undefined,
    },
  ])(
    'level $level, open $open: $path → $status $outcome',
    async ({ level, open, path, status, outcome, retryAfter }) => {
      state.flags = { ...initialFlags(), level };
      breakers.applyFlags(open);
      const answer = await http.send(path === '/api/checkout' ? 'POST' : 'GET', `${server.url}${path}`);
      expect(answer.status).toBe(status);
      expect(answer.headers['saleday-outcome']).toBe(outcome);
      expect(answer.headers['retry-after']).toEqual(retryAfter);
      if (status === 204) expect(answer.headers[PASSED_HEADER]).toBe('passed');
    },
  );
});
