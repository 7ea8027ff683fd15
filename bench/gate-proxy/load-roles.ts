/** The load generators, each a child process in a role that prints its result as one JSON line. */
import { OUTCOME_HEADER } from '../../contracts/metrics/gate-metrics';
import { build } from 'hdr-histogram-js';
import { Pool } from 'undici';
import type { RoleArgs } from './server-roles';

export interface LoadResult {
  requests: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  statuses: Record<string, number>;
  errors: number;
  byClass?: Record<string, { sent: number; ok: number; statuses: Record<string, number> }>;
}

/** Closed loop: `connections` workers, each sending its next request when the previous one is answered. */
export async function roleLoadClosed(args: RoleArgs): Promise<void> {
  const url = new URL(String(args.url));
  const productIds = args.productIds as string[];
  const connections = Number(args.connections);
  const pool = new Pool(url.origin, { connections, pipelining: 1, keepAliveTimeout: 30_000 });
  const histogram = build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 60_000_000,
    numberOfSignificantValueDigits: 3,
  });
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
          const response = await pool.request({
            path: `/api/products/${productIds[n % productIds.length]}`,
            method: 'GET',
            headers: { 'x-user-id': `bench-user-${n % 50_000}` },
          });
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
  const result: LoadResult = {
    requests,
    rps: requests / seconds,
    p50Ms: histogram.getValueAtPercentile(50) / 1000,
    p99Ms: histogram.getValueAtPercentile(99) / 1000,
    statuses,
    errors,
  };
  process.stdout.write(`${JSON.stringify({ event: 'result', result })}\n`);
  await pool.close();
}

type MixEntry = { name: string; method: 'GET' | 'POST'; path: string; share: number };

/** The request a class sends: a checkout from a fresh buyer, anything else from a returning shopper. */
function openLoopRequest(pick: MixEntry, n: number): { headers: Record<string, string>; body: string | undefined } {
  const body = pick.method === 'POST' ? JSON.stringify({ productId: 'sku-001', quantity: 1 }) : undefined;
  const user = pick.name === 'checkout' ? `buyer-${n}` : `shopper-${n % 5000}`;
  // saleday-user too: the bare proxy, nginx and direct paths pass it to the shop as the gate would set it (the gate replaces it).
  const headers: Record<string, string> = { 'x-user-id': user, 'saleday-user': `u:${user}` };
  if (body) headers['content-type'] = 'application/json';
  return { headers, body };
}

/** How an answer is counted: late past the timeout, else its status with what the gate did when it refused. */
function openLoopStatus(statusCode: number, outcome: unknown, latency: number, timeoutMs: number): string {
  // A refusal is labelled with what the gate did (shed, short-circuited, …), to tell overload from failure.
  const refusal = statusCode >= 400 ? outcome : undefined;
  return latency > timeoutMs ? 'late' : refusal ? `${statusCode} ${String(refusal)}` : String(statusCode);
}

/** Calls `fire` for every request due at `rate` per second until `durationMs` has passed; resolves with how many were sent. */
function paceAtRate(rate: number, durationMs: number, fire: (n: number, intendedAt: number) => void): Promise<number> {
  const start = performance.now();
  let sent = 0;
  return new Promise<number>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = performance.now() - start;
      const due = Math.min(Math.floor((elapsed * rate) / 1000), Math.floor((durationMs * rate) / 1000));
      while (sent < due) {
        fire(sent, start + (sent * 1000) / rate);
        sent += 1;
      }
      if (elapsed >= durationMs) {
        clearInterval(timer);
        resolve(sent);
      }
    }, 2);
  });
}

/** Open loop at a fixed rate: each request is due at its intended time and timed from it (no coordinated omission). */
export async function roleLoadOpen(args: RoleArgs): Promise<void> {
  const url = new URL(String(args.url));
  const rate = Number(args.ratePerSecond);
  const durationMs = Number(args.durationMs);
  const timeoutMs = Number(args.timeoutMs);
  const mix = args.mix as MixEntry[];
  const pool = new Pool(url.origin, { connections: 1024, pipelining: 1, keepAliveTimeout: 30_000 });
  const byClass: NonNullable<LoadResult['byClass']> = Object.fromEntries(
    mix.map((m) => [m.name, { sent: 0, ok: 0, statuses: {} }]),
  );
  const histogram = build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 600_000_000,
    numberOfSignificantValueDigits: 3,
  });
  const cumulative: number[] = [];
  mix.reduce((sum, m) => (cumulative.push(sum + m.share), sum + m.share), 0);
  process.stdout.write('{"event":"measuring"}\n');
  const inFlight: Promise<void>[] = [];
  const fire = (n: number, intendedAt: number) => {
    const pick = mix[cumulative.findIndex((c) => (n % 100) / 100 < c)] ?? mix[mix.length - 1];
    const stats = byClass[pick.name];
    stats.sent += 1;
    const { headers, body } = openLoopRequest(pick, n);
    const task = pool
      .request({
        path: pick.path,
        method: pick.method,
        headers,
        body,
        signal: AbortSignal.timeout(Math.max(1, Math.round(timeoutMs - (performance.now() - intendedAt)))),
      })
      .then(async (response) => {
        await response.body.dump();
        const latency = performance.now() - intendedAt;
        const status = openLoopStatus(response.statusCode, response.headers[OUTCOME_HEADER], latency, timeoutMs);
        stats.statuses[status] = (stats.statuses[status] ?? 0) + 1;
        if (response.statusCode < 400 && latency <= timeoutMs) stats.ok += 1;
        if (pick.name === 'checkout') histogram.recordValue(Math.max(1, Math.round(latency * 1000)));
      })
      .catch(() => {
        stats.statuses.timeout = (stats.statuses.timeout ?? 0) + 1;
      });
    inFlight.push(task);
  };
  const sent = await paceAtRate(rate, durationMs, fire);
  await Promise.all(inFlight);
  const result: LoadResult = {
    requests: sent,
    rps: sent / (durationMs / 1000),
    p50Ms: histogram.getValueAtPercentile(50) / 1000,
    p99Ms: histogram.getValueAtPercentile(99) / 1000,
    statuses: {},
    errors: 0,
    byClass,
  };
  process.stdout.write(`${JSON.stringify({ event: 'result', result })}\n`);
  await pool.close();
}
