/**
 * The gate's join throughput (the one request a waiting visitor makes to the origin) against a
 * plain page GET of an admitted shopper through the same gate, in the same run.
 *
 * One gate on a real redis-server with the room open, in front of a small app. The join: two
 * limiter decisions (per IP and per identity, limits set out of reach so every join is issued),
 * one INCR, an HMAC-signed ticket and a 302. The peer: GET /drop with a valid pass (the pass check,
 * the page route's own rate limit, the proxy to the app). Distinct identities on both, closed loop,
 * the load generator in this process (both sides pay for it alike), interleaved rounds, medians.
 *
 * Run alone with `npx tsx bench/waiting-room-join.bench.ts`.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { build } from 'hdr-histogram-js';
import Redis from 'ioredis';
import { Pool } from 'undici';
import { loadConfig } from '../contracts/config/load-config';
import type { SaledayConfig } from '../contracts/config/schema';
import { WAITING_ROOM_JOIN_PATH, WAITING_ROOM_PASS_COOKIE } from '../contracts/waiting-room';
import { createJsonLogger } from '../gate/proxy/gate-logger';
import { startGate } from '../gate/proxy/gate-server';
import { encodePass, identityHash } from '../gate/waiting-room/room-cookies';
import { RedisRoomStore } from '../gate/waiting-room/redis-room-store';
import { WAITING_ROOM_SECRETS_ENV } from '../gate/waiting-room/room-gate';
import { spawn } from 'node:child_process';
import { findFreePort, waitForPort } from '../cli/support/loopback';

const KID = 'bench';
const SECRET = 'bench-signing-secret-0123456789';
const ROUNDS = Math.max(1, Number(process.env.SALEDAY_BENCH_ROUNDS ?? 3));
const WARMUP_MS = 500;
const MEASURE_MS = 2000;
const CONNECTIONS = 32;
const IDENTITIES = 2000;

interface LoopResult {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  statuses: Record<string, number>;
}

async function closedLoop(
  url: string,
  request: (n: number) => { path: string; headers: Record<string, string> },
  expected: number,
): Promise<LoopResult> {
  const pool = new Pool(url, { connections: CONNECTIONS, pipelining: 1 });
  const histogram = build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });
  const statuses: Record<string, number> = {};
  const measureFrom = Date.now() + WARMUP_MS;
  const stopAt = measureFrom + MEASURE_MS;
  let sequence = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (Date.now() < stopAt) {
        const { path, headers } = request(sequence++);
        const sentAt = performance.now();
        const response = await pool.request({ path, method: 'GET', headers });
        await response.body.dump();
        if (Date.now() < measureFrom) continue;
        histogram.recordValue(Math.max(1, Math.round((performance.now() - sentAt) * 1000)));
        statuses[response.statusCode] = (statuses[response.statusCode] ?? 0) + 1;
        if (response.statusCode === expected) done += 1;
      }
    }),
  );
  await pool.close();
  return {
    rps: done / (MEASURE_MS / 1000),
    p50Ms: histogram.getValueAtPercentile(50) / 1000,
    p99Ms: histogram.getValueAtPercentile(99) / 1000,
    statuses,
  };
}

/** A throwaway redis-server on loopback (as the tests start one; bench sits above cli, not test). */
async function startRedisServer(): Promise<{ url: string; kill(): Promise<void> }> {
  const port = await findFreePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning'],
    { stdio: 'ignore' },
  );
  await waitForPort(port, 5000);
  return {
    url: `redis://127.0.0.1:${port}`,
    kill: () =>
      new Promise<void>((resolve) =>
        child.exitCode !== null ? resolve() : (child.once('exit', () => resolve()), child.kill('SIGKILL')),
      ),
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const fmt = (n: number, digits = 0) => n.toFixed(digits);

/** The small app behind the gate: every path answers a four-byte page. */
async function startPageApp(): Promise<Server> {
  const app = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'text/html', 'content-length': 4 }).end('page'),
  );
  app.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  return app;
}

/** The shipped config with plain identity keys and the room enabled, its join limits out of reach. */
function benchConfig(): SaledayConfig {
  const config = loadConfig(join(__dirname, '..', 'saleday.config.json'));
  // Plain x-user-id keys, as in the gate-proxy bench: the proof check is not what is measured here.
  config.identity = { ...config.identity, header: 'x-user-id', cookie: undefined, proof: 'none' };
  const unreachable = { ratePerSecond: 10_000, burst: 100_000 };
  config.waitingRoom = {
    ...(config.waitingRoom ?? {
      enabled: true,
      passMinutes: 15,
      passMaxMinutes: 60,
      drops: [],
      initialRatePerSecond: 20,
      minRatePerSecond: 1,
      maxRatePerSecond: 1000,
      joinsPerIpLimit: 300,
      sessionMinutes: 10,
    }),
    enabled: true,
    joinLimits: { perIp: unreachable, perIdentity: unreachable },
  };
  // The page route's own per-identity limit stays as shipped; the identities are many enough not to reach it.
  return config;
}

