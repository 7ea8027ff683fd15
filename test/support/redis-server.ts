/**
 * The tests' face of the Redis launcher (cli/support/redis-launcher.ts): a plain, empty
 * redis-server on a free loopback port, killed as abruptly as a lost node.
 */
import type { ChildProcess } from 'node:child_process';
import { launchRedisServer } from '../../cli/support/redis-launcher';
import { findFreePort, redisServerOnPath } from '../../cli/support/loopback';

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
  const server = await launchRedisServer({ port });
  const handle: RedisServerHandle = {
    url: server.url,
    port: server.port,
    process: server.process,
    kill: () => server.kill(),
    restart: async () => {
      await server.kill();
      return startRedisServer(server.port);
    },
  };
  return handle;
}
