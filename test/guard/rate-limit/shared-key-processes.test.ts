/** Several real processes share one key on the real Redis: together they never exceed the limit. */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import Redis from 'ioredis';
import type { RateLimitPolicy } from '../../../guard/rate-limit';
import { testRedisUrl, uniquePrefix } from '../../support/test-redis';

const WORKERS = 4;
const TSX = join(__dirname, '../../../node_modules/.bin/tsx');
const WORKER_SCRIPT = join(__dirname, 'fixtures/consume-worker.ts');

interface Tally {
  allowed: number;
  refused: number;
  sources: Record<string, number>;
}

function startWorker(options: object): { child: ChildProcess; ready: Promise<void>; result: Promise<Tally> } {
  const child = spawn(TSX, [WORKER_SCRIPT, JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let errors = '';
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (output.startsWith('ready\n')) markReady();
  });
  child.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  const result = new Promise<Tally>((resolve, reject) => {
    child.on('exit', (code) => {
      const last = output.trim().split('\n').pop() ?? '';
      if (code === 0 && last.startsWith('{')) resolve(JSON.parse(last) as Tally);
      else reject(new Error(`worker exited with ${code}: ${errors}`));
    });
  });
  return { child, ready, result };
}

describe('processes sharing one key', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(testRedisUrl());
  });
  afterAll(async () => {
    await redis.quit();
  });

  test.each<[string, RateLimitPolicy, number]>([
    ['token bucket', { algorithm: 'token-bucket', capacity: 40, refillPerSecond: 0.01 }, 40],
    ['gcra', { algorithm: 'gcra', ratePerSecond: 0.01, burst: 40 }, 40],
  ])(
    `%s: ${WORKERS} workers together admit exactly the limit`,
    async (_name, policy, limit) => {
      const prefix = uniquePrefix('shared');
      const goKey = `${prefix}:go`;
      const workers = Array.from({ length: WORKERS }, () =>
        startWorker({ url: testRedisUrl(), prefix, key: 'flash-sale-bot', policy, count: 100, inFlight: 8, goKey }),
      );
      try {
        await Promise.all(workers.map((w) => w.ready));
        const started = Date.now();
        await redis.set(goKey, '1', 'PX', 60_000);
        const tallies = await Promise.all(workers.map((w) => w.result));
        const elapsedSeconds = (Date.now() - started) / 1000;
        const allowed = tallies.reduce((sum, t) => sum + t.allowed, 0);
        const refused = tallies.reduce((sum, t) => sum + t.refused, 0);
        expect(allowed + refused).toBe(WORKERS * 100);
        // The refill over the whole run adds at most a token or two (0.01/s).
        expect(allowed).toBeGreaterThanOrEqual(limit);
        expect(allowed).toBeLessThanOrEqual(limit + Math.ceil(elapsedSeconds * 0.01));
        expect(tallies.every((t) => (t.sources.fallback ?? 0) === 0)).toBe(true);
      } finally {
        for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
      }
    },
    60_000,
  );
});
