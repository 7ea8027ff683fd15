/**
 * Which Redis the rehearsal uses: the one given (`--redis-url`), else a redis-server it starts on a
 * free port when one is on the PATH, else none: the embedded in-process mode (one gate+storefront
 * pair on memory stores), announced with a notice because it cannot show a shared cache nor its
 * outage.
 */
import type { ChildSupervisor } from './child-supervisor';
import { LocalRedisServer, redisServerOnPath } from './local-redis-server';

export type RedisChoice =
  | { kind: 'given'; url: string }
  | { kind: 'local'; url: string; server: LocalRedisServer }
  | { kind: 'embedded'; notice: string };

export async function chooseRedis(options: {
  redisUrl?: string;
  supervisor: ChildSupervisor;
  /** @default looks for redis-server on the PATH */
  redisServerAvailable?: () => boolean;
}): Promise<RedisChoice> {
  if (options.redisUrl) {
    new URL(options.redisUrl); // a malformed URL fails here, before anything starts
    return { kind: 'given', url: options.redisUrl };
  }
  if ((options.redisServerAvailable ?? redisServerOnPath)()) {
    const server = await LocalRedisServer.start(options.supervisor);
    return { kind: 'local', url: server.url, server };
  }
  return {
    kind: 'embedded',
    notice:
      'no --redis-url and no redis-server on the PATH: running the embedded mode (one gate+storefront pair in this process on memory stores, no cache outage). Install redis-server or pass --redis-url for the full rehearsal.',
  };
}

export function describeRedis(choice: RedisChoice): string {
  switch (choice.kind) {
    case 'given':
      return `given (${redactUrl(choice.url)})`;
    case 'local':
      return `local redis-server on port ${choice.server.port}`;
    case 'embedded':
      return 'embedded (in-process)';
  }
}

function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