/** Writes an open room to Redis so that every join is issued a ticket. */
async function openRoom(redisUrl: string, saleName: string, now: number): Promise<void> {
  const redis = new Redis(redisUrl);
  await new RedisRoomStore({ redis, saleName }).write(
    {
      updatedAtMs: now,
      state: {
        v: 1,
        open: true,
        keyId: KID,
        t0Ms: now,
        ticket0: 0,
        ratePerSecond: 0,
        openedAtMs: now,
        ticketsFromMs: 0,
        preQueueUntilMs: 0,
        preQueueStart: 0,
        preQueueSize: 0,
        shuffleSeed: '',
        passSeconds: 600,
        passMaxSeconds: 3600,
      },
    },
    0,
  );
  await redis.quit();
}

/** One valid pass cookie per admitted shopper identity. */
function passCookies(now: number): string[] {
  return Array.from({ length: IDENTITIES }, (_, i) => {
    const value = encodePass(
      {
        number: i,
        expiresAtMs: now + 3_600_000,
        capAtMs: now + 3_600_000,
        identityHash: identityHash(SECRET, `u:shopper-${i}`),
        kid: KID,
      },
      SECRET,
    );
    return `${WAITING_ROOM_PASS_COOKIE}=${value}`;
  });
}

type Round = { join: LoopResult; page: LoopResult };

/** The report line: medians of the rounds, the per-round ratios and every status seen. */
function summarize(rounds: Round[]): string {
  const joins = median(rounds.map((r) => r.join.rps));
  const pages = median(rounds.map((r) => r.page.rps));
  const ratios = rounds.map((r) => fmt(r.join.rps / r.page.rps, 2)).join(' ');
  const statuses = (pick: (r: Round) => LoopResult) =>
    JSON.stringify(
      rounds.map(pick).reduce(
        (all, r) => ({
          ...all,
          ...Object.fromEntries(Object.entries(r.statuses).map(([k, v]) => [k, (all[k] ?? 0) + v])),
        }),
        {} as Record<string, number>,
      ),
    );
  return `bench waiting-room-join-vs-page: joins ${fmt(joins)}/s p50 ${fmt(median(rounds.map((r) => r.join.p50Ms)), 2)}ms p99 ${fmt(median(rounds.map((r) => r.join.p99Ms)), 2)}ms, admitted page GET ${fmt(pages)}/s p50 ${fmt(median(rounds.map((r) => r.page.p50Ms)), 2)}ms p99 ${fmt(median(rounds.map((r) => r.page.p99Ms)), 2)}ms, ratio ${fmt(joins / pages, 2)} (median of ${ROUNDS} rounds: ${ratios}; one gate, real redis-server, ${CONNECTIONS} connections, load generator in the same process; statuses join ${statuses((r) => r.join)}, page ${statuses((r) => r.page)})`;
}

export async function run(): Promise<string[]> {
  const redisServer = await startRedisServer();
  const app = await startPageApp();
  const config = benchConfig();
  const now = Date.now();
  await openRoom(redisServer.url, config.saleName, now);
  const gate = await startGate({
    config,
    upstream: `http://127.0.0.1:${(app.address() as AddressInfo).port}`,
    port: 0,
    redisUrl: redisServer.url,
    env: { [WAITING_ROOM_SECRETS_ENV]: `${KID}:${SECRET}` },
    logger: createJsonLogger({ level: 'error' }),
    metricsSink: () => undefined,
    rateLimitPrefix: `bench:room:${process.pid}`,
  });
  try {
    const passes = passCookies(now);
    const joinRequest = (n: number) => ({
      path: `${WAITING_ROOM_JOIN_PATH}?next=%2Fdrop`,
      headers: { 'x-user-id': `joiner-${n}` },
    });
    const pageRequest = (n: number) => ({
      path: '/drop',
      headers: { 'x-user-id': `shopper-${n % IDENTITIES}`, cookie: passes[n % IDENTITIES]! },
    });
    const rounds: Round[] = [];
    for (let round = 0; round < ROUNDS; round++)
      rounds.push({
        join: await closedLoop(gate.url, joinRequest, 302),
        page: await closedLoop(gate.url, pageRequest, 200),
      });
    return [summarize(rounds)];
  } finally {
    await gate.close();
    await new Promise<void>((resolve) => app.close(() => resolve()).closeAllConnections());
    await redisServer.kill();
  }
}

if (require.main === module) {
  run()
    .then((lines) => lines.forEach((line) => console.log(line)))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
