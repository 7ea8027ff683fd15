/**
 * Which Redis the rehearsal uses: the one given (`--redis-url`), else redis-servers it starts on free
 * ports when redis-server is on the PATH (a primary and a replica behind a failover relay for the
 * `failover` scenario, one server for `restart`), else none: the embedded in-process mode (one gate+storefront
 * pair on memory stores), announced with a notice because it cannot show a shared cache nor its
 * outage.
 */
import type { ChildSupervisor } from '../../support/child-supervisor';
import { redisServerOnPath } from '../../support/loopback';
import { launchRedisServer, underSupervisor, type LaunchedRedis } from '../../support/redis-launcher';
import { FailoverPair } from './failover-pair';

export type RedisChoice =
  | { kind: 'given'; url: string }
  | { kind: 'local'; url: string; server: LaunchedRedis }
  | { kind: 'failover'; url: string; pair: FailoverPair }
  | { kind: 'embedded'; notice: string };

/** `failover`: the outage swaps primary and replica without restarting anything; `restart`: it kills the server and starts it again. */
export type CacheOutageScenario = 'failover' | 'restart';
export const CACHE_OUTAGE_SCENARIOS: readonly CacheOutageScenario[] = ['failover', 'restart'];

export async function chooseRedis(options: {
  redisUrl?: string;
  supervisor: ChildSupervisor;
  /** @default looks for redis-server on the PATH */
  redisServerAvailable?: () => boolean;
  /** How the cache outage happens with our own redis-servers. @default 'failover' */
  scenario?: CacheOutageScenario;
}): Promise<RedisChoice> {
  if (options.redisUrl) {
    new URL(options.redisUrl); // a malformed URL fails here, before anything starts
    return { kind: 'given', url: options.redisUrl };
  }
  if ((options.redisServerAvailable ?? redisServerOnPath)()) {
    if ((options.scenario ?? 'failover') === 'failover') {
      const pair = await FailoverPair.start(options.supervisor);
      return { kind: 'failover', url: pair.url, pair };
    }
    // Persistent: the outage kills it and starts it again with its data, as a failover to a replica would.
    const server = await launchRedisServer({ persistent: true, spawn: underSupervisor(options.supervisor) });
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
    case 'failover':
      return `local redis-server on port ${choice.pair.primaryPort} (primary) and port ${choice.pair.replicaPort} (replica) behind a failover relay on port ${choice.pair.relay.port}`;
    case 'embedded':
      return 'embedded (in-process)';
  }
}

function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
