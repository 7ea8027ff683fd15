/**
 * The default load-test target: one task's worth of saleday on this machine — a storefront and a
 * gate in front of it, as child processes running the same code as on Fargate — sharing a
 * redis-server on a free port when one is on the PATH (no persistence: we measure the task, not
 * fsync), else the embedded in-process stores. Every child is stopped by `close()`, and on Ctrl-C.
 */
import { spawnSync } from 'node:child_process';
import { createServer, Socket } from 'node:net';
import { resolve } from 'node:path';
import { ChildSupervisor } from '../rehearse/child-supervisor';

export interface LocalTargetOptions {
  /** Absolute path of the sale config both processes read. */
  readonly configPath: string;
  /** Use this Redis instead of starting one. */
  readonly redisUrl?: string;
  /** How long each process may take to print its listening line. @default 30000 */
  readonly startTimeoutMs?: number;
  /** Lines of progress for the user (which Redis, which URLs). */
  readonly log?: (line: string) => void;
}

export interface LocalTarget {
  /** The gate's URL: where the load goes. */
  readonly url: string;
  readonly storefrontUrl: string;
  /** The Redis the pair uses, or undefined for the embedded stores. */
  readonly redisUrl: string | undefined;
  /** Process ids of the children (redis-server, storefront, gate), for logs and leak checks. */
  readonly processIds: readonly number[];
  close(): Promise<void>;
}

const CLI_ENTRY = resolve(__dirname, '../../bin/saleday.js');

export async function startLocalTarget(options: LocalTargetOptions): Promise<LocalTarget> {
  const log = options.log ?? (() => undefined);
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  const supervisor = new ChildSupervisor();
  supervisor.installShutdownHooks();
  try {
    let redisUrl = options.redisUrl;
    if (!redisUrl && redisServerOnPath()) {
      const port = await freePort();
      supervisor.spawn({
        name: 'redis-server',
        command: 'redis-server',
        args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no', '--loglevel', 'warning'],
      });
      await waitForPort(port, 5000);
      redisUrl = `redis://127.0.0.1:${port}`;
      log(`redis-server started on ${redisUrl}`);
    } else if (!redisUrl) {
      log('No redis-server on the PATH: the storefront and gate use their embedded in-process stores.');
    }
    const redisArgs = redisUrl ? ['--redis-url', redisUrl] : [];
    // The children must not inherit a REDIS_URL that would override "embedded".
    const env = { ...process.env, REDIS_URL: redisUrl ?? '' };
    const storefront = supervisor.spawn({
      name: 'storefront',
      command: process.execPath,
      args: [CLI_ENTRY, '--config', options.configPath, 'storefront', '--port', '0', ...redisArgs],
      env,
    });
    const storefrontUrl = await storefront.waitForLine(listeningUrl, timeoutMs);
    const gate = supervisor.spawn({
      name: 'gate',
      command: process.execPath,
      args: [CLI_ENTRY, '--config', options.configPath, 'gate', '--port', '0', '--upstream', storefrontUrl, '--log-level', 'warn', ...redisArgs],
      env,
    });
    const url = await gate.waitForLine(listeningUrl, timeoutMs);
    log(`storefront on ${storefrontUrl}, gate on ${url}`);
    const processIds = supervisor.running().map((child) => child.pid);
    return { url, storefrontUrl, redisUrl, processIds, close: () => supervisor.close() };
  } catch (error) {
    await supervisor.close();
    throw error;
  }
}

/** The `{"event":"listening","url":…}` line each saleday server prints when ready. */
export function listeningUrl(line: string): string | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(line) as { event?: unknown; url?: unknown };
    return parsed.event === 'listening' && typeof parsed.url === 'string' ? parsed.url : undefined;
  } catch {
    return undefined;
  }
}


function redisServerOnPath(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((done) => {
      const socket = new Socket();
      socket.once('connect', () => {
        socket.destroy();
        done(true);
      });
      socket.once('error', () => done(false));
      socket.connect(port, '127.0.0.1');
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`redis-server did not listen on port ${port} within ${timeoutMs} ms`);
}
