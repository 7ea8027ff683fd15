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
 * Every server and the load generator is a child process running this same file in a role
 * (SALEDAY_BENCH_ROLE), bundled once with esbuild as the production container runs the gate (no
 * tsx in the servers: its per-closure `__name` wrappers and source transforms are not what ships,
 * and they cost the gate and the bare proxy unequally). SALEDAY_BENCH_TSX=1 runs the roles
 * through tsx instead. Run alone with `npx tsx bench/gate-proxy.bench.ts`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'hdr-histogram-js';
import { Pool } from 'undici';
import { loadConfig } from '../contracts/config/load-config';
import { createJsonLogger } from '../gate/proxy/gate-logger';
import { startGate } from '../gate/proxy/gate-server';
import { createUpstreamClient, isUpstreamFailure, pipeBody } from '../gate/proxy/upstream-client';
import { findFreePort } from '../cli/support/loopback';
import { launchRedisServer } from '../cli/support/redis-launcher';
import { startDelayingRelay } from './delaying-relay';

// A bundled role runs from a temporary directory: the checkout is passed along.
const ROOT = process.env.SALEDAY_BENCH_ROOT ?? join(__dirname, '..');
/** Closed-loop connections of the throughput comparison (SALEDAY_BENCH_CONNECTIONS, when exploring). */
const CLOSED_LOOP_CONNECTIONS = Math.max(1, Number(process.env.SALEDAY_BENCH_CONNECTIONS ?? 64));
/** The peer proxy the gate is compared with: Debian's nginx. */
const NGINX = '/usr/sbin/nginx';
const WARMUP_MS = 1000;
const MEASURE_MS = 4000;
/**
 * Interleaved rounds of the bare proxy and the gates (SALEDAY_BENCH_ROUNDS). Seven, not five: on
 * these shared cores a single round's ratio ranged from 0.64 to 0.92 in one afternoon, and the
 * median of seven moves less with one unlucky round than the median of five.
 */
const COST_ROUNDS = Math.max(1, Number(process.env.SALEDAY_BENCH_ROUNDS ?? 7));
const OVERLOAD_MS = 6000;
/** The speculative-read latency comparison: Redis this far away each way, and the app this slow to answer a read. */
const REDIS_HOP_DELAY_MS = 1;
const READ_SERVICE_MS = 5;
const CLOCK_TICKS_PER_SECOND = 100; // getconf CLK_TCK on Linux

// ---------------------------------------------------------------- roles (child processes)

type RoleArgs = Record<string, unknown>;

