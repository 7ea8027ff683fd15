/**
 * Rate-limit benchmark: decisions per second and p99 latency per decision of our Redis token bucket
 * and GCRA against rate-limiter-flexible's RateLimiterRedis, on one private redis-server, with the
 * same ioredis and the same limits, at 1, 64 and 256 decisions in flight, over 10,000 keys and over
 * one hot key hammered far past its limit (there the peer runs at its best, with
 * `inMemoryBlockOnConsumed`, and we with our over-limit cache).
 *
 * Each comparison is measured BENCH_RUNS times (default 3) for BENCH_SECONDS each (default 1),
 * alternating saleday and the peer (which goes first alternates too); the line reports medians, and
 * the whole run takes about 90 s. On the hot key it also checks that we stayed exact: never more
 * admitted than the limit allows over the run. The machine is shared: read ratios.
 * Runnable alone: `npx tsx bench/rate-limit.bench.ts`.
 */
import { build, type Histogram } from 'hdr-histogram-js';
import Redis from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { RateLimitPolicy } from '../contracts/config/schema';
import { createRateLimiter, type RateLimiter } from '../guard/rate-limit';
import { launchRedisServer } from '../cli/support/redis-launcher';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const WARMUP_MS = 200;
const KEY_COUNT = 10_000;
/** Per-key limit: far above what 10,000 keys see each (mostly admitted), far below the hot key's load. */
const POINTS = 100;

type Decide = (key: string) => Promise<unknown>;

interface Measurement {
  perSecond: number;
  p50Us: number;
  p99Us: number;
}

interface Contender {
  decide: Decide;
  close(): Promise<void>;
  /** Admitted decisions so far and when the first was made (ours only: the exactness check). */
  admitted?: () => { count: number; sinceMs: number };
}

async function measure(
  decide: Decide,
  inFlight: number,
  keys: readonly string[],
  durationMs: number,
): Promise<Measurement> {
  const histogram: Histogram = build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });
  let next = 0;
  let completed = 0;
  let recording = false;
  let stop = false;
  const keyCount = keys.length;
  const worker = async (): Promise<void> => {
    while (!stop) {
      const key = keys[next++ % keyCount]!;
      const started = performance.now();
      await decide(key);
      if (recording) {
        histogram.recordValue(Math.max(1, Math.round((performance.now() - started) * 1000)));
        completed++;
      }
    }
  };
  const workers = Array.from({ length: inFlight }, worker);
  await delay(WARMUP_MS);
  recording = true;
  const startedAt = performance.now();
  await delay(durationMs);
  recording = false;
  const elapsedMs = performance.now() - startedAt;
  stop = true;
  await Promise.all(workers);
  const result = {
    perSecond: (completed * 1000) / elapsedMs,
    p50Us: histogram.getValueAtPercentile(50),
    p99Us: histogram.getValueAtPercentile(99),
  };
  histogram.destroy();
  return result;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function ours(url: string, policy: RateLimitPolicy, prefix: string): Contender {
  const redis = new Redis(url);
  const limiter: RateLimiter = createRateLimiter(policy, { redis, prefix, timeoutMs: 1000 });
  let count = 0;
  let sinceMs = 0;
  return {
    decide: (key) =>
      limiter.consume(key).then((decision) => {
        if (decision.allowed) {
          if (count++ === 0) sinceMs = performance.now();
        } else if (decision.source === 'fallback') {
          throw new Error(
            'the benchmark fell back locally: Redis too slow for a 1 s timeout, the figures would be meaningless',
          );
        }
        return decision;
      }),
    admitted: () => ({ count, sinceMs }),
    close: async () => {
      await limiter.close();
      await redis.quit();
    },
  };
}

function peer(url: string, prefix: string, hotKey: boolean): Contender {
  const redis = new Redis(url);
  const limiter = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: prefix,
    points: POINTS,
    duration: 1,
    ...(hotKey ? { inMemoryBlockOnConsumed: POINTS } : {}),
  });
  const refused = (error: unknown): unknown => {
    if (error instanceof RateLimiterRes) return error;
    throw error;
  };
  return {
    decide: (key) => limiter.consume(key).catch(refused),
    close: async () => {
      await redis.quit();
    },
  };
}

