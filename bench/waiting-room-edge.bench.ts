/**
 * What the waiting-room edge function costs per request, against a no-op function (`return
 * event.request`) in the same harness and the same run.
 *
 * 1. The handler alone in the CloudFront Functions sandbox (edge/local): calls per second for an
 *    admitted shopper (a valid pass: two store reads, one HMAC), a waiting visitor (a ticket: the
 *    waiting page) and a closed room, each against the no-op, in interleaved rounds (medians).
 * 2. Through the local edge over HTTP: an admitted shopper's requests through the edge running the
 *    room's function, and through the same edge running the no-op, both proxying to the same small
 *    app; closed loop, the load generator in this process (both sides pay for it alike).
 *
 * Run alone with `npx tsx bench/waiting-room-edge.bench.ts`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'hdr-histogram-js';
import { Pool } from 'undici';
import {
  WAITING_ROOM_PASS_COOKIE,
  WAITING_ROOM_STATE_KEY,
  WAITING_ROOM_TICKET_COOKIE,
  waitingRoomSigningKeyName,
  type WaitingRoomState,
} from '../contracts/waiting-room';
import { loadCloudFrontFunction, viewerRequest, type FunctionSandbox } from '../edge/local/cloudfront-function-runtime';
import { startLocalEdge } from '../edge/local/local-edge';
import { encodePass, encodeTicket, identityHash } from '../gate/waiting-room/room-cookies';

const FUNCTION_FILE = join(__dirname, '..', 'edge', 'waiting-room-function.js');
const NO_OP_FUNCTION = 'async function handler(event) {\n  return event.request;\n}\n';
const KID = 'bench';
const SECRET = 'bench-signing-secret-0123456789';
const ROUNDS = Math.max(1, Number(process.env.SALEDAY_BENCH_ROUNDS ?? 5));
const CALLS_PER_ROUND = 20_000;
const HTTP_WARMUP_MS = 500;
const HTTP_MEASURE_MS = 2000;
const HTTP_CONNECTIONS = 16;

function openState(now: number): WaitingRoomState {
  return {
    v: 1,
    open: true,
    keyId: KID,
    t0Ms: now,
    ticket0: 0,
    ratePerSecond: 10,
    openedAtMs: now,
    ticketsFromMs: 0,
    preQueueUntilMs: 0,
    preQueueStart: 0,
    preQueueSize: 0,
    shuffleSeed: '',
    passSeconds: 600,
    passMaxSeconds: 1800,
  };
}

function cookies(now: number): { pass: string; ticket: string } {
  const hash = identityHash(SECRET, 'ip:198.51.100.7');
  // A pass far from renewal (so the function lets the request through), and a ticket far back in line.
  const pass = encodePass(
    { number: 1, expiresAtMs: now + 3_600_000, capAtMs: now + 7_200_000, identityHash: hash, kid: KID },
    SECRET,
  );
  const ticket = encodeTicket({ number: 1_000_000, issuedAtMs: now, identityHash: hash, kid: KID }, SECRET);
  return { pass, ticket };
}

function roomSandbox(file: string, state: WaitingRoomState | undefined): FunctionSandbox {
  const sandbox = loadCloudFrontFunction(file, Date.now);
  sandbox.store.set(waitingRoomSigningKeyName(KID), SECRET);
  if (state) sandbox.store.set(WAITING_ROOM_STATE_KEY, JSON.stringify(state));
  return sandbox;
}

/** Calls per second of `sandbox` on fresh copies of one event (the handler may not keep it). */
async function callsPerSecond(sandbox: FunctionSandbox, event: () => unknown): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < CALLS_PER_ROUND; i++) await sandbox.handler(event());
  return CALLS_PER_ROUND / ((performance.now() - started) / 1000);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const fmt = (n: number, digits = 0) => n.toFixed(digits);

