/** What createGate takes and gives: its options, its timeouts, and the running gate. */
import type { Server } from 'node:http';
import { wallClock, type Clock } from '../../guard/clock';
import { InvalidOptionsError } from '../../guard/errors';
import type { FlagsSource } from '../../guard/flags/flags-source';
import type { GateConfig } from '../../contracts/config/gate-config-slice';
import type { GateLogger } from '../proxy/gate-logger';
import type { GateMetricsSnapshot } from '../proxy/gate-metrics-recorder';
import type { UpstreamReadinessOptions } from '../proxy/upstream-readiness';

export interface GateTimeouts {
  /** A client must send its complete headers within this (slowloris). @default 10_000 */
  headersTimeoutMs?: number;
  /** A client must send its complete request, body included, within this. @default 30_000 */
  requestTimeoutMs?: number;
  /** Idle keep-alive connections from the load balancer are kept this long (above the ALB's 60 s idle timeout). @default 65_000 */
  keepAliveTimeoutMs?: number;
  /** How long `close()` lets in-flight requests finish before cutting connections. @default 25_000 */
  drainTimeoutMs?: number;
}

export interface GateOptions {
  /** The whole sale config or the gate's slice of it (contracts/config/gate-config-slice.ts). */
  config: GateConfig;
  /** Origin of the app, e.g. http://127.0.0.1:3000. */
  upstream: string;
  /** Redis (ElastiCache) for rate limits and flags; omitted means the embedded single-process mode. */
  redisUrl?: string;
  redisAuthToken?: string;
  /** Where flags come from. @default RedisFlagsSource with redisUrl, else an in-process MemoryFlags */
  flags?: FlagsSource;
  /** Times intervals: latencies, limits, breakers, queues. @default systemClock (monotonic) */
  clock?: Clock;
  /**
   * Times other machines read or wrote: metric stamps, tickets, passes, active-shopper windows,
   * token expiry, the app's deadline.
   * @default `clock` when one is given (a test's fake clock), else wallClock
   */
  wallClock?: Clock;
  /** Receives each EMF line (without newline). @default a line on stdout */
  metricsSink?: (line: string) => void;
  /** @default 1000 */
  metricsIntervalMs?: number;
  /** @default JSON lines on stderr */
  logger?: GateLogger;
  /** Where the identity secret is read from. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Redis key prefix of the rate limits; gates sharing a limit must share it. @default saleday:rl:<saleName> */
  rateLimitPrefix?: string;
  timeouts?: GateTimeouts;
  /** Most keep-alive connections to the app. @default config.gate.concurrency.maxLimit */
  upstreamConnections?: number;
  /** Names this gate in logs and EMF properties. @default <hostname>:<pid> */
  gateId?: string;
  /** How the gate decides the app still answers (its readiness path). */
  readiness?: UpstreamReadinessOptions;
}

export interface Gate {
  readonly server: Server;
  /** Resolves once the flags have been read for the first time (or the first attempt failed). */
  readonly ready: Promise<void>;
  metrics(): GateMetricsSnapshot;
  /** Request-body bytes held in memory right now, and open client connections (body-limits.ts). */
  load(): { bufferedBodyBytes: number; openConnections: number };
  /** Stops accepting, drains in-flight requests (up to drainTimeoutMs), then releases everything. */
  close(): Promise<void>;
}

export function resolveTimeouts(timeouts: GateTimeouts = {}): Required<GateTimeouts> {
  const resolved = {
    headersTimeoutMs: timeouts.headersTimeoutMs ?? 10_000,
    requestTimeoutMs: timeouts.requestTimeoutMs ?? 30_000,
    keepAliveTimeoutMs: timeouts.keepAliveTimeoutMs ?? 65_000,
    drainTimeoutMs: timeouts.drainTimeoutMs ?? 25_000,
  };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isFinite(value) || value <= 0)
      throw new InvalidOptionsError(`timeouts.${name}`, value, 'a positive number of milliseconds');
  }
  if (resolved.headersTimeoutMs > resolved.requestTimeoutMs) {
    throw new InvalidOptionsError(
      'timeouts.headersTimeoutMs',
      resolved.headersTimeoutMs,
      `at most requestTimeoutMs (${resolved.requestTimeoutMs})`,
    );
  }
  return resolved;
}

/** A test's fake `clock` stands for both, so a test that moves one clock moves every time the gate reads. */
export function resolveWallClock(options: Pick<GateOptions, 'clock' | 'wallClock'>): Clock {
  return options.wallClock ?? options.clock ?? wallClock;
}

export function resolveMetricsInterval(metricsIntervalMs = 1000): number {
  if (!Number.isFinite(metricsIntervalMs) || metricsIntervalMs < 10)
    throw new InvalidOptionsError('metricsIntervalMs', metricsIntervalMs, 'at least 10 ms');
  return metricsIntervalMs;
}
