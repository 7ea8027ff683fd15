import { createAdmissionController, type PriorityAdmissionController } from '../../../../guard/shed';
import { createFallbackStore } from '../../../../gate/proxy/fallback-store';
import type { Step } from '../../../../gate/pipeline/request-context';
import { AdmitStep } from '../../../../gate/pipeline/steps/admit-step';
import { FakeClock } from '../../../support/fake-clock';
import { createTestHttpClient, type HttpAnswer } from '../../proxy/fixtures/http-client';
import { testConfig } from '../../proxy/fixtures/test-config';
import { PASSED_HEADER, routingSteps, startStepServer, stepParts, type StepServer } from '../fixtures/step-server';

/** Two slots in all (at most one for normal or low), one queued request per class: a few requests fill, queue and overflow them. */
const config = testConfig((raw) => {
  raw.gate.concurrency = { initialLimit: 2, minLimit: 2, maxLimit: 2, criticalReservedShare: 0 };
  raw.gate.queue = { ...raw.gate.queue, maxLengthPerClass: 1, maxWaitMs: 60_000 };
});

describe('the admit step', () => {
  const clock = new FakeClock();
  let admission: PriorityAdmissionController;
  let server: StepServer;
  /** Requests admitted past the admit step wait here until a test lets them go. */
  const held: Array<() => void> = [];
  const hold: Step = { name: 'hold', run: () => new Promise((resolve) => held.push(() => resolve('next'))) };
  const waitFor = async (condition: () => boolean) => {
    const deadline = Date.now() + 10_000;
    while (!condition()) {
      if (Date.now() > deadline)
        throw new Error(`still waiting: ${held.length} held, ${JSON.stringify(admission.snapshot())}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };

  beforeAll(async () => {
    const parts = stepParts(config);
    admission = createAdmissionController({ ...config.gate, clock });
    const admit = new AdmitStep(admission, createFallbackStore(config.routes), parts.answers, parts.metrics);
    server = await startStepServer([...routingSteps(config, parts, clock), admit, hold], parts.answers);
  });
  afterAll(async () => {
    admission.close();
    await server.close();
  });

  it('admits while slots are free, queues one more, refuses past the queue, and gives every slot back', async () => {
    const http = createTestHttpClient();
    const page = () => http.get(`${server.url}/about`);
    const first = [page()];
    await waitFor(() => held.length === 1);
    const queued = page();
    await waitFor(() => admission.snapshot().queuedByClass.normal === 1);
    const overflow: HttpAnswer = await page();
    expect(overflow.status).toBe(503);
    expect(overflow.headers['saleday-outcome']).toBe('shed');
    expect(Number(overflow.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    held.splice(0).forEach((release) => release());
    await waitFor(() => held.length === 1);
    held.splice(0).forEach((release) => release());
    for (const answer of await Promise.all([...first, queued])) expect(answer.headers[PASSED_HEADER]).toBe('passed');
    expect(admission.snapshot().inFlight).toBe(0);
    await http.close();
  });

  it('answers a queued request of a class the level now sheds with its fallback, or 503 degraded without one', async () => {
    const http = createTestHttpClient();
    const page = () => http.get(`${server.url}/about`);
    const recommendations = () => http.get(`${server.url}/api/recommendations`);
    // A low request queues behind one normal in flight: the rest of the limit is kept for higher classes.
    const full = [page()];
    await waitFor(() => held.length === 1);
    const low = recommendations();
    const normal = page();
    await waitFor(
      () => admission.snapshot().queuedByClass.low === 1 && admission.snapshot().queuedByClass.normal === 1,
    );
    admission.setShedClasses(['low', 'normal']);
    const [fallback, degraded] = await Promise.all([low, normal]);
    expect([fallback.status, fallback.headers['saleday-outcome']]).toEqual([200, 'fallback']);
    expect([degraded.status, degraded.headers['saleday-outcome'], degraded.headers['retry-after']]).toEqual([
      503,
      'degraded',
      '5',
    ]);
    admission.setShedClasses([]);
    held.splice(0).forEach((release) => release());
    await Promise.all(full);
    expect(admission.snapshot().inFlight).toBe(0);
    await http.close();
  });
});
