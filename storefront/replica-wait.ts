/**
 * Narrows what a failover can lose: after a reserve or confirm write, when the Redis server has
 * replicas, `WAIT 1 <ms>` holds the answer until one replica has the write (or the wait times out).
 * A timeout never fails the checkout (the write is on the primary; only its durability across a
 * failover is less certain): it is counted and reported. The replica count comes from
 * `INFO replication` once per connection and again every `refreshMs`.
 */
import type Redis from 'ioredis';
import { systemClock, type Clock } from '../guard/clock';
import { InvalidOptionsError } from '../guard/errors';

export const DEFAULT_REPLICA_WAIT_MS = 100;
const DEFAULT_REFRESH_MS = 10_000;

export interface ReplicaWaitOptions {
  redis: Redis;
  /** How long a write waits for one replica; 0 turns waiting off. @default 100 */
  timeoutMs?: number;
  /** How often the replica count is read again. @default 10000 */
  refreshMs?: number;
  clock?: Clock;
  /** Told about each wait that timed out, and each one that failed (an error from Redis). */
  onProblem?: (problem: { kind: 'timed-out'; timeoutMs: number } | { kind: 'failed'; error: unknown }) => void;
}

/** This process's replica waits, for /_stats. */
export interface ReplicaWaitCounters {
  /** Replicas the server reported at the last check (undefined before the first). */
  replicas: number | undefined;
  waits: number;
  /** Waits that ended with no replica acknowledging within the timeout. */
  timeouts: number;
  /** Waits or replica checks Redis answered with an error. */
  failures: number;
}

export class ReplicaWait {
  readonly timeoutMs: number;
  private readonly redis: Redis;
  private readonly refreshMs: number;
  private readonly clock: Clock;
  private readonly onProblem: ReplicaWaitOptions['onProblem'];
  private replicas: number | undefined;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private checking: Promise<number> | undefined;
  /** The server refused WAIT (a proxy or serverless endpoint without it): stop asking. */
  private unsupported = false;
  private readonly totals = { waits: 0, timeouts: 0, failures: 0 };

  constructor(options: ReplicaWaitOptions) {
    this.redis = options.redis;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_REPLICA_WAIT_MS;
    if (!Number.isInteger(this.timeoutMs) || this.timeoutMs < 0 || this.timeoutMs > 5000) {
      throw new InvalidOptionsError(
        'replicaWaitMs',
        options.timeoutMs,
        'an integer number of milliseconds between 0 (off) and 5000',
      );
    }
    this.refreshMs = options.refreshMs ?? DEFAULT_REFRESH_MS;
    this.clock = options.clock ?? systemClock;
    this.onProblem = options.onProblem;
    // A new connection may reach another server (a failover): read its replicas afresh.
    this.redis.on('ready', () => {
      this.checkedAt = Number.NEGATIVE_INFINITY;
    });
  }

  /** Waits for one replica when the server has any; never throws. */
  async afterWrite(): Promise<void> {
    if (this.timeoutMs === 0 || this.unsupported) return;
    if ((await this.replicaCount()) === 0) return;
    try {
      this.totals.waits += 1;
      const acknowledged = await this.redis.wait(1, this.timeoutMs);
      if (acknowledged < 1) {
        this.totals.timeouts += 1;
        this.onProblem?.({ kind: 'timed-out', timeoutMs: this.timeoutMs });
      }
    } catch (error) {
      this.totals.failures += 1;
      if (error instanceof Error && /unknown command|not supported/i.test(error.message)) this.unsupported = true;
      this.onProblem?.({ kind: 'failed', error });
    }
  }

  counters(): ReplicaWaitCounters {
    return { replicas: this.replicas, ...this.totals };
  }

  private replicaCount(): Promise<number> {
    if (this.replicas !== undefined && this.clock.now() - this.checkedAt < this.refreshMs)
      return Promise.resolve(this.replicas);
    this.checking ??= this.readReplicaCount().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  private async readReplicaCount(): Promise<number> {
    this.checkedAt = this.clock.now();
    try {
      const info = await this.redis.info('replication');
      this.replicas = Number(/^connected_slaves:(\d+)/m.exec(info)?.[1] ?? 0);
    } catch (error) {
      // Unknown until the next check: no wait meanwhile (the write itself is what matters).
      this.totals.failures += 1;
      this.replicas = 0;
      this.onProblem?.({ kind: 'failed', error });
    }
    return this.replicas;
  }
}
