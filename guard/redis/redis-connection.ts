/**
 * One way to open a Redis connection for every saleday component: a URL (`redis://` or `rediss://`
 * for TLS, as ElastiCache with in-transit encryption needs), an optional AUTH token, short
 * timeouts so a dead Redis is noticed in milliseconds rather than minutes, and a reconnect when a
 * failover left the connection on a demoted node (redis-reconnect.ts). A URL with `?cluster=1`
 * (what the stack passes for a cluster-mode cache: its configuration endpoint) opens an ioredis
 * Cluster client instead; every script saleday runs keeps its keys in one hash slot, so the same
 * commands work on both (test/lib/cache/cluster-scripts.test.ts).
 */
import Redis, { Cluster, type RedisOptions } from 'ioredis';
import { REDIS_CLUSTER_URL_PARAM, REDIS_CLUSTER_URL_VALUE } from '../../contracts/redis-cluster-url';
import { createReconnectOnError, noteFailoverReply, type RedisEventLog } from './redis-reconnect';

export interface RedisConnectionOptions {
  url: string;
  /** ElastiCache AUTH token (from Secrets Manager); overrides a password in the URL. */
  authToken?: string;
  /**
   * Let ioredis re-subscribe by itself after a reconnect (its default). Owners that re-subscribe on
   * 'ready' turn it off: a failed automatic re-subscribe is an unhandled rejection in ioredis.
   */
  autoResubscribe?: boolean;
  /** Name shown by CLIENT LIST, to tell gates, storefronts and the controller apart. */
  connectionName?: string;
  /** Fail commands at once while disconnected instead of queueing them (right for the request path). */
  failFast?: boolean;
  commandTimeoutMs?: number;
  connectTimeoutMs?: number;
  /**
   * How long `disconnect()` waits for the socket to close before destroying it. ioredis arms this
   * (ref'd) timer even when the socket is already gone (Redis unreachable), which holds the process
   * open at shutdown for its full length. @default 2000 (ioredis' own default)
   */
  disconnectTimeoutMs?: number;
  /** Where a READONLY/LOADING reconnect is reported (once per episode). @default a JSON line on stderr */
  log?: RedisEventLog;
}

export function createRedisConnection(options: RedisConnectionOptions): Redis {
  new URL(options.url); // throws a clear TypeError on a malformed URL before any connection attempt
  const redisOptions: RedisOptions = {
    connectionName: options.connectionName,
    connectTimeout: options.connectTimeoutMs ?? 2000,
    disconnectTimeout: options.disconnectTimeoutMs ?? 2000,
    commandTimeout: options.commandTimeoutMs,
    maxRetriesPerRequest: options.failFast ? 0 : 2,
    enableOfflineQueue: !options.failFast,
    // Reconnect quickly, but back off to at most 1 s so a long outage does not spin.
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 1000),
    lazyConnect: false,
    autoResubscribe: options.autoResubscribe ?? true,
    // A demoted or loading node (failover): only a new connection reaches the primary.
    reconnectOnError: createReconnectOnError({
      connectionName: options.connectionName ?? 'saleday',
      log: options.log,
      onReply: (reply) => noteFailoverReply(client, reply),
    }),
  };
  if (options.authToken) redisOptions.password = options.authToken;
  const clusterUrl = asClusterUrl(options.url);
  // ioredis turns a rediss:// URL into TLS by itself.
  const client = clusterUrl ? openCluster(clusterUrl, redisOptions, options) : new Redis(options.url, redisOptions);
  // An unhandled 'error' event would crash the process; callers observe failures through commands.
  client.on('error', () => undefined);
  return client;
}

/** The URL without its `cluster` flag when it asks for a cluster client, else undefined. */
function asClusterUrl(url: string): URL | undefined {
  const parsed = new URL(url);
  if (parsed.searchParams.get(REDIS_CLUSTER_URL_PARAM) !== REDIS_CLUSTER_URL_VALUE) return undefined;
  parsed.searchParams.delete(REDIS_CLUSTER_URL_PARAM);
  return parsed;
}

/**
 * A Cluster client typed as `Redis`: saleday's components use the commands both share (GET, SET,
 * EVALSHA through defineCommand, PUBLISH/SUBSCRIBE, MULTI on one slot, quit/disconnect).
 */
function openCluster(url: URL, redisOptions: RedisOptions, options: RedisConnectionOptions): Redis {
  const tls = url.protocol === 'rediss:';
  const cluster = new Cluster([{ host: url.hostname, port: Number(url.port || 6379) }], {
    // ElastiCache's TLS certificates name the configuration endpoint, not the node IPs it resolves to.
    dnsLookup: (address, callback) => callback(null, address),
    redisOptions: {
      ...redisOptions,
      ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
      ...(options.authToken ? { password: options.authToken } : {}),
      ...(tls ? { tls: {} } : {}),
    },
    enableOfflineQueue: redisOptions.enableOfflineQueue,
    maxRedirections: 16,
    clusterRetryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 1000),
    slotsRefreshTimeout: redisOptions.connectTimeout,
  });
  return cluster as unknown as Redis;
}
