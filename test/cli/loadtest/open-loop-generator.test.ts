import Fastify, { type FastifyInstance } from 'fastify';
import { searchCapacity } from '../../../cli/loadtest/capacity-search';
import {
  OpenLoopGenerator,
  isLoadGeneratorOptionsError,
  type ResponseRecord,
} from '../../../cli/loadtest/open-loop-generator';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return `http://127.0.0.1:${address.port}`;
}

describe('OpenLoopGenerator', () => {
  let app: FastifyInstance;
  let generator: OpenLoopGenerator | undefined;

  afterEach(async () => {
    await generator?.close();
    generator = undefined;
    await app.close();
  });

  it('charges a server stall to every request scheduled during it, not just the few in flight', async () => {
    const STALL_AT = 100;
    const STALL_MS = 200;
    let stallUntil = 0;
    app = Fastify();
    app.get('/item/:seq', async (request) => {
      const seq = Number((request.params as { seq: string }).seq);
      if (seq === STALL_AT) stallUntil = Date.now() + STALL_MS;
      const wait = stallUntil - Date.now();
      if (wait > 0) await sleep(wait);
      return { seq };
    });
    const url = await listen(app);
    // Two connections: during the stall only two requests are in flight; the rest wait client-side.
    generator = new OpenLoopGenerator({ url, connections: 2 });
    const records: ResponseRecord[] = [];
    const step = await generator.runStep({
      rate: 200,
      durationMs: 1500,
      maxOutstanding: 1000,
      request: (i) => ({ path: `/item/${i}` }),
      onResponse: (r) => records.push(r),
    });

    expect(step.scheduled).toBe(300);
    expect(step.completed).toBe(300);
    expect(step.errors).toBe(0);
    const stallStart = records.find((r) => r.index === STALL_AT)!.intendedAtMs;
    const scheduledDuringStall = records.filter(
      (r) => r.intendedAtMs >= stallStart && r.intendedAtMs < stallStart + STALL_MS * 0.9,
    );
    expect(scheduledDuringStall.length).toBeGreaterThanOrEqual(30);
    // Each of them waited at least until the stall ended, counted from when it should have been sent.
    for (const r of scheduledDuringStall) {
      expect(r.latencyMs).toBeGreaterThanOrEqual(stallStart + STALL_MS - r.intendedAtMs - 2);
    }
    // ~13% of the requests fell in the stall, so the p99 shows it.
    expect(step.p99).toBeGreaterThanOrEqual(STALL_MS * 0.75);
    expect(step.max).toBeGreaterThanOrEqual(STALL_MS - 2);
  });

  it('counts 5xx/429 and requests dropped over the outstanding bound as errors', async () => {
    app = Fastify();
    app.get('/status/:code', async (request, reply) =>
      reply.code(Number((request.params as { code: string }).code)).send('x'),
    );
    app.get('/slow', async () => {
      await sleep(300);
      return 'slow';
    });
    const url = await listen(app);
    generator = new OpenLoopGenerator({ url, connections: 8 });
    const codes = [200, 503, 429, 404];
    const mixed = await generator.runStep({
      rate: 200,
      durationMs: 200,
      maxOutstanding: 100,
      request: (i) => ({ path: `/status/${codes[i % 4]}` }),
    });
    expect(mixed.scheduled).toBe(40);
    expect(mixed.errors).toBe(20);
    expect(mixed.errorsByCause).toEqual({ '503': 10, '429': 10 });
    expect(mixed.errorRate).toBeCloseTo(0.5);

    const bounded = await generator.runStep({
      rate: 200,
      durationMs: 200,
      maxOutstanding: 5,
      request: () => ({ path: '/slow' }),
    });
    expect(bounded.dropped).toBeGreaterThan(0);
    expect(bounded.errors).toBe(bounded.dropped);
    expect(bounded.errorsByCause).toEqual({ dropped: bounded.dropped });
    expect(bounded.completed + bounded.dropped).toBe(40);
  });

  it('counts connection failures as errors', async () => {
    app = Fastify();
    const url = await listen(app);
    await app.close();
    generator = new OpenLoopGenerator({ url, connections: 2, timeoutMs: 1000 });
    const step = await generator.runStep({
      rate: 100,
      durationMs: 100,
      maxOutstanding: 100,
      request: () => ({ path: '/' }),
    });
    expect(step.errors).toBe(step.scheduled);
    expect(step.errorRate).toBe(1);
    expect(step.errorsByCause).toEqual({ failed: step.scheduled });
  });

  it('finds the capacity of a server that serves one request at a time in ~5 ms (≈200 rps)', async () => {
    let busy: Promise<void> = Promise.resolve();
    app = Fastify();
    app.get('/work', async () => {
      const turn = busy.then(() => sleep(5));
      busy = turn;
      await turn;
      return 'done';
    });
    const url = await listen(app);
    generator = new OpenLoopGenerator({ url, connections: 64 });
    const g = generator;
    const result = await searchCapacity({
      startRate: 50,
      maxRate: 2000,
      resolution: 0.15,
      sla: { p99LatencyMs: 100, errorRate: 0.01 },
      maxSteps: 8,
      runStep: (rate) => g.runStep({ rate, durationMs: 1000, maxOutstanding: 200, request: () => ({ path: '/work' }) }),
    });
    expect(result.capacityRps).toBeGreaterThanOrEqual(80);
    expect(result.capacityRps).toBeLessThanOrEqual(300);
    expect(result.steps.some((s) => !s.pass)).toBe(true);
  });

  it.each([
    [{ url: 'not a url' }, /url: got "not a url"/],
    [{ url: 'http://127.0.0.1:1', connections: 0 }, /connections: got 0/],
    [{ url: 'http://127.0.0.1:1', timeoutMs: -1 }, /timeoutMs: got -1/],
  ])('rejects bad options by name (%o)', (options, message) => {
    app = Fastify();
    let caught: unknown;
    try {
      new OpenLoopGenerator(options);
    } catch (error) {
      caught = error;
    }
    expect(isLoadGeneratorOptionsError(caught)).toBe(true);
    expect((caught as Error).message).toMatch(message);
  });
});
