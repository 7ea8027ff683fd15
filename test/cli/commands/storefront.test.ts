/** `saleday storefront` as the rehearsal runs it: a child process that prints one JSON line when ready and stops on SIGTERM. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Redis from 'ioredis';
import { RedisShopStore } from '../../../storefront/redis-shop-store';
import { freePort } from '../../support/redis-server';
import { testRedisUrl, uniquePrefix } from '../../support/test-redis';

const ROOT = join(__dirname, '..', '..', '..');
const RUNNER = join(__dirname, 'fixtures', 'run-storefront-command.ts');

interface Listening {
  event: string;
  url: string;
  operatorUrl: string | null;
  store: string;
  checkoutWorstCaseMs: number;
}

const BUYER = { 'content-type': 'application/json', 'saleday-user': 'u:cli-buyer' };

function spawnStorefront(args: string[]): { child: ChildProcess; listening: Promise<Listening> } {
  const child = spawn(
    process.execPath,
    [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), RUNNER, 'storefront', ...args],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, REDIS_URL: '' },
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const listening = new Promise<Listening>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const event = JSON.parse(line) as Listening;
      if (event.event === 'listening') resolve(event);
    });
    child.once('exit', (code) => reject(new Error(`storefront exited with ${code} before listening: ${stderr}`)));
  });
  return { child, listening };
}

/** `saleday storefront seed …` to completion: its exit code, its one JSON line and its stderr. */
function runSeed(args: string[]): Promise<{ code: number | null; result: Record<string, unknown>; stderr: string }> {
  const child = spawn(
    process.execPath,
    [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), RUNNER, 'storefront', 'seed', ...args],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, REDIS_URL: '' },
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) =>
    child.once('exit', (code) =>
      resolve({ code, result: stdout ? (JSON.parse(stdout) as Record<string, unknown>) : {}, stderr }),
    ),
  );
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

describe('saleday storefront', () => {
  it('prints the listening line, serves the shop on the embedded store and exits cleanly on SIGTERM', async () => {
    const { child, listening } = spawnStorefront([
      '--port',
      '0',
      '--operator-port',
      '0',
      '--stock',
      '3',
      '--fault-injection',
    ]);
    try {
      const ready = await listening;
      expect(ready).toMatchObject({ event: 'listening', store: 'memory', checkoutWorstCaseMs: 5900 });
      expect(ready.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(ready.operatorUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const product = (await (await fetch(`${ready.url}/api/products/sku-001`)).json()) as { stock: number };
      expect(product.stock).toBe(3);
      expect((await fetch(`${ready.operatorUrl}/_faults`)).status).toBe(200);
      expect((await fetch(`${ready.url}/_faults`)).status).toBe(404);
      child.kill('SIGTERM');
      expect(await exited(child)).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('shares stock through --redis-url and --key-prefix, seeded by --seed-if-empty', async () => {
    const { child, listening } = spawnStorefront([
      '--port',
      '0',
      '--redis-url',
      testRedisUrl(),
      '--key-prefix',
      uniquePrefix('cli'),
      '--stock',
      '2',
      '--seed-if-empty',
    ]);
    try {
      const ready = await listening;
      expect(ready).toMatchObject({ store: 'redis', operatorUrl: null });
      const buy = () =>
        fetch(`${ready.url}/api/checkout`, {
          method: 'POST',
          headers: BUYER,
          body: '{"productId":"sku-001","quantity":2}',
        });
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
      expect(
        (
          await fetch(`${ready.url}/api/checkout`, {
            method: 'POST',
            headers: BUYER,
            body: '{"productId":"sku-001","quantity":1}',
          })
        ).status,
      ).toBe(503);
      child.kill('SIGTERM');
      expect(await exited(child)).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('seed: seeds an empty store, refuses an existing catalog unless --force, and refuses a store with sales even with --force', async () => {
    const keyPrefix = uniquePrefix('cli-seed');
    const target = ['--redis-url', testRedisUrl(), '--key-prefix', keyPrefix, '--catalog-size', '5'];
    expect(await runSeed([...target, '--stock', '4'])).toMatchObject({
      code: 0,
      result: { event: 'seed', kind: 'seeded', products: 5, units: 4 },
    });

    const again = await runSeed([...target, '--stock', '9']);
    expect(again).toMatchObject({ code: 1, result: { kind: 'catalog-exists' } });
    expect(again.stderr).toContain('--force may overwrite it');
    expect(await runSeed([...target, '--stock', '9', '--force'])).toMatchObject({
      code: 0,
      result: { kind: 'seeded', units: 9 },
    });

    // A sale, as a storefront would record it.
    const store = new RedisShopStore({ redis: new Redis(testRedisUrl()), keyPrefix });
    try {
      expect(
        (
          await store.reserve({
            orderId: 'ord-cli-1',
            productId: 'sku-001',
            quantity: 2,
            userId: 'u:cli',
            fingerprint: 'fp',
            now: Date.now(),
          })
        ).kind,
      ).toBe('reserved');
      const refused = await runSeed([...target, '--force']);
      expect(refused).toMatchObject({ code: 1, result: { kind: 'has-sales', orders: 1, unitsSold: 2, reserved: 1 } });
      expect(refused.stderr).toContain('never overwritten');
      expect(await store.stockOf('sku-001')).toBe(7);
    } finally {
      await store.close();
    }
  });

  it('seed: names the missing --redis-url', async () => {
    const missing = await runSeed([]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('--redis-url');
  });

  it('refuses a non-numeric --stock', async () => {
    const { child, listening } = spawnStorefront(['--port', '0', '--stock', 'lots']);
    await expect(listening).rejects.toThrow(/--stock/);
    expect(await exited(child)).toBe(1);
  });

  it('refuses --db-connections without --db-query-ms, naming both', async () => {
    const { child, listening } = spawnStorefront(['--port', '0', '--db-connections', '2']);
    await expect(listening).rejects.toThrow(
      /--db-connections and --db-query-ms go together: got --db-connections alone/,
    );
    expect(await exited(child)).toBe(1);
  });

  it('queues API requests for a simulated database pool given by --db-connections and --db-query-ms', async () => {
    const { child, listening } = spawnStorefront(['--port', '0', '--db-connections', '1', '--db-query-ms', '700']);
    const { url } = await listening;
    try {
      const started = Date.now();
      const statuses = await Promise.all([fetch(`${url}/api/products`), fetch(`${url}/api/products`)]).then((r) =>
        r.map((response) => response.status),
      );
      expect(statuses).toEqual([200, 200]);
      // One connection held 700 ms per request: the second waited for the first (timers never fire early).
      expect(Date.now() - started).toBeGreaterThanOrEqual(2 * 700 - 5);
    } finally {
      child.kill('SIGTERM');
      await exited(child);
    }
  });
});
