/**
 * What the gate buys: checkout success at 5× the app's capacity, open loop (latency from the
 * intended send time), with and without the gate, while lower classes make up most of the traffic.
 */
import { GATE_METRICS_PATH } from '../../contracts/reserved-paths';
import { launchRedisServer } from '../../cli/support/redis-launcher';
import type { LoadResult } from './load-roles';
import { fmt, measure } from './measure';
import { spawnRole } from './role-process';
import { OVERLOAD_MS } from './settings';

export async function checkoutAtFiveTimesCapacity(
  print: (line: string) => void,
  stops: Array<() => Promise<void>>,
): Promise<void> {
  const capacityRps = 200; // 4 workers x 20 ms
  const app = await spawnRole('app', { capacity: 4, serviceMs: 20 });
  stops.push(() => app.stop());
  const appUrl = String(app.info.url);
  const redis2 = await launchRedisServer();
  stops.push(() => redis2.kill());
  // A sale's mix: mostly browsing. Checkout (critical) and product pages (high) together stay
  // below the app's capacity (150 of 200 req/s), so the lower classes can absorb all the shedding.
  const mix = [
    { name: 'checkout', method: 'POST', path: '/api/checkout', share: 0.05 },
    { name: 'product', method: 'GET', path: '/api/products/sku-001', share: 0.1 },
    { name: 'products', method: 'GET', path: '/api/products', share: 0.25 },
    { name: 'recommendations', method: 'GET', path: '/api/recommendations', share: 0.6 },
  ];
  const open = (url: string) => ({
    url,
    ratePerSecond: capacityRps * 5,
    durationMs: OVERLOAD_MS,
    timeoutMs: 3000,
    mix,
  });
  const withoutGate = await measure('load-open', open(appUrl), { app: app.pid });
  // A fresh app for the second run: the first one's queue must not leak into it.
  await app.stop();
  const app2 = await spawnRole('app', { capacity: 4, serviceMs: 20 });
  stops.push(() => app2.stop());
  // The gate runs the example config's concurrency limits as they are (initial 64, min 8, max 512:
  // sized for a real task, far above these 4 workers): the adaptive limit has to find the app's
  // useful concurrency by itself. SALEDAY_BENCH_GATE_LIMITS=tuned pins it to a hand-sized range
  // instead (initial 8, min 4, max 16), for comparison.
  const tuned = process.env.SALEDAY_BENCH_GATE_LIMITS === 'tuned';
  const gate3 = await spawnRole('gate', {
    upstream: String(app2.info.url),
    redisUrl: redis2.url,
    ...(tuned ? { concurrency: { initialLimit: 8, minLimit: 4, maxLimit: 16 } } : {}),
  });
  stops.push(() => gate3.stop());
  const limitTrace = traceConcurrencyLimit(String(gate3.info.url));
  const withGate = await measure('load-open', open(String(gate3.info.url)), { gate: gate3.pid, app: app2.pid }).finally(
    () => limitTrace.stop(),
  );
  const share = (r: LoadResult, name: string) => {
    const c = r.byClass?.[name];
    return c && c.sent > 0 ? c.ok / c.sent : 0;
  };
  const shareOf = (r: LoadResult, name: string) => fmt(share(r, name) * 100, 1);
  const ratio =
    share(withoutGate.load, 'checkout') > 0
      ? fmt(share(withGate.load, 'checkout') / share(withoutGate.load, 'checkout'), 2)
      : 'inf';
  print(
    `bench checkout-at-5x-capacity: with gate ${shareOf(withGate.load, 'checkout')}% ok (p99 ${fmt(withGate.load.p99Ms)}ms), without ${shareOf(withoutGate.load, 'checkout')}% ok (p99 ${fmt(withoutGate.load.p99Ms)}ms), ratio ${ratio} (target ≥ 99% with the gate; ${capacityRps * 5} req/s offered to an app of ${capacityRps} req/s)`,
  );
  const limits = limitTrace.values();
  if (process.env.SALEDAY_BENCH_TRACE) console.error(`gate concurrency limit every 250 ms: ${limits.join(' ')}`);
  const sorted = [...limits].sort((x, y) => x - y);
  print(
    `bench gate-limit-at-5x-capacity: adaptive limit ${limits.length > 0 ? `first ${limits[0]}, median ${sorted[Math.floor(sorted.length / 2)]}, max ${sorted.at(-1)}, last ${limits.at(-1)}` : 'not read'} (${tuned ? 'tuned: initial 8, min 4, max 16' : 'example config: initial 64, min 8, max 512'}; the app does 4 at a time)`,
  );
  print(
    `bench lower-classes-at-5x-capacity: with gate ok product ${shareOf(withGate.load, 'product')}%, products ${shareOf(withGate.load, 'products')}%, recommendations ${shareOf(withGate.load, 'recommendations')}%; without ok product ${shareOf(withoutGate.load, 'product')}%, products ${shareOf(withoutGate.load, 'products')}%, recommendations ${shareOf(withoutGate.load, 'recommendations')}%; statuses with gate ${JSON.stringify(Object.fromEntries(Object.entries(withGate.load.byClass ?? {}).map(([k, v]) => [k, v.statuses])))}`,
  );
}

/** Reads the gate's concurrency limit from its metrics endpoint every 250 ms until stopped. */
function traceConcurrencyLimit(gateUrl: string): { values(): number[]; stop(): void } {
  const values: number[] = [];
  const timer = setInterval(() => {
    fetch(`${gateUrl}${GATE_METRICS_PATH}`)
      .then(async (response) => (await response.json()) as { process?: { concurrencyLimit?: number } })
      .then((body) => {
        if (typeof body.process?.concurrencyLimit === 'number') values.push(body.process.concurrencyLimit);
      })
      .catch(() => undefined);
  }, 250);
  timer.unref();
  return { values: () => values, stop: () => clearInterval(timer) };
}