function announce(fields: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ event: 'listening', pid: process.pid, ...fields })}\n`);
}

async function listen(server: ReturnType<typeof createServer>): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

/** The reference storefront on its embedded store; the minimal app below if the storefront cannot start. */
async function roleStorefront(): Promise<void> {
  try {
    const { startStorefront } = (await import('../storefront/server')) as typeof import('../storefront/server');
    const shop = await startStorefront({ port: 0, host: '127.0.0.1', logger: false });
    const list = (await (await fetch(`${shop.url}/api/products`)).json()) as { items?: Array<{ id: string }>; products?: Array<{ id: string }> } | Array<{ id: string }>;
    const items = Array.isArray(list) ? list : (list.items ?? list.products ?? []);
    announce({ url: shop.url, kind: 'storefront', productIds: items.map((p) => p.id).slice(0, 50) });
  } catch (error) {
    process.stderr.write(`storefront unavailable (${String(error)}); using the minimal app\n`);
    await roleApp({ capacity: 1_000_000, serviceMs: 0 });
  }
}

/** A shop with a fixed capacity: `capacity` workers, each request holding one for `serviceMs`, the rest queued FIFO. */
async function roleApp(args: RoleArgs): Promise<void> {
  const capacity = Number(args.capacity ?? 1_000_000);
  const serviceMs = Number(args.serviceMs ?? 0);
  let busy = 0;
  const waiting: Array<() => void> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      if (busy >= capacity) await new Promise<void>((resolve) => waiting.push(resolve));
      busy += 1;
      if (serviceMs > 0) await new Promise((r) => setTimeout(r, serviceMs));
      busy -= 1;
      waiting.shift()?.();
      if (res.destroyed) return;
      const path = (req.url ?? '/').split('?')[0];
      const status = path === '/api/checkout' ? 201 : 200;
      const body = JSON.stringify(path === '/api/checkout' ? { orderId: `o-${Math.random().toString(36).slice(2)}` } : { path, stock: 10 });
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 65_000;
  announce({ url: await listen(server), kind: 'app', productIds: Array.from({ length: 50 }, (_, i) => `sku-${String(i).padStart(3, '0')}`) });
}

/** The same HTTP stack as the gate (node:http server, undici pool, streaming) with no protections. */
async function roleBareProxy(args: RoleArgs): Promise<void> {
  const upstream = createUpstreamClient({ upstream: String(args.upstream), connections: 512 });
  const server = createServer({ maxHeaderSize: 16_384, keepAliveTimeout: 65_000 }, async (req: IncomingMessage, res: ServerResponse) => {
    try {
      const response = await upstream.request({ req, path: req.url ?? '/', timeoutMs: 5000 });
      res.writeHead(response.statusCode, response.headers);
      await pipeBody(response, res);
    } catch (error) {
      res.writeHead(isUpstreamFailure(error) && error.kind === 'timeout' ? 504 : 502).end();
    }
  });
  // An orderly exit on SIGINT, as the gate role has, so `node --cpu-prof` can profile the bare proxy too.
  process.once('SIGINT', () => server.close(() => process.exit(0)).closeAllConnections());
  announce({ url: await listen(server) });
}

async function roleGate(args: RoleArgs): Promise<void> {
  const config = loadConfig(join(ROOT, 'saleday.config.json'));
  // The loads send plain x-user-id keys, so the proxy is measured without proof checks (the example config signs keys).
  config.identity = { ...config.identity, header: 'x-user-id', cookie: undefined, proof: 'none' };
  if (args.concurrency) config.gate.concurrency = { ...config.gate.concurrency, ...(args.concurrency as Partial<typeof config.gate.concurrency>) };
  // Every read waits for its rate-limit decision before going to the app (no speculative reads).
  if (args.sequentialLimits) {
    for (const route of config.routes) if (route.rateLimit && route.rateLimit.algorithm !== 'concurrency') route.rateLimit.speculative = false;
  }
  const started = await startGate({
    config,
    upstream: String(args.upstream),
    port: 0,
    redisUrl: args.redisUrl ? String(args.redisUrl) : undefined,
    logger: createJsonLogger({ level: 'warn' }),
    rateLimitPrefix: `bench:gate:${process.pid}`,
    upstreamConnections: 512,
  });
  // An orderly exit (also lets `node --cpu-prof` write its profile when profiling the gate).
  process.once('SIGINT', () => void started.close().finally(() => process.exit(0)));
  announce({ url: started.url });
}

interface LoadResult {
  requests: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  statuses: Record<string, number>;
  errors: number;
  byClass?: Record<string, { sent: number; ok: number; statuses: Record<string, number> }>;
}

/** Closed loop: `connections` workers, each sending its next request when the previous one is answered. */
async function roleLoadClosed(args: RoleArgs): Promise<void> {
  const url = new URL(String(args.url));
  const productIds = args.productIds as string[];
  const connections = Number(args.connections);
  const pool = new Pool(url.origin, { connections, pipelining: 1, keepAliveTimeout: 30_000 });
  const histogram = build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  const statuses: Record<string, number> = {};
  let errors = 0;
  let requests = 0;
  let measuring = false;
  let sequence = 0;
  const start = Date.now();
  const measureFrom = start + Number(args.warmupMs);
  const stopAt = measureFrom + Number(args.durationMs);
  setTimeout(() => {
    measuring = true;
    process.stdout.write('{"event":"measuring"}\n');
  }, Number(args.warmupMs));
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (Date.now() < stopAt) {
        const n = sequence++;
        const sentAt = performance.now();
        try {
          const response = await pool.request({ path: `/api/products/${productIds[n % productIds.length]}`, method: 'GET', headers: { 'x-user-id': `bench-user-${n % 50_000}` } });
          await response.body.dump();
          if (measuring) {
            statuses[response.statusCode] = (statuses[response.statusCode] ?? 0) + 1;
            histogram.recordValue(Math.max(1, Math.round((performance.now() - sentAt) * 1000)));
            requests += 1;
          }
        } catch {
          if (measuring) errors += 1;
        }
      }
    }),
  );
  const seconds = Number(args.durationMs) / 1000;
  const result: LoadResult = { requests, rps: requests / seconds, p50Ms: histogram.getValueAtPercentile(50) / 1000, p99Ms: histogram.getValueAtPercentile(99) / 1000, statuses, errors };
  process.stdout.write(`${JSON.stringify({ event: 'result', result })}\n`);
  await pool.close();
}

/** Open loop at a fixed rate: each request is due at its intended time and timed from it (no coordinated omission). */
async function roleLoadOpen(args: RoleArgs): Promise<void> {
  const url = new URL(String(args.url));
  const rate = Number(args.ratePerSecond);
  const durationMs = Number(args.durationMs);
  const timeoutMs = Number(args.timeoutMs);
  const mix = args.mix as Array<{ name: string; method: 'GET' | 'POST'; path: string; share: number }>;
  const pool = new Pool(url.origin, { connections: 1024, pipelining: 1, keepAliveTimeout: 30_000 });
  const byClass: NonNullable<LoadResult['byClass']> = Object.fromEntries(mix.map((m) => [m.name, { sent: 0, ok: 0, statuses: {} }]));
  const histogram = build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: 3 });
  const cumulative: number[] = [];
  mix.reduce((sum, m) => (cumulative.push(sum + m.share), sum + m.share), 0);
  process.stdout.write('{"event":"measuring"}\n');
  const start = performance.now();
  const inFlight: Promise<void>[] = [];
  let sent = 0;
  const fire = (n: number, intendedAt: number) => {
    const pick = mix[cumulative.findIndex((c) => (n % 100) / 100 < c)] ?? mix[mix.length - 1];
    const stats = byClass[pick.name];
    stats.sent += 1;
    const body = pick.method === 'POST' ? JSON.stringify({ productId: 'sku-001', quantity: 1 }) : undefined;
    const user = pick.name === 'checkout' ? `buyer-${n}` : `shopper-${n % 5000}`;
    // saleday-user too: the bare proxy, nginx and direct paths pass it to the shop as the gate would set it (the gate replaces it).
    const headers: Record<string, string> = { 'x-user-id': user, 'saleday-user': `u:${user}` };
    if (body) headers['content-type'] = 'application/json';
    const task = pool
      .request({ path: pick.path, method: pick.method, headers, body, signal: AbortSignal.timeout(Math.max(1, Math.round(timeoutMs - (performance.now() - intendedAt)))) })
      .then(async (response) => {
        await response.body.dump();
        const latency = performance.now() - intendedAt;
        // A refusal is labelled with what the gate did (shed, short-circuited, …), to tell overload from failure.
        const outcome = response.statusCode >= 400 ? response.headers['saleday-outcome'] : undefined;
        const status = latency > timeoutMs ? 'late' : outcome ? `${response.statusCode} ${String(outcome)}` : String(response.statusCode);
        stats.statuses[status] = (stats.statuses[status] ?? 0) + 1;
        if (response.statusCode < 400 && latency <= timeoutMs) stats.ok += 1;
        if (pick.name === 'checkout') histogram.recordValue(Math.max(1, Math.round(latency * 1000)));
      })
      .catch(() => {
        stats.statuses.timeout = (stats.statuses.timeout ?? 0) + 1;
      });
    inFlight.push(task);
  };
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = performance.now() - start;
      const due = Math.min(Math.floor((elapsed * rate) / 1000), Math.floor((durationMs * rate) / 1000));
      while (sent < due) {
        fire(sent, start + (sent * 1000) / rate);
        sent += 1;
      }
      if (elapsed >= durationMs) {
        clearInterval(timer);
        resolve();
      }
    }, 2);
  });
  await Promise.all(inFlight);
  const result: LoadResult = { requests: sent, rps: sent / (durationMs / 1000), p50Ms: histogram.getValueAtPercentile(50) / 1000, p99Ms: histogram.getValueAtPercentile(99) / 1000, statuses: {}, errors: 0, byClass };
  process.stdout.write(`${JSON.stringify({ event: 'result', result })}\n`);
  await pool.close();
}

// ---------------------------------------------------------------- orchestration

interface Child {
  process: ChildProcess;
  pid: number;
  info: Record<string, unknown>;
  /** Resolves with the first `result` line (load roles). */
  result: Promise<LoadResult>;
  /** Resolves when a load role starts its measured window. */
  measuring: Promise<void>;
  stop(): Promise<void>;
}

/** The roles' script: this file bundled as production bundles gate/main.ts (esbuild, platform node), or this file under tsx. */
let roleScript: { nodeArgs: string[]; cleanup(): void } | undefined;
function rolesEntry(): string[] {
  if (!roleScript) {
    if (process.env.SALEDAY_BENCH_TSX) {
      roleScript = { nodeArgs: ['--import', 'tsx', __filename], cleanup: () => undefined };
    } else {
      const dir = mkdtempSync(join(tmpdir(), 'saleday-bench-'));
      const outfile = join(dir, 'gate-proxy.bench.js');
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const esbuild = require('esbuild') as typeof import('esbuild');
      esbuild.buildSync({ entryPoints: [__filename], bundle: true, platform: 'node', outfile, external: ['esbuild'], logLevel: 'warning' });
      roleScript = { nodeArgs: [outfile], cleanup: () => rmSync(dir, { recursive: true, force: true }) };
    }
  }
  return roleScript.nodeArgs;
}

function spawnRole(role: string, args: RoleArgs = {}): Promise<Child> {
  // SALEDAY_BENCH_CPU_PROF=<dir> profiles the proxies (gate, bare proxy): each writes a .cpuprofile there when stopped.
  const profileDir = process.env.SALEDAY_BENCH_CPU_PROF && (role === 'gate' || role === 'bare-proxy') ? process.env.SALEDAY_BENCH_CPU_PROF : undefined;
  const profileArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${role}-${Date.now()}.cpuprofile`] : [];
  const child = spawn(process.execPath, [...profileArgs, ...rolesEntry()], {
    cwd: ROOT,
    env: { ...process.env, SALEDAY_BENCH_ROLE: role, SALEDAY_BENCH_ARGS: JSON.stringify(args), SALEDAY_BENCH_ROOT: ROOT, SALEDAY_PUBLIC_DIR: process.env.SALEDAY_PUBLIC_DIR ?? join(ROOT, 'storefront', 'public') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  child.stderr?.on('data', (c: Buffer) => stderr.push(c.toString()));
  let resolveResult: (r: LoadResult) => void = () => undefined;
  let rejectResult: (error: Error) => void = () => undefined;
  const result = new Promise<LoadResult>((resolve, reject) => ((resolveResult = resolve), (rejectResult = reject)));
  let resolveMeasuring: () => void = () => undefined;
  let rejectMeasuring: (error: Error) => void = () => undefined;
  const measuring = new Promise<void>((resolve, reject) => ((resolveMeasuring = resolve), (rejectMeasuring = reject)));
  // Whoever waits on a role that died must hear about it rather than wait forever.
  result.catch(() => undefined);
  measuring.catch(() => undefined);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.startsWith('{"event"')) return; // EMF lines of the gate: drained, not read
      const message = JSON.parse(line) as { event: string; result?: LoadResult };
      if (message.event === 'listening') {
        resolve({
          process: child,
          pid: child.pid as number,
          info: message,
          result,
          measuring,
          stop: async () => {
            // A profiled role exits on SIGINT (writing its profile); give it a moment before SIGKILL.
            if (profileDir && child.exitCode === null) {
              child.kill('SIGINT');
              await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
            }
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
            await exited;
          },
        });
      } else if (message.event === 'measuring') resolveMeasuring();
      else if (message.event === 'result' && message.result) resolveResult(message.result);
    });
    child.once('exit', (code, signal) => {
      const error = new Error(`${role} exited with ${code ?? signal}: ${stderr.join('').slice(-2000)}`);
      rejectResult(error);
      rejectMeasuring(error);
      if (code !== 0 && code !== null) reject(error);
    });
    if (role.startsWith('load')) {
      // Load roles announce nothing; they are ready at once.
      resolve({ process: child, pid: child.pid as number, info: {}, result, measuring, stop: async () => void (await exited) });
    }
  });
}

function cpuTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime
  } catch {
    return 0;
  }
}

/** The machine's idle time so far, in clock ticks (idle + iowait of the `cpu` line of /proc/stat). */
function idleTicks(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/);
  return Number(fields[4]) + Number(fields[5]);
}

/**
 * Runs a load against `url` and returns its result plus the CPU (µs per request) of each listed
 * server process, of the load generator (`load`) and the machine's idle time (`idle`, all cores):
 * a closed loop that leaves cores idle is bound by latency, not by CPU.
 */
async function measure(role: 'load-closed' | 'load-open', args: RoleArgs, servers: Record<string, number>): Promise<{ load: LoadResult; cpuUsPerRequest: Record<string, number> }> {
  const load = await spawnRole(role, args);
  await load.measuring;
  const pids: Record<string, number> = { ...servers, load: load.pid };
  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuTicks(pid)]));
  const idleBefore = idleTicks();
  const result = await load.result;
  const after = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuTicks(pid)]));
  const idleAfter = idleTicks();
  await load.stop();
  const perRequest = (ticks: number) => (result.requests > 0 ? ((ticks / CLOCK_TICKS_PER_SECOND) * 1e6) / result.requests : 0);
  const cpuUsPerRequest: Record<string, number> = {};
  for (const name of Object.keys(pids)) cpuUsPerRequest[name] = perRequest(after[name]! - before[name]!);
  cpuUsPerRequest.idle = perRequest(idleAfter - idleBefore);
  return { load: result, cpuUsPerRequest };
}

