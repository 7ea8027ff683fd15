import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { OutcomeRecorder } from '../../../../cli/rehearse/traffic/outcome-recorder';
import { RequestFactory } from '../../../../cli/rehearse/traffic/request-factory';
import { TrafficGenerator } from '../../../../cli/rehearse/traffic/traffic-generator';
import { parseProfile } from '../../../../cli/rehearse/traffic/traffic-profile';
import { loadConfig } from '../../../../contracts/config/load-config';
import { seededRandom } from '../../../../contracts/seeded-random';

/**
 * A stand-in gate: recommendations (low) hang for 600 ms, checkout answers at once. With one
 * shared pool of 4 connections, the hanging requests held every connection and a checkout waited
 * in the generator's own queue: latency no shop caused.
 */
describe('the traffic generator', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const answer = () =>
        res
          .writeHead(req.url?.startsWith('/api/checkout') ? 201 : 200, {
            'saleday-outcome': 'served',
            'content-type': 'application/json',
          })
          .end('{}');
      if (req.url?.startsWith('/api/recommendations')) setTimeout(answer, 600);
      else answer();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("never queues a shopper's checkout behind other classes' requests on its own connections", async () => {
    const config = loadConfig(join(__dirname, '../../../../saleday.config.json'));
    const random = seededRandom(5);
    const profile = parseProfile({
      baseline: { requestsPerSecond: 40, users: 1000, mix: { recommendations: 0.8, checkout: 0.2 } },
      phases: [],
    });
    const recorder = new OutcomeRecorder();
    const generator = new TrafficGenerator({
      targets: [url],
      profile,
      durationMs: 1000,
      factory: new RequestFactory(config, ['sku-001'], random, 'a-traffic-generator-secret'),
      recorder,
      random,
      connectionsPerTarget: 4,
    });
    try {
      await generator.run();
    } finally {
      await generator.close();
    }
    const checkout = recorder.checkoutLatency();
    expect(checkout.count).toBeGreaterThan(3);
    // Dozens of recommendations were in flight for 600 ms each on 4 connections of their own.
    expect(recorder.classLatency('low').p50).toBeGreaterThanOrEqual(600);
    expect(checkout.max).toBeLessThan(500);
    expect(generator.scheduleLagMsBySecond().length).toBeGreaterThan(0);
    recorder.close();
  }, 30_000);
});
