/**
 * Flags propagation: how long from the controller's write (compare-and-set + PUBLISH, the real
 * RedisFlagsStore) until every gate process has applied the new document through the gates' real
 * RedisFlagsSource. N gate-like child processes on one private redis-server report each version
 * they apply over IPC, stamped with their own high-resolution wall clock.
 *
 * Two phases:
 * - channel: the normal path, the PUBLISH reaches every subscriber (target p99 < 100 ms);
 * - channel cut: right before each write every subscriber connection is killed (CLIENT KILL TYPE
 *   pubsub), so the PUBLISH reaches nobody (checked with PUBSUB NUMSUB) and only the poll is left;
 *   the gates reconnect and resubscribe in ~100 ms, to be cut again at the next write
 *   (target: under one poll interval + 100 ms).
 *   (Revoking the channel with an ACL would be a steadier cut, but ioredis' automatic resubscribe
 *   then fails with NOPERM as an unhandled rejection that kills the gate process.)
 *
 * Each write waits until every gate has applied the previous one, after a random pause so writes
 * land at random points of the poll cycle. BENCH_FLAGS_GATES (default 4), BENCH_FLAGS_WRITES
 * (default 50), BENCH_FLAGS_POLL_MS (default 500; the config's default is 2000).
 * Runnable alone: `npx tsx bench/flags-propagation.bench.ts`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { FLAGS_CHANNEL, initialFlags, type FlagsDocument } from '../contracts/flags/flags-document';
import { RedisFlagsSource } from '../guard/flags/redis-flags-source';
import { createRedisConnection } from '../guard/redis/redis-connection';
import { RedisFlagsStore } from '../lambda/flag-controller/redis-flags-store';
import { launchRedisServer } from '../cli/support/redis-launcher';

const GATES = Number(process.env.BENCH_FLAGS_GATES ?? 4);
const WRITES = Number(process.env.BENCH_FLAGS_WRITES ?? 50);
const POLL_MS = Number(process.env.BENCH_FLAGS_POLL_MS ?? 500);
const CHANNEL_TARGET_MS = 100;

type GateMessage = { type: 'ready' } | { type: 'applied'; version: number; at: number };

const wallClockMs = () => performance.timeOrigin + performance.now();
const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A gate-like child: the gates' flags client, reporting each document it applies. */
async function runGate(): Promise<void> {
  const source = new RedisFlagsSource({ url: process.env.BENCH_FLAGS_REDIS_URL!, pollMs: POLL_MS });
  source.onChange((doc) =>
    process.send?.({ type: 'applied', version: doc.version, at: wallClockMs() } satisfies GateMessage),
  );
  process.on('message', (message: { type: string }) => {
    if (message.type === 'stop') void source.close().then(() => process.disconnect());
  });
  await source.start();
  // Ready once subscribed, so the channel phase measures the channel.
  while (!source.status().subscribed) await delay(5);
  process.send?.({ type: 'ready' } satisfies GateMessage);
}

interface Gate {
  child: ChildProcess;
  applied: Map<number, number>;
}

interface PhaseResult {
  samples: number[];
  timeouts: number;
  /** Writes whose PUBLISH found no subscriber (the cut phase). */
  cut: number;
}