async function handlerCost(print: (line: string) => void, noOpFile: string): Promise<void> {
  const now = Date.now();
  const { pass, ticket } = cookies(now);
  const noOp = roomSandbox(noOpFile, undefined);
  const cases: Array<{
    name: string;
    sandbox: FunctionSandbox;
    event: () => unknown;
    expect: (r: Record<string, unknown>) => boolean;
  }> = [
    {
      name: 'admitted',
      sandbox: roomSandbox(FUNCTION_FILE, openState(now)),
      event: () => viewerRequest({ cookies: { [WAITING_ROOM_PASS_COOKIE]: pass } }),
      expect: (r) => r.statusCode === undefined,
    },
    {
      name: 'waiting',
      sandbox: roomSandbox(FUNCTION_FILE, openState(now)),
      event: () => viewerRequest({ cookies: { [WAITING_ROOM_TICKET_COOKIE]: ticket }, accept: 'text/html' }),
      expect: (r) => r.statusCode === 200,
    },
    {
      name: 'closed',
      sandbox: roomSandbox(FUNCTION_FILE, { ...openState(now), open: false }),
      event: () => viewerRequest({}),
      expect: (r) => r.statusCode === undefined,
    },
  ];
  for (const c of cases) {
    const answer = (await c.sandbox.handler(c.event())) as Record<string, unknown>;
    if (!c.expect(answer))
      throw new Error(`the ${c.name} case did not answer as expected: ${JSON.stringify(answer).slice(0, 200)}`);
  }
  const rounds: Array<Record<string, number>> = [];
  for (let round = 0; round < ROUNDS; round++) {
    const result: Record<string, number> = {
      noop: await callsPerSecond(noOp, () => viewerRequest({ cookies: { [WAITING_ROOM_PASS_COOKIE]: pass } })),
    };
    for (const c of cases) result[c.name] = await callsPerSecond(c.sandbox, c.event);
    rounds.push(result);
  }
  const noopRate = median(rounds.map((r) => r.noop!));
  for (const c of cases) {
    const rate = median(rounds.map((r) => r[c.name]!));
    const ratios = rounds.map((r) => fmt(r[c.name]! / r.noop!, 3)).join(' ');
    print(
      `bench waiting-room-edge-handler-${c.name}: ${fmt(rate)} calls/s (${fmt(1e6 / rate, 1)}µs/call), no-op function ${fmt(noopRate)} calls/s (${fmt(1e6 / noopRate, 1)}µs/call), ratio ${fmt(rate / noopRate, 3)} (median of ${ROUNDS} rounds: ${ratios}; the sandbox of edge/local, not CloudFront's runtime)`,
    );
  }
}

async function closedLoop(
  url: string,
  cookie: string,
): Promise<{ rps: number; p50Ms: number; p99Ms: number; ok: number; other: number }> {
  const pool = new Pool(url, { connections: HTTP_CONNECTIONS, pipelining: 1 });
  const histogram = build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });
  const measureFrom = Date.now() + HTTP_WARMUP_MS;
  const stopAt = measureFrom + HTTP_MEASURE_MS;
  let ok = 0;
  let other = 0;
  await Promise.all(
    Array.from({ length: HTTP_CONNECTIONS }, async () => {
      while (Date.now() < stopAt) {
        const sentAt = performance.now();
        const response = await pool.request({ path: '/drop', method: 'GET', headers: { cookie } });
        await response.body.dump();
        if (Date.now() < measureFrom) continue;
        histogram.recordValue(Math.max(1, Math.round((performance.now() - sentAt) * 1000)));
        if (response.statusCode === 200) ok += 1;
        else other += 1;
      }
    }),
  );
  await pool.close();
  return {
    rps: (ok + other) / (HTTP_MEASURE_MS / 1000),
    p50Ms: histogram.getValueAtPercentile(50) / 1000,
    p99Ms: histogram.getValueAtPercentile(99) / 1000,
    ok,
    other,
  };
}

async function throughLocalEdge(print: (line: string) => void, noOpFile: string): Promise<void> {
  const app = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 4 }).end('shop'),
  );
  app.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  const appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  const room = await startLocalEdge({ functionFile: FUNCTION_FILE, upstream: appUrl });
  const noOp = await startLocalEdge({ functionFile: noOpFile, upstream: appUrl });
  try {
    const now = Date.now();
    room.store.set(waitingRoomSigningKeyName(KID), SECRET);
    room.store.set(WAITING_ROOM_STATE_KEY, JSON.stringify(openState(now)));
    const cookie = `${WAITING_ROOM_PASS_COOKIE}=${cookies(now).pass}`;
    const rounds = [];
    for (let round = 0; round < 3; round++)
      rounds.push({ room: await closedLoop(room.url, cookie), noop: await closedLoop(noOp.url, cookie) });
    const roomRps = median(rounds.map((r) => r.room.rps));
    const noopRps = median(rounds.map((r) => r.noop.rps));
    const refused = rounds.reduce((n, r) => n + r.room.other + r.noop.other, 0);
    print(
      `bench waiting-room-edge-http-admitted: room function ${fmt(roomRps)}/s p50 ${fmt(median(rounds.map((r) => r.room.p50Ms)), 2)}ms p99 ${fmt(median(rounds.map((r) => r.room.p99Ms)), 2)}ms, no-op function ${fmt(noopRps)}/s p50 ${fmt(median(rounds.map((r) => r.noop.p50Ms)), 2)}ms p99 ${fmt(median(rounds.map((r) => r.noop.p99Ms)), 2)}ms, ratio ${fmt(roomRps / noopRps, 3)} (medians of 3 rounds; ${HTTP_CONNECTIONS} connections through the local edge to a small app, load generator in the same process; ${refused} answers other than 200)`,
    );
  } finally {
    await room.close();
    await noOp.close();
    await new Promise<void>((resolve) => app.close(() => resolve()).closeAllConnections());
  }
}

export async function run(): Promise<string[]> {
  const lines: string[] = [];
  const print = (line: string) => lines.push(line);
  const dir = mkdtempSync(join(tmpdir(), 'saleday-edge-bench-'));
  const noOpFile = join(dir, 'no-op-function.js');
  writeFileSync(noOpFile, NO_OP_FUNCTION);
  try {
    await handlerCost(print, noOpFile);
    await throughLocalEdge(print, noOpFile);
  } finally {
    rmSync(dir, { recursive: true, force: true });
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
