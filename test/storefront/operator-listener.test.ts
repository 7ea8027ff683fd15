/**
 * Operator routes (/_stats, /_faults, /_stock/reset, any /_… path) are served only on the operator
 * listener, on 127.0.0.1 and a port of its own, and never on the public port.
 */
import { startStorefront } from '../../storefront/server';

const JSON_HEADERS = { 'content-type': 'application/json' };

describe('the operator listener', () => {
  it('serves the operator routes on 127.0.0.1 only, and the public port answers 404 for every /_ path', async () => {
    const shop = await startStorefront({ port: 0, operatorPort: 0, enableFaultInjection: true });
    try {
      expect(shop.operatorUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(shop.operatorUrl).not.toBe(shop.url);
      const publicAnswers = await Promise.all([
        fetch(`${shop.url}/_stats`),
        fetch(`${shop.url}/_faults`),
        fetch(`${shop.url}/_faults`, { method: 'POST', headers: JSON_HEADERS, body: '{"errorRate":1}' }),
        fetch(`${shop.url}/_stock/reset`, { method: 'POST', headers: JSON_HEADERS, body: '{}' }),
        fetch(`${shop.url}/_anything`),
      ]);
      expect(publicAnswers.map((answer) => answer.status)).toEqual([404, 404, 404, 404, 404]);
      expect(await publicAnswers[0].json()).toMatchObject({ error: 'not-found' });

      expect((await fetch(`${shop.operatorUrl}/_stats`)).status).toBe(200);
      expect((await fetch(`${shop.operatorUrl}/_faults`)).status).toBe(200);
      expect(
        (
          await fetch(`${shop.operatorUrl}/_stock/reset`, {
            method: 'POST',
            headers: JSON_HEADERS,
            body: '{"units":3}',
          })
        ).status,
      ).toBe(200);
      // And the shop itself is not on the operator port.
      expect((await fetch(`${shop.operatorUrl}/api/products`)).status).toBe(404);
    } finally {
      await shop.close();
    }
  });

  it('is off without an operator port: no operator URL, and still nothing on the public port', async () => {
    const shop = await startStorefront({ port: 0 });
    try {
      expect(shop.operatorUrl).toBeUndefined();
      expect((await fetch(`${shop.url}/_stats`)).status).toBe(404);
    } finally {
      await shop.close();
    }
  });

  it('rejects a bad operator port, naming the option', async () => {
    await expect(startStorefront({ port: 0, operatorPort: -1 })).rejects.toThrow(/operatorPort/);
  });
});