async function startNginx(upstream: string): Promise<{ url: string; pid: number; stop(): Promise<void> }> {
  if (!existsSync(NGINX)) throw new Error(`${NGINX} not found: the gate-proxy benchmark compares the gate with nginx; install it (apt-get install -y nginx)`);
  const dir = mkdtempSync(join(tmpdir(), 'saleday-nginx-'));
  for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, sub));
  const port = await findFreePort();
  const origin = new URL(upstream);
  const conf = `
daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream app { server ${origin.host}; keepalive 256; }
  server {
    listen 127.0.0.1:${port};
    keepalive_requests 1000000;
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }
  }
}
`;
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const child = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      await fetch(`http://127.0.0.1:${port}/healthz`);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`nginx did not start: ${readFileSync(join(dir, 'error.log'), 'utf8')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    url: `http://127.0.0.1:${port}`,
    pid: child.pid as number,
    stop: async () => {
      child.kill('SIGKILL');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const fmt = (n: number, digits = 0) => n.toFixed(digits);
/** Index of the median value (the lower middle one of an even count). */
const medianIndex = (values: number[]) => {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  return order[Math.floor((order.length - 1) / 2)]![1];
};
const median = (values: number[]) => values[medianIndex(values)]!;

/**
 * Runs every contender once per round, the order rotating each round, so a noisy neighbour on
 * these shared cores slows the contenders of a round alike instead of one whole measurement.
 */
async function interleavedRounds<Name extends string, Result>(contenders: Array<{ name: Name; run: () => Promise<Result> }>, count: number): Promise<Array<Record<Name, Result>>> {
  const rounds: Array<Record<Name, Result>> = [];
  for (let round = 0; round < count; round++) {
    const results: Partial<Record<Name, Result>> = {};
    for (let i = 0; i < contenders.length; i++) {
      const contender = contenders[(i + round) % contenders.length]!;
      results[contender.name] = await contender.run();
    }
    rounds.push(results as Record<Name, Result>);
  }
  return rounds;
}
const describe = (name: string, r: { load: LoadResult; cpuUsPerRequest: Record<string, number> }, cpuOf: string[]) =>
  `${name} ${fmt(r.load.rps)}/s p99 ${fmt(r.load.p99Ms, 2)}ms cpu ${cpuOf.map((p) => `${p} ${fmt(r.cpuUsPerRequest[p] ?? 0, 1)}µs`).join(' + ')}/req`;

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
    roleScript?.cleanup();
    roleScript = undefined;
  }
  return lines;
}