const POLICIES: [string, RateLimitPolicy][] = [
  ['token-bucket', { algorithm: 'token-bucket', capacity: POINTS, refillPerSecond: POINTS }],
  ['gcra', { algorithm: 'gcra', ratePerSecond: POINTS, burst: POINTS }],
];

/** Capacity (burst) POINTS plus POINTS per second since the first admission, on the hot key. */
function assertExact({ count, sinceMs }: { count: number; sinceMs: number }): void {
  const bound = POINTS + Math.ceil(((performance.now() - sinceMs) / 1000) * POINTS) + 1;
  if (count > bound) throw new Error(`hot key admitted ${count} decisions, more than the limit allows (${bound})`);
}

function formatRate(perSecond: number): string {
  return String(Math.round(perSecond));
}

/**
 * Both libraries' code paths run untimed before the first comparison: V8 optimises them only after
 * some thousands of calls, and the first comparison (one decision in flight, a few thousand calls
 * per second) would otherwise measure whichever contender is still cold.
 */
async function warmUp(url: string, keys: readonly string[]): Promise<void> {
  for (const [algorithm, policy] of POLICIES) {
    for (const inFlight of [64, 1]) {
      for (const contender of [
        ours(url, policy, `bench:warm-up:${algorithm}`),
        peer(url, `bench:warm-up:${algorithm}:peer`, false),
      ]) {
        await measure(contender.decide, inFlight, keys, 500);
        await contender.close();
      }
    }
  }
}

export async function run(): Promise<string[]> {
  const server = await launchRedisServer();
  const lines: string[] = [];
  const manyKeys = Array.from({ length: KEY_COUNT }, (_, i) => `user-${i}`);
  const hot = ['bot-1'];
  let round = 0;
  try {
    await warmUp(server.url, manyKeys);
    for (const [keysName, keys] of [
      ['10000-keys', manyKeys],
      ['hot-key', hot],
    ] as const) {
      for (const inFlight of [1, 64, 256]) {
        for (const [algorithm, policy] of POLICIES) {
          const saleday: Measurement[] = [];
          const flexible: Measurement[] = [];
          // One decision at a time is a latency ping-pong between two processes, the noisiest figure here: more runs.
          const runs = inFlight === 1 ? Math.max(RUNS, 5) : RUNS;
          for (let i = 0; i < runs; i++) {
            round++;
            const runOurs = async (): Promise<void> => {
              const a = ours(server.url, policy, `bench:${round}:ours`);
              saleday.push(await measure(a.decide, inFlight, keys, SECONDS * 1000));
              if (keys.length === 1) assertExact(a.admitted!());
              await a.close();
            };
            const runPeer = async (): Promise<void> => {
              const b = peer(server.url, `bench:${round}:peer`, keys.length === 1);
              flexible.push(await measure(b.decide, inFlight, keys, SECONDS * 1000));
              await b.close();
            };
            if (round % 2 === 0) {
              await runOurs();
              await runPeer();
            } else {
              await runPeer();
              await runOurs();
            }
          }
          const ourRate = median(saleday.map((m) => m.perSecond));
          const peerRate = median(flexible.map((m) => m.perSecond));
          const line =
            `bench rate-limit-${algorithm}-${keysName}-${inFlight}-in-flight: ` +
            `saleday ${formatRate(ourRate)}/s p99 ${median(saleday.map((m) => m.p99Us))}us, ` +
            `rate-limiter-flexible ${formatRate(peerRate)}/s p99 ${median(flexible.map((m) => m.p99Us))}us, ` +
            `ratio ${(ourRate / peerRate).toFixed(2)}`;
          console.error(
            `${line} (p50 ${median(saleday.map((m) => m.p50Us))}us vs ${median(flexible.map((m) => m.p50Us))}us)`,
          );
          lines.push(line);
        }
      }
    }
  } finally {
    await server.kill();
  }
  return lines;
}

if (require.main === module) {
  run()
    .then((lines) => {
      for (const line of lines) console.log(line);
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
