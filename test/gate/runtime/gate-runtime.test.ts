import { silentLogger } from '../../../gate/proxy/gate-logger';
import { createGate } from '../../../gate/proxy/gate-server';
import { testConfig } from '../proxy/fixtures/test-config';

describe('the gate runtime', () => {
  it('hands out metrics, load and close that work detached from the gate, as the plain object it replaced did', async () => {
    const { metrics, load, close, ready } = createGate({
      config: testConfig(),
      upstream: 'http://127.0.0.1:9',
      logger: silentLogger,
      metricsSink: () => undefined,
    });
    await ready;
    expect(metrics().outcomes.served).toBe(0);
    expect(load()).toEqual({ bufferedBodyBytes: 0, openConnections: 0 });
    const closing = close();
    expect(close()).toBe(closing);
    await closing;
  });
});