async function costOfProtections(print: (line: string) => void, stops: Array<() => Promise<void>>): Promise<void> {
  const redis = await launchRedisServer();
  stops.push(() => redis.kill());
  const shop = await spawnRole('storefront');
  stops.push(() => shop.stop());
  const shopUrl = String(shop.info.url);
  const productIds = shop.info.productIds as string[];
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
  const closed = (url: string) => ({ url, productIds, connections: CLOSED_LOOP_CONNECTIONS, warmupMs: WARMUP_MS, durationMs: MEASURE_MS });

  // The proxies under comparison run in interleaved rounds, and each comparison is the median of its
  // per-round ratios.
  const contenders = [
    { name: 'bare' as const, run: () => measure('load-closed', closed(String(bare.info.url)), { proxy: bare.pid, storefront: shop.pid }) },
    { name: 'gate' as const, run: () => measure('load-closed', closed(String(gate.info.url)), { gate: gate.pid, redis: redis.process.pid as number, storefront: shop.pid }) },
    { name: 'gateSequential' as const, run: () => measure('load-closed', closed(String(gateSequential.info.url)), { gate: gateSequential.pid, redis: redis.process.pid as number, storefront: shop.pid }) },
    { name: 'gateLocal' as const, run: () => measure('load-closed', closed(String(gateLocal.info.url)), { gate: gateLocal.pid, storefront: shop.pid }) },
  ];
  const rounds = await interleavedRounds(contenders, COST_ROUNDS);
  const direct = await measure('load-closed', closed(shopUrl), { storefront: shop.pid });
  const viaNginx = await measure('load-closed', closed(nginx.url), { nginx: nginx.pid, storefront: shop.pid });
  // The round whose ratio is the median stands for each contender in the absolute figures.
  const ratios = rounds.map((r) => r.gate.load.rps / r.bare.load.rps);
  const sequentialRatios = rounds.map((r) => r.gateSequential.load.rps / r.bare.load.rps);
  const localRatios = rounds.map((r) => r.gateLocal.load.rps / r.bare.load.rps);
  const medianRound = rounds[medianIndex(ratios)]!;
  const viaBare = medianRound.bare;
  const viaGate = medianRound.gate;
  const viaGateSequential = rounds[medianIndex(sequentialRatios)]!.gateSequential;
  const viaGateLocal = rounds[medianIndex(localRatios)]!.gateLocal;
  const listed = (values: number[]) => values.map((v) => fmt(v, 2)).join(' ');
  const okShare = (r: LoadResult) => (r.requests === 0 ? 0 : (r.statuses['200'] ?? 0) / r.requests);
  print(
    `bench gate-vs-bare-proxy: gate ${fmt(viaGate.load.rps)}/s p99 ${fmt(viaGate.load.p99Ms, 2)}ms, bare-proxy ${fmt(viaBare.load.rps)}/s p99 ${fmt(viaBare.load.p99Ms, 2)}ms, ratio ${fmt(median(ratios), 2)} (median of ${rounds.length} rounds: ${listed(ratios)}; target ≥ 0.80)`,
  );
  print(
    `bench gate-sequential-limits-vs-bare-proxy: gate with no speculative reads ${fmt(viaGateSequential.load.rps)}/s p99 ${fmt(viaGateSequential.load.p99Ms, 2)}ms, ratio ${fmt(median(sequentialRatios), 2)} (median of ${rounds.length} rounds: ${listed(sequentialRatios)}; every read waits for its decision at Redis before going to the app)`,
  );
  print(
    `bench gate-local-limits-vs-bare-proxy: gate without Redis ${fmt(viaGateLocal.load.rps)}/s p99 ${fmt(viaGateLocal.load.p99Ms, 2)}ms, ratio ${fmt(median(localRatios), 2)} (median of ${rounds.length} rounds: ${listed(localRatios)}; every protection, rate limits exact per task instead of across the fleet)`,
  );
  print(`bench gate-vs-nginx: gate ${fmt(viaGate.load.rps)}/s p99 ${fmt(viaGate.load.p99Ms, 2)}ms, nginx ${fmt(viaNginx.load.rps)}/s p99 ${fmt(viaNginx.load.p99Ms, 2)}ms, ratio ${fmt(viaGate.load.rps / viaNginx.load.rps, 2)}`);
  print(`bench gate-vs-direct: gate ${fmt(viaGate.load.rps)}/s p99 ${fmt(viaGate.load.p99Ms, 2)}ms, direct ${fmt(direct.load.rps)}/s p99 ${fmt(direct.load.p99Ms, 2)}ms, ratio ${fmt(viaGate.load.rps / direct.load.rps, 2)}`);
  const cpuColumns = (...servers: string[]) => [...servers, 'load', 'idle'];
  print(
    `bench gate-proxy-cpu: ${describe('gate', viaGate, cpuColumns('gate', 'redis', 'storefront'))}; ${describe('gate-sequential-limits', viaGateSequential, cpuColumns('gate', 'redis', 'storefront'))}; ${describe('gate-without-redis', viaGateLocal, cpuColumns('gate', 'storefront'))}; ${describe('bare-proxy', viaBare, cpuColumns('proxy', 'storefront'))}; ${describe('nginx', viaNginx, cpuColumns('nginx', 'storefront'))}; ${describe('direct', direct, cpuColumns('storefront'))}`,
  );
  print(`bench gate-proxy-ok: 200 share gate ${fmt(okShare(viaGate.load) * 100, 2)}%, bare-proxy ${fmt(okShare(viaBare.load) * 100, 2)}%, nginx ${fmt(okShare(viaNginx.load) * 100, 2)}%, direct ${fmt(okShare(direct.load) * 100, 2)}% (storefront: ${String(shop.info.kind)})`);
  for (const stop of stops.splice(0).reverse()) await stop();
}