export async function run(): Promise<string[]> {
  const redis = await launchRedisServer();
  const admin = createRedisConnection({ url: redis.url });
  const gates: Gate[] = [];
  let store: RedisFlagsStore | undefined;
  try {
    store = new RedisFlagsStore({ url: redis.url });

    const waiters = new Set<() => void>();
    for (let i = 0; i < GATES; i += 1) {
      const child = fork(__filename, [], {
        env: { ...process.env, BENCH_FLAGS_CHILD: '1', BENCH_FLAGS_REDIS_URL: redis.url },
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      const gate: Gate = { child, applied: new Map() };
      child.on('message', (message: GateMessage) => {
        if (message.type === 'applied') gate.applied.set(message.version, message.at);
        for (const wake of [...waiters]) wake();
      });
      gates.push(gate);
    }
    await Promise.all(gates.map((g) => once(g.child, (m) => m.type === 'ready', 30_000)));

    let version = 0;
    const measure = async (writes: number, timeoutMs: number, cutChannel: boolean): Promise<PhaseResult> => {
      const samples: number[] = [];
      let timeouts = 0;
      let cut = 0;
      for (let i = 0; i < writes; i += 1) {
        await delay(Math.random() * Math.min(POLL_MS, 200));
        version += 1;
        const doc: FlagsDocument = {
          ...initialFlags(new Date()),
          version,
          level: version % 3,
          reason: `bench write ${version}`,
        };
        if (cutChannel) await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
        const writtenAt = wallClockMs();
        const { written } = await store!.write(doc);
        if (!written) throw new Error(`bench write of version ${version} was refused`);
        if (cutChannel) {
          const [, subscribers] = (await admin.call('PUBSUB', 'NUMSUB', FLAGS_CHANNEL)) as [string, number];
          if (subscribers === 0) cut += 1;
        }
        const all = await waitFor(() => gates.every((g) => g.applied.has(version)), timeoutMs, waiters);
        if (!all) {
          timeouts += 1;
          continue;
        }
        samples.push(Math.max(...gates.map((g) => g.applied.get(version)!)) - writtenAt);
      }
      return { samples, timeouts, cut };
    };

    const channel = await measure(WRITES, 5_000, false);
    const cut = await measure(WRITES, POLL_MS * 3 + 1000, true);

    const gateCount = `${GATES} gate processes`;
    return [
      line('channel', channel, `${WRITES} writes, ${gateCount}`, CHANNEL_TARGET_MS),
      line(
        `channel cut (poll ${POLL_MS} ms)`,
        cut,
        `${WRITES} writes, ${gateCount}, no subscriber at publish for ${cut.cut}/${WRITES}`,
        POLL_MS + 100,
      ),
    ];
  } finally {
    await Promise.all(gates.map((g) => stopGate(g.child)));
    await store?.close();
    await admin.quit().catch(() => undefined);
    await redis.kill();
  }
}

function line(name: string, result: PhaseResult, what: string, targetMs: number): string {
  const sorted = [...result.samples].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  const p99 = at(0.99);
  const verdict = result.timeouts === 0 && p99 < targetMs ? 'ok' : 'MISSED';
  return (
    `bench flags-propagation ${name}: p50 ${at(0.5).toFixed(1)}ms p99 ${p99.toFixed(1)}ms max ${(sorted[sorted.length - 1] ?? NaN).toFixed(1)}ms ` +
    `(${what}${result.timeouts ? `, ${result.timeouts} not applied in time` : ''}; target p99 < ${targetMs} ms: ${verdict})`
  );
}

/** Resolves true as soon as `done()` holds (re-checked on every gate message), false after `timeoutMs`. */
function waitFor(done: () => boolean, timeoutMs: number, waiters: Set<() => void>): Promise<boolean> {
  if (done()) return Promise.resolve(true);
  return new Promise((resolve) => {
    const finish = (value: boolean) => {
      clearTimeout(timer);
      waiters.delete(check);
      resolve(value);
    };
    const check = () => {
      if (done()) finish(true);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    waiters.add(check);
  });
}

function once(child: ChildProcess, match: (message: GateMessage) => boolean, timeoutMs: number): Promise<GateMessage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`gate process ${child.pid} did not answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onMessage = (message: GateMessage) => {
      if (!match(message)) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(message);
    };
    child.on('message', onMessage);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`gate process ${child.pid} exited (${code}) before answering`));
    });
  });
}

async function stopGate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (child.connected) child.send({ type: 'stop' });
  const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(timer);
}

if (process.env.BENCH_FLAGS_CHILD === '1') {
  runGate().catch((error: unknown) => {
    console.error('gate process failed:', error);
    process.exit(1);
  });
} else if (require.main === module) {
  run()
    .then((lines) => lines.forEach((l) => console.log(l)))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
