/** `saleday storefront` as the rehearsal runs it: a child process that prints one JSON line when ready and stops on SIGTERM. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort } from '../../support/redis-server';
import { testRedisUrl, uniquePrefix } from '../../support/test-redis';

const ROOT = join(__dirname, '..', '..', '..');
const RUNNER = join(__dirname, 'fixtures', 'run-storefront-command.ts');

function spawnStorefront(args: string[]): { child: ChildProcess; listening: Promise<{ event: string; url: string; store: string }> } {
  const child = spawn(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), RUNNER, 'storefront', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, REDIS_URL: '' },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const listening = new Promise<{ event: string; url: string; store: string }>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const event = JSON.parse(line) as { event: string; url: string; store: string };
      if (event.event === 'listening') resolve(event);
    });
    child.once('exit', (code) => reject(new Error(`storefront exited with ${code} before listening: ${stderr}`)));
  });
  return { child, listening };
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('saleday storefront', () => {
  it('prints the listening line, serves the shop on the embedded store and exits cleanly on SIGTERM', async () => {
    const { child, listening } = spawnStorefront(['--port', '0', '--stock', '3', '--fault-injection']);
    try {
      const ready = await listening;
      expect(ready).toMatchObject({ event: 'listening', store: 'memory' });
      expect(ready.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const product = (await (await fetch(`${ready.url}/api/products/sku-001`)).json()) as { stock: number };
      expect(product.stock).toBe(3);
      expect((await fetch(`${ready.url}/_faults`)).status).toBe(200);
      child.kill('SIGTERM');
      expect(await exited(child)).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('shares stock through --redis-url and --key-prefix', async () => {
    const { child, listening } = spawnStorefront(['--port', '0', '--redis-url', testRedisUrl(), '--key-prefix', uniquePrefix('cli'), '--stock', '2']);
    try {
      const ready = await listening;
      expect(ready.store).toBe('redis');
      const buy = () => fetch(`${ready.url}/api/checkout`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"productId":"sku-001","quantity":2}' });
      expect((await buy()).status).toBe(201);
      expect((await buy()).status).toBe(409);
      child.kill('SIGTERM');
      expect(await exited(child)).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('starts without a reachable Redis, serves the product list and still stops cleanly', async () => {
    const port = await freePort();
    const { child, listening } = spawnStorefront(['--port', '0', '--redis-url', `redis://127.0.0.1:${port}`]);
    try {
      const ready = await listening;
      expect((await fetch(`${ready.url}/api/products`)).status).toBe(200);
      expect((await fetch(`${ready.url}/api/checkout`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"productId":"sku-001","quantity":1}' })).status).toBe(503);
      child.kill('SIGTERM');
      expect(await exited(child)).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('refuses a non-numeric --stock', async () => {
    const { child, listening } = spawnStorefront(['--port', '0', '--stock', 'lots']);
    await expect(listening).rejects.toThrow(/--stock/);
    expect(await exited(child)).toBe(1);
  });
});
