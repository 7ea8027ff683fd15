import { launchRedisServer } from '../../cli/support/redis-launcher';
import { startDelayingRelay } from '../delaying-relay';
import { fmt, interleavedRounds, measure, median } from './measure';
import { spawnRole } from './role-process';
import { READ_SERVICE_MS, REDIS_HOP_DELAY_MS } from './settings';

/**
 * What speculative reads buy where they matter: Redis a network hop away (here behind a relay that
 * holds every chunk REDIS_HOP_DELAY_MS each way) and an app that takes a while to answer a read.
 * Read latency through the gate as shipped and through the same gate with every read waiting for
 * its decision, at a light load (a few connections, nothing queues), in interleaved rounds.
 */
export async function speculativeReadLatency(
  print: (line: string) => void,
  stops: Array<() => Promise<void>>,
): Promise<void> {
  const redis = await launchRedisServer();
  stops.push(() => redis.kill());
  const relay = await startDelayingRelay(redis.port, REDIS_HOP_DELAY_MS);
  stops.push(() => relay.close());
  const relayUrl = `redis://127.0.0.1:${relay.port}`;
  const app = await spawnRole('app', { capacity: 1000, serviceMs: READ_SERVICE_MS });
  stops.push(() => app.stop());
  const appUrl = String(app.info.url);
  const productIds = app.info.productIds as string[];
  const speculative = await spawnRole('gate', { upstream: appUrl, redisUrl: relayUrl });
  stops.push(() => speculative.stop());
  const sequential = await spawnRole('gate', { upstream: appUrl, redisUrl: relayUrl, sequentialLimits: true });
  stops.push(() => sequential.stop());
  const light = (url: string) => ({ url, productIds, connections: 4, warmupMs: 500, durationMs: 2500 });
  const rounds = await interleavedRounds(
    [
      {
        name: 'speculative' as const,
        run: async () => (await measure('load-closed', light(String(speculative.info.url)), {})).load,
      },
      {
        name: 'sequential' as const,
        run: async () => (await measure('load-closed', light(String(sequential.info.url)), {})).load,
      },
    ],
    3,
  );
  const withP50 = median(rounds.map((r) => r.speculative.p50Ms));
  const withoutP50 = median(rounds.map((r) => r.sequential.p50Ms));
  const withP99 = median(rounds.map((r) => r.speculative.p99Ms));
  const withoutP99 = median(rounds.map((r) => r.sequential.p99Ms));
  const refused = rounds.reduce(
    (n, r) => n + (r.speculative.statuses['429'] ?? 0) + (r.sequential.statuses['429'] ?? 0),
    0,
  );
  print(
    `bench speculative-read-latency: p50 ${fmt(withP50, 2)}ms with speculative reads, ${fmt(withoutP50, 2)}ms without (p99 ${fmt(withP99, 2)} vs ${fmt(withoutP99, 2)}ms), ratio ${fmt(withoutP50 / withP50, 2)} (medians of 3 rounds; Redis behind a relay adding ${REDIS_HOP_DELAY_MS} ms each way, the app answering a read in ${READ_SERVICE_MS} ms; ${refused} reads refused)`,
  );
  for (const stop of stops.splice(0).reverse()) await stop();
}
