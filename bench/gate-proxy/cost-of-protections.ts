/** What the gate's protections cost: throughput, p99 and CPU per request against a bare proxy, nginx and the shop directly. */
import { launchRedisServer } from '../../cli/support/redis-launcher';
import type { LoadResult } from './load-roles';
import { describe, fmt, interleavedRounds, measure, median, medianIndex } from './measure';
import type { Measurement } from './measure';
import { startNginx } from './nginx';
import { spawnRole } from './role-process';
import { CLOSED_LOOP_CONNECTIONS, COST_ROUNDS, MEASURE_MS, WARMUP_MS } from './settings';

/** Starts Redis, the shop and every proxy in front of it, registering how to stop each in `stops`. */
async function startServers(stops: Array<() => Promise<void>>) {
  const redis = await launchRedisServer();
  stops.push(() => redis.kill());
  const shop = await spawnRole('storefront');
  stops.push(() => shop.stop());
  const shopUrl = String(shop.info.url);
  const bare = await spawnRole('bare-proxy', { upstream: shopUrl });
  stops.push(() => bare.stop());
  const nginx = await startNginx(shopUrl);
  stops.push(() => nginx.stop());
  const gate = await spawnRole('gate', { upstream: shopUrl, redisUrl: redis.url });
  stops.push(() => gate.stop());
  // The same gate without Redis: every protection, rate limits decided in process (exact per task,
  // not across the fleet). It separates what the central, fleet-exact decision costs from the rest.
  const gateLocal = await spawnRole('gate', { upstream: shopUrl });
  stops.push(() => gateLocal.stop());
  // The same gate with Redis, each read waiting for its decision before going to the app: what
  // speculative reads (gate/proxy/speculative-reads.ts) buy.
  const gateSequential = await spawnRole('gate', { upstream: shopUrl, redisUrl: redis.url, sequentialLimits: true });
  stops.push(() => gateSequential.stop());
  return { redis, shop, shopUrl, bare, nginx, gate, gateLocal, gateSequential };
}

/** What the comparison found: per-round ratios to the bare proxy and the measurement standing for each path. */
interface CostFigures {
  rounds: number;
  ratios: number[];
  sequentialRatios: number[];
  localRatios: number[];
  viaBare: Measurement;
  viaGate: Measurement;
  viaGateSequential: Measurement;
  viaGateLocal: Measurement;
  viaNginx: Measurement;
  direct: Measurement;
  storefrontKind: string;
}

function printCosts(print: (line: string) => void, figures: CostFigures): void {
  const { rounds, ratios, sequentialRatios, localRatios, viaBare, viaGate, viaGateSequential, viaGateLocal } = figures;
  const { viaNginx, direct } = figures;
  const listed = (values: number[]) => values.map((v) => fmt(v, 2)).join(' ');
  const okShare = (r: LoadResult) => (r.requests === 0 ? 0 : (r.statuses['200'] ?? 0) / r.requests);
  print(
    `bench gate-vs-bare-proxy: gate ${fmt(viaGate.load.rps)}/s p99 ${fmt(viaGate.load.p99Ms, 2)}ms, bare-proxy ${fmt(viaBare.load.rps)}/s p99 ${fmt(viaBare.load.p99Ms, 2)}ms, ratio ${fmt(median(ratios), 2)} (median of ${rounds} rounds: ${listed(ratios)}; target ≥ 0.80)`,
  );
  print(
    `bench gate-sequential-limits-vs-bare-proxy: gate with no speculative reads ${fmt(viaGateSequential.load.rps)}/s p99 ${fmt(viaGateSequential.load.p99Ms, 2)}ms, ratio ${fmt(median(sequentialRatios), 2)} (median of ${rounds} rounds: ${listed(sequentialRatios)}; every read waits for its decision at Redis before going to the app)`,
  );
  print(
    `bench gate-local-limits-vs-bare-proxy: gate without Redis ${fmt(viaGateLocal.load.rps)}/s p99 ${fmt(viaGateLocal.load.p99Ms, 2)}ms, ratio ${fmt(median(localRatios), 2)} (median of ${rounds} rounds: ${listed(localRatios)}; every protection, rate limits exact per task instead of across the fleet)`,
  );
  print(
    `bench gate-vs-nginx: gate ${fmt(viaGate.load.rps)}/s p99 ${fmt(viaGate.load.p99Ms, 2)}ms, nginx ${fmt(viaNginx.load.rps)}/s p99 ${fmt(viaNginx.load.p99Ms, 2)}ms, ratio ${fmt(viaGate.load.rps / viaNginx.load.rps, 2)}`,
  );
  print(
    `bench gate-vs-direct: gate ${fmt(viaGate.load.rps)}/s p99 ${fmt(viaGate.load.p99Ms, 2)}ms, direct ${fmt(direct.load.rps)}/s p99 ${fmt(direct.load.p99Ms, 2)}ms, ratio ${fmt(viaGate.load.rps / direct.load.rps, 2)}`,
  );
  const cpuColumns = (...servers: string[]) => [...servers, 'load', 'idle'];
  print(
    `bench gate-proxy-cpu: ${describe('gate', viaGate, cpuColumns('gate', 'redis', 'storefront'))}; ${describe('gate-sequential-limits', viaGateSequential, cpuColumns('gate', 'redis', 'storefront'))}; ${describe('gate-without-redis', viaGateLocal, cpuColumns('gate', 'storefront'))}; ${describe('bare-proxy', viaBare, cpuColumns('proxy', 'storefront'))}; ${describe('nginx', viaNginx, cpuColumns('nginx', 'storefront'))}; ${describe('direct', direct, cpuColumns('storefront'))}`,
  );
  print(
    `bench gate-proxy-ok: 200 share gate ${fmt(okShare(viaGate.load) * 100, 2)}%, bare-proxy ${fmt(okShare(viaBare.load) * 100, 2)}%, nginx ${fmt(okShare(viaNginx.load) * 100, 2)}%, direct ${fmt(okShare(direct.load) * 100, 2)}% (storefront: ${figures.storefrontKind})`,
  );
}

