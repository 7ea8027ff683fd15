/**
 * What the gate's protections cost, and what they buy.
 *
 * 1. Throughput and p99 of GET /api/products/:id (distinct user keys) straight to the storefront,
 *    through a bare reverse proxy on the gate's own HTTP stack (node:http + the undici pool, no
 *    protections), through nginx from Debian, through the gate (real redis-server for its rate
 *    limits, the config as shipped: product reads are speculative), through the same gate with every
 *    read waiting for its decision, and through the same gate without Redis (limits decided in
 *    process). Closed loop, the load generator in its own process. Bare proxy and the three gates
 *    run in interleaved rounds and each ratio is the median of its rounds. CPU per request read from /proc/<pid>/stat
 *    of every process (nginx, redis-server and the load generator included), and the machine's
 *    idle time per request from /proc/stat.
 * 2. Checkout success at 5× the app's capacity, open loop (latency from the intended send time),
 *    with and without the gate, while lower classes make up most of the traffic.
 *
 * Every server and the load generator is a child process in a role (gate-proxy/roles-main.ts
 * with SALEDAY_BENCH_ROLE), bundled once with esbuild as the production container runs the gate (no
 * tsx in the servers: its per-closure `__name` wrappers and source transforms are not what ships,
 * and they cost the gate and the bare proxy unequally). SALEDAY_BENCH_TSX=1 runs the roles
 * through tsx instead. Run alone with `npx tsx bench/gate-proxy.bench.ts`.
 *
 * The pieces live in bench/gate-proxy/: the servers and load generators (server-roles.ts,
 * load-roles.ts, started by role-process.ts), the measurement (measure.ts, nginx.ts) and the three
 * comparisons (cost-of-protections.ts, speculative-read-latency.ts, checkout-at-capacity.ts).
 */
import { checkoutAtFiveTimesCapacity } from './gate-proxy/checkout-at-capacity';
import { costOfProtections } from './gate-proxy/cost-of-protections';
import { cleanupRoleScript } from './gate-proxy/role-process';
import { speculativeReadLatency } from './gate-proxy/speculative-read-latency';

export async function run(): Promise<string[]> {
  const lines: string[] = [];
  // Progress as each comparison finishes (stderr); the caller prints the returned lines once.
  const print = (line: string) => {
    lines.push(line);
    console.error(`# ${line}`);
  };
  const stops: Array<() => Promise<void>> = [];
  // SALEDAY_BENCH_PART=cost, =latency or =overload runs one part (when iterating on one of them);
  // SALEDAY_BENCH_TRACE=1 also prints the gate's concurrency limit every 250 ms of the overload run.
  const part = process.env.SALEDAY_BENCH_PART;
  try {
    if (part === undefined || part === 'cost') await costOfProtections(print, stops);
    if (part === undefined || part === 'latency') await speculativeReadLatency(print, stops);
    if (part === undefined || part === 'overload') await checkoutAtFiveTimesCapacity(print, stops);
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    cleanupRoleScript();
  }
  return lines;
}

if (require.main === module) {
  run()
    .then((lines) => lines.forEach((line) => console.log(line)))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