/**
 * What speculative reads buy where they matter: Redis a network hop away (here behind a relay that
 * holds every chunk REDIS_HOP_DELAY_MS each way) and an app that takes a while to answer a read.
 * Read latency through the gate as shipped and through the same gate with every read waiting for
 * its decision, at a light load (a few connections, nothing queues), in interleaved rounds.
 */
async function speculativeReadLatency(print: (line: string) => void, stops: Array<() => Promise<void>>): Promise<void> {
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
      { name: 'speculative' as const, run: async () => (await measure('load-closed', light(String(speculative.info.url)), {})).load },
      { name: 'sequential' as const, run: async () => (await measure('load-closed', light(String(sequential.info.url)), {})).load },
    ],
    3,
  );
  const withP50 = median(rounds.map((r) => r.speculative.p50Ms));
  const withoutP50 = median(rounds.map((r) => r.sequential.p50Ms));
  const withP99 = median(rounds.map((r) => r.speculative.p99Ms));
  const withoutP99 = median(rounds.map((r) => r.sequential.p99Ms));
  const refused = rounds.reduce((n, r) => n + (r.speculative.statuses['429'] ?? 0) + (r.sequential.statuses['429'] ?? 0), 0);
  print(
    `bench speculative-read-latency: p50 ${fmt(withP50, 2)}ms with speculative reads, ${fmt(withoutP50, 2)}ms without (p99 ${fmt(withP99, 2)} vs ${fmt(withoutP99, 2)}ms), ratio ${fmt(withoutP50 / withP50, 2)} (medians of 3 rounds; Redis behind a relay adding ${REDIS_HOP_DELAY_MS} ms each way, the app answering a read in ${READ_SERVICE_MS} ms; ${refused} reads refused)`,
  );
  for (const stop of stops.splice(0).reverse()) await stop();
}