export async function costOfProtections(
  print: (line: string) => void,
  stops: Array<() => Promise<void>>,
): Promise<void> {
  const { redis, shop, shopUrl, bare, nginx, gate, gateLocal, gateSequential } = await startServers(stops);
  const productIds = shop.info.productIds as string[];
  const closed = (url: string) => ({
    url,
    productIds,
    connections: CLOSED_LOOP_CONNECTIONS,
    warmupMs: WARMUP_MS,
    durationMs: MEASURE_MS,
  });

  // The proxies under comparison run in interleaved rounds, and each comparison is the median of its
  // per-round ratios.
  const contenders = [
    {
      name: 'bare' as const,
      run: () => measure('load-closed', closed(String(bare.info.url)), { proxy: bare.pid, storefront: shop.pid }),
    },
    {
      name: 'gate' as const,
      run: () =>
        measure('load-closed', closed(String(gate.info.url)), {
          gate: gate.pid,
          redis: redis.process.pid as number,
          storefront: shop.pid,
        }),
    },
    {
      name: 'gateSequential' as const,
      run: () =>
        measure('load-closed', closed(String(gateSequential.info.url)), {
          gate: gateSequential.pid,
          redis: redis.process.pid as number,
          storefront: shop.pid,
        }),
    },
    {
      name: 'gateLocal' as const,
      run: () =>
        measure('load-closed', closed(String(gateLocal.info.url)), { gate: gateLocal.pid, storefront: shop.pid }),
    },
  ];
  const rounds = await interleavedRounds(contenders, COST_ROUNDS);
  const direct = await measure('load-closed', closed(shopUrl), { storefront: shop.pid });
  const viaNginx = await measure('load-closed', closed(nginx.url), { nginx: nginx.pid, storefront: shop.pid });
  // The round whose ratio is the median stands for each contender in the absolute figures.
  const ratios = rounds.map((r) => r.gate.load.rps / r.bare.load.rps);
  const sequentialRatios = rounds.map((r) => r.gateSequential.load.rps / r.bare.load.rps);
  const localRatios = rounds.map((r) => r.gateLocal.load.rps / r.bare.load.rps);
  const medianRound = rounds[medianIndex(ratios)]!;
  printCosts(print, {
    rounds: rounds.length,
    ratios,
    sequentialRatios,
    localRatios,
    viaBare: medianRound.bare,
    viaGate: medianRound.gate,
    viaGateSequential: rounds[medianIndex(sequentialRatios)]!.gateSequential,
    viaGateLocal: rounds[medianIndex(localRatios)]!.gateLocal,
    viaNginx,
    direct,
    storefrontKind: String(shop.info.kind),
  });
  for (const stop of stops.splice(0).reverse()) await stop();
}
