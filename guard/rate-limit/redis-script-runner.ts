/**
 * Runs a Lua script in exactly one round trip in the steady state: EVALSHA, and only when the
 * server answers NOSCRIPT (after a restart or failover) SCRIPT LOAD and the same EVALSHA again.
 * On a cluster the script is loaded through EVAL on the node that owns the keys (SCRIPT LOAD would
 * go to an arbitrary node).
 */
import { Command, type Cluster, type Redis } from 'ioredis';
import type { LuaScript } from './redis-scripts';

export type RedisClient = Redis | Cluster;

/**
 * `args` must start with the script's sha and the number of keys (they are the EVALSHA arguments);
 * passing the whole array avoids copying it per call.
 */
export function runScript(redis: RedisClient, script: LuaScript, args: (string | number)[]): Promise<unknown> {
  return send(redis, 'evalsha', args).catch((error: unknown) => {
    if (!isNoScript(error)) throw error;
    if (redis.isCluster) {
      const evalArgs = args.slice();
      evalArgs[0] = script.source;
      return send(redis, 'eval', evalArgs);
    }
    return send(redis, 'script', ['LOAD', script.source]).then(() => send(redis, 'evalsha', args));
  });
}

function send(redis: RedisClient, name: string, args: (string | number)[]): Promise<unknown> {
  const command = new Command(name, args);
  redis.sendCommand(command);
  return command.promise as Promise<unknown>;
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}
