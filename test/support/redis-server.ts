/**
 * Starts a real `redis-server` on a free loopback port for tests, benchmarks and the rehearsal.
 * Never a mock: the Lua scripts, TIME and pub/sub must behave as on ElastiCache.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, Socket } from 'node:net';

export interface RedisServerHandle {
  readonly url: string;
  readonly port: number;
  readonly process: ChildProcess;
  /** Kills the server (SIGKILL: as abrupt as a lost node). */
  kill(): Promise<void>;
  /** Starts a new server on the same port after `kill()`, empty. */
  restart(): Promise<RedisServerHandle>;
}

export function redisServerAvailable(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startRedisServer(port?: number): Promise<RedisServerHandle> {
  const chosen = port ?? (await freePort());
  const child = spawn(
    'redis-server',
    ['--port', String(chosen), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no', '--loglevel', 'warning'],
    { stdio: 'ignore', detached: false },
  );
  await waitForPort(chosen, 5000);
  const handle: RedisServerHandle = {
    url: `redis://127.0.0.1:${chosen}`,
    port: chosen,
    process: child,
    kill: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
    restart: async () => {
      await handle.kill();
      return startRedisServer(chosen);
    },
  };
  return handle;
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
      socket.connect(port, '127.0.0.1');
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`redis-server did not listen on port ${port} within ${timeoutMs} ms`);
}
