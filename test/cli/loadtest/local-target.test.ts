import { join } from 'node:path';
import { request } from 'undici';
import { listeningUrl, startLocalTarget } from '../../../cli/loadtest/local-target';

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
    const target = await startLocalTarget({ configPath: EXAMPLE, log: (line) => lines.push(line) });
    try {
      expect(target.redisUrl).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
      expect(target.processIds).toHaveLength(3);
      const response = await request(`${target.url}/api/products/sku-001`, { headers: { 'x-user-id': 'local-target-test' } });
      const body = (await response.body.json()) as { id?: string };
      expect(response.statusCode).toBe(200);
      expect(JSON.stringify(body)).toContain('sku-001');
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