async function checkoutAtFiveTimesCapacity(print: (line: string) => void, stops: Array<() => Promise<void>>): Promise<void> {
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
  const open = (url: string) => ({ url, ratePerSecond: capacityRps * 5, durationMs: OVERLOAD_MS, timeoutMs: 3000, mix });
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
  const gate3 = await spawnRole('gate', { upstream: String(app2.info.url), redisUrl: redis2.url, ...(tuned ? { concurrency: { initialLimit: 8, minLimit: 4, maxLimit: 16 } } : {}) });
  stops.push(() => gate3.stop());
  const limitTrace = traceConcurrencyLimit(String(gate3.info.url));
  const withGate = await measure('load-open', open(String(gate3.info.url)), { gate: gate3.pid, app: app2.pid }).finally(() => limitTrace.stop());
  const share = (r: LoadResult, name: string) => {
    const c = r.byClass?.[name];
    return c && c.sent > 0 ? c.ok / c.sent : 0;
  };
  const shareOf = (r: LoadResult, name: string) => fmt(share(r, name) * 100, 1);
  const ratio = share(withoutGate.load, 'checkout') > 0 ? fmt(share(withGate.load, 'checkout') / share(withoutGate.load, 'checkout'), 2) : 'inf';
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
    fetch(`${gateUrl}/_gate/metrics`)
      .then(async (response) => (await response.json()) as { process?: { concurrencyLimit?: number } })
      .then((body) => {
        if (typeof body.process?.concurrencyLimit === 'number') values.push(body.process.concurrencyLimit);
      })
      .catch(() => undefined);
  }, 250);
  timer.unref();
  return { values: () => values, stop: () => clearInterval(timer) };
}

async function runRole(role: string, args: RoleArgs): Promise<void> {
  switch (role) {
    case 'storefront':
      return roleStorefront();
    case 'app':
      return roleApp(args);
    case 'bare-proxy':
      return roleBareProxy(args);
    case 'gate':
      return roleGate(args);
    case 'load-closed':
      await roleLoadClosed(args);
      process.exit(0);
      return;
    case 'load-open':
      await roleLoadOpen(args);
      process.exit(0);
      return;
    default:
      throw new Error(`unknown bench role ${role}`);
  }
}

const benchRole = process.env.SALEDAY_BENCH_ROLE;
if (benchRole) {
  runRole(benchRole, JSON.parse(process.env.SALEDAY_BENCH_ARGS ?? '{}') as RoleArgs).catch((error: unknown) => {
    process.stderr.write(`${String(error instanceof Error ? error.stack : error)}\n`);
    process.exit(1);
  });
} else if (require.main === module) {
  run().then((lines) => lines.forEach((line) => console.log(line))).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
