/**
 * Starts a real `redis-server` on a free loopback port for tests, benchmarks and the rehearsal.
 * Never a mock: the Lua scripts, TIME and pub/sub must behave as on ElastiCache.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { findFreePort, redisServerOnPath, waitForPort } from '../../cli/support/loopback';

export interface RedisServerHandle {
  readonly url: string;
  readonly port: number;
  readonly process: ChildProcess;
  /** Kills the server (SIGKILL: as abrupt as a lost node). */
  kill(): Promise<void>;
  /** Starts a new server on the same port after `kill()`, empty. */
  restart(): Promise<RedisServerHandle>;
}

export const redisServerAvailable = redisServerOnPath;
export const freePort = findFreePort;

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
