import { join } from 'node:path';
import { request } from 'undici';
import { listeningUrl, startLocalTarget } from '../../../cli/loadtest/local-target';
import { signHmacUserKey } from '../../../contracts/hmac-user-key';

const EXAMPLE = join(__dirname, '../../../saleday.config.json');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('startLocalTarget', () => {
  it('runs a storefront behind a gate on a private redis-server, and stops every child on close', async () => {
    const lines: string[] = [];
    const identitySecret = { secretEnv: 'SALEDAY_IDENTITY_SECRET', secret: 'a-secret-for-this-run-only' };
    const target = await startLocalTarget({ configPath: EXAMPLE, identitySecret, log: (line) => lines.push(line) });
    try {
      expect(target.redisUrl).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
      expect(target.processIds).toHaveLength(3);
      const cookie = `saleday-session=${signHmacUserKey('local-target-test', identitySecret.secret)}`;
      const response = await request(`${target.url}/api/products/sku-001`, { headers: { cookie } });
      const body = (await response.body.json()) as { id?: string };
      expect(response.statusCode).toBe(200);
      expect(JSON.stringify(body)).toContain('sku-001');
      // Both children got the secret: the storefront mints sessions, the gate proves the signed key.
      const session = await request(`${target.url}/api/session`, { method: 'POST' });
      expect(session.statusCode).toBe(201);
      await session.body.dump();
      const cart = await request(`${target.url}/api/cart`, { headers: { cookie } });
      expect(cart.statusCode).toBe(200);
      expect(await cart.body.json()).toMatchObject({ userId: 'u:local-target-test' });
      expect(lines.join('\n')).toMatch(/gate on http:\/\/127\.0\.0\.1:\d+/);
    } finally {
      await target.close();
    }
    expect(target.processIds.filter(alive)).toEqual([]);
  }, 60_000);
});

describe('listeningUrl', () => {
  it.each([
    ['{"event":"listening","url":"http://127.0.0.1:1234","store":"redis"}', 'http://127.0.0.1:1234'],
    ['{"_aws":{}}', undefined],
    ['{"event":"listening"}', undefined],
    ['not json {', undefined],
  ])('%s → %s', (line, url) => {
    expect(listeningUrl(line)).toBe(url);
  });
});
