import { createAdmissionController } from '../../../guard/shed';
import { BodyBudget } from '../../../gate/proxy/body-limits';
import { Pipeline } from '../../../gate/pipeline/pipeline';
import { releaseRequest } from '../../../gate/pipeline/release-request';
import { RequestContext, type Step, type StepResult } from '../../../gate/pipeline/request-context';
import { createTestHttpClient } from '../proxy/fixtures/http-client';
import { testConfig } from '../proxy/fixtures/test-config';
import { FakeClock } from '../../support/fake-clock';
import { PASSED_HEADER, startStepServer, stepParts, type StepServer } from './fixtures/step-server';

const config = testConfig();
const admissionOf = (clock: FakeClock) => createAdmissionController({ ...config.gate, clock });
/** A context outside HTTP: these steps and releaseRequest never touch the request or response. */
const bareContext = () => new RequestContext(undefined as never, undefined as never);
const step = (name: string, result: StepResult | (() => Promise<StepResult>), ran: string[]): Step => ({
  name,
  run: () => {
    ran.push(name);
    return typeof result === 'string' ? result : result();
  },
});

describe('Pipeline', () => {
  it('runs the steps in order until one answers, and no further', async () => {
    const ran: string[] = [];
    await new Pipeline([step('a', 'next', ran), step('b', 'answered', ran), step('c', 'next', ran)]).run(bareContext());
    expect(ran).toEqual(['a', 'b']);
  });

  it('runs synchronous steps without waiting a turn, and waits for a step that returns a promise', async () => {
    const ran: string[] = [];
    const running = new Pipeline([
      step('a', 'next', ran),
      step('b', 'next', ran),
      step('c', async () => 'next', ran),
      step('d', 'answered', ran),
    ]).run(bareContext());
    expect(ran).toEqual(['a', 'b', 'c']);
    await running;
    expect(ran).toEqual(['a', 'b', 'c', 'd']);
  });

  it.each<[string, Step]>([
    ['answers', { name: 'answers', run: () => 'answered' }],
    ['passes on', { name: 'passes', run: () => 'next' }],
    [
      'throws',
      {
        name: 'throws',
        run: () => {
          throw new Error('a bug');
        },
      },
    ],
    ['rejects', { name: 'rejects', run: () => Promise.reject(new Error('a bug')) }],
  ])('gives back the slot and the body memory a request holds when its last step %s', async (_, last) => {
    const clock = new FakeClock();
    const admission = admissionOf(clock);
    const budget = new BodyBudget(1000);
    const context = bareContext();
    const hold: Step = {
      name: 'hold',
      run: (c) => {
        c.permit = admission.tryAcquire('normal');
        c.reservation = budget.reservation();
        c.reservation.growTo(600);
        return 'next';
      },
    };
    expect(admission.snapshot().inFlight).toBe(0);
    await new Pipeline([hold, last]).run(context).catch(() => undefined);
    expect(admission.snapshot().inFlight).toBe(0);
    expect(budget.bufferedBytes).toBe(0);
    admission.close();
  });
});

describe('releaseRequest', () => {
  it('releases each holding once, however often it is called', () => {
    const clock = new FakeClock();
    const admission = admissionOf(clock);
    const budget = new BodyBudget(1000);
    const first = bareContext();
    const other = bareContext();
    first.permit = admission.tryAcquire('high');
    other.permit = admission.tryAcquire('high');
    first.reservation = budget.reservation();
    first.reservation.growTo(100);
    other.reservation = budget.reservation();
    other.reservation.growTo(50);
    releaseRequest(first);
    releaseRequest(first);
    expect(admission.snapshot().inFlight).toBe(1);
    expect(budget.bufferedBytes).toBe(50);
    expect(first.permit).toBeUndefined();
    expect(first.reservation).toBeUndefined();
    releaseRequest(other);
    expect(admission.snapshot().inFlight).toBe(0);
    admission.close();
  });
});

describe('a pipeline behind the gate server', () => {
  const http = createTestHttpClient();
  let server: StepServer;
  afterAll(() => http.close());
  afterEach(() => server.close());

  it('answers a step that throws with a 500 and keeps serving', async () => {
    const { answers } = stepParts(config);
    let calls = 0;
    server = await startStepServer(
      [{ name: 'flaky', run: () => (++calls === 1 ? Promise.reject(new Error('a bug')) : 'next') }],
      answers,
    );
    const failed = await http.get(`${server.url}/x`);
    expect(failed.status).toBe(500);
    expect(failed.headers['saleday-outcome']).toBe('upstream-error');
    expect((await http.get(`${server.url}/x`)).headers[PASSED_HEADER]).toBe('passed');
  });
});
