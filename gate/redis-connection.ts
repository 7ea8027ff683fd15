/**
 * One way to open a Redis connection for every saleday component: a URL (`redis://` or `rediss://`
 * for TLS, as ElastiCache with in-transit encryption needs), an optional AUTH token, short
 * timeouts so a dead Redis is noticed in milliseconds rather than minutes, and a reconnect when a
 * failover left the connection on a demoted node (redis-reconnect.ts).
 */
import Redis, { type RedisOptions } from 'ioredis';
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
    reconnectOnError: createReconnectOnError({ connectionName: options.connectionName ?? 'saleday', log: options.log, onReply: () => noteFailoverReply(client) }),
  };
  if (options.authToken) redisOptions.password = options.authToken;
  // ioredis turns a rediss:// URL into TLS by itself.
  const client = new Redis(options.url, redisOptions);
  // An unhandled 'error' event would crash the process; callers observe failures through commands.
  client.on('error', () => undefined);
  return client;
}
