/**
 * The gate's flags client: keeps the newest valid flags document from Redis.
 *
 * - Reads `GET saleday:flags` on start and then every `pollMs` (the backup: a missed message costs
 *   at most one poll interval), and again as soon as a connection comes back after an outage.
 * - SUBSCRIBEs `saleday:flags` on a second connection (a subscribed connection can run nothing
 *   else); each message carries the full document and is applied at once. ioredis resubscribes
 *   after a reconnect; we also subscribe again on every `ready`, in case the first attempt failed.
 * - A document is applied only when its `version` is above the current one; malformed documents
 *   are rejected (reported to `onError`) without losing the last good one. An empty key (a fresh or
 *   restarted Redis) is not a document and changes nothing, but the store has lost its memory: the
 *   next valid document is applied whatever its version (what is written after a loss is the
 *   truth, even from a controller that counts from 1 again or whose clock is behind). A key missing
 *   for more than `missingKeyPolls` polls in a row is reported once per episode (`onKeyMissing`).
 * - Static stability: while Redis is unreachable `current()` keeps returning the last-known
 *   document; nothing here throws at callers.
 */
import type Redis from 'ioredis';
import { systemClock, type Clock } from '../clock';
import { InvalidOptionsError } from '../errors';
import { createRedisConnection } from '../redis/redis-connection';
import type { RedisEventLog } from '../redis/redis-reconnect';
import {
  FLAGS_CHANNEL,
  FLAGS_KEY,
  FlagsDocumentSchema,
  initialFlags,
  parseFlagsDocument,
  type FlagsDocument,
} from '../../contracts/flags/flags-document';
import { FlagsDocumentRejectedError, FlagsUnavailableError } from './flags-errors';
import type { FlagsSource } from './flags-source';
import { isNewerFlagsVersion } from '../../contracts/flags/flags-version';

export type FlagsConnectionRole = 'commands' | 'subscriber';

export interface RedisFlagsSourceOptions {
  /** `redis://` or `rediss://` URL; required unless `connect` is given. */
  url?: string;
  /** ElastiCache AUTH token. */
  authToken?: string;
  /** Opens a connection (called once per role); overrides `url`/`authToken`. The source closes what it opens. */
  connect?: (role: FlagsConnectionRole) => Redis;
  /** Poll interval, the backup to the channel, ms. @default 2000 */
  pollMs?: number;
  /** A GET slower than this counts as failed. @default min(pollMs, 1000) */
  readTimeoutMs?: number;
  /** @default systemClock */
  clock?: Clock;
  /** Told about unreachable Redis and rejected documents; must not throw. */
  onError?: (error: FlagsUnavailableError | FlagsDocumentRejectedError) => void;
  /** The document assumed before the first read. @default initialFlags() (level 0, no breakers) */
  initial?: FlagsDocument;
  /** Reads in a row that may find the key missing before `onKeyMissing` is told. @default 3 */
  missingKeyPolls?: number;
  /**
   * Told once when the key has been missing for more than `missingKeyPolls` reads in a row
   * (`missing: true`), and once when a document is back (`missing: false`); must not throw.
   */
  onKeyMissing?: (event: FlagsKeyMissingEvent) => void;
  /** Where a reconnect after a READONLY/LOADING reply is reported. @default a JSON line on stderr */
  log?: RedisEventLog;
}

export const FLAGS_SOURCE_DEFAULTS = {
  pollMs: 2000,
  /** The read timeout is min(pollMs, this). */
  maxReadTimeoutMs: 1000,
  missingKeyPolls: 3,
} as const;

export interface FlagsKeyMissingEvent {
  missing: boolean;
  /** Reads in a row that found the key missing (when it came back: how many there were). */
  polls: number;
  /** When the first of them was made (clock ms). */
  sinceMs: number;
}

export interface FlagsSourceStatus {
  version: number;
  level: number;
  /** When a GET last succeeded (clock ms), undefined before the first success. */
  lastReadAt: number | undefined;
  /** When a newer document was last applied (clock ms). */
  lastChangeAt: number | undefined;
  /** True while the channel subscription is in place. */
  subscribed: boolean;
  /** Documents rejected as malformed, and ignored as not newer, since start. */
  rejected: number;
  ignoredOlder: number;
  /** True while the key has been missing for more than `missingKeyPolls` reads in a row. */
  keyMissing: boolean;
  /** Reads in a row that found the key missing (0 once a document is read). */
  missingPolls: number;
}

export class RedisFlagsSource implements FlagsSource {
  private doc: FlagsDocument;
  private readonly listeners = new Set<(doc: FlagsDocument) => void>();
  private readonly clock: Clock;
  private readonly pollMs: number;
  private readonly readTimeoutMs: number;
  private commands: Redis | undefined;
  private subscriber: Redis | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private reading: Promise<void> | undefined;
  private started = false;
  private closed = false;
  private subscribed = false;
  private lastReadAt: number | undefined;
  private lastChangeAt: number | undefined;
  private rejected = 0;
  private ignoredOlder = 0;
  private readonly missingKeyPolls: number;
  private missingPolls = 0;
  private missingSince = 0;
  private keyMissingReported = false;
  /** Set when a read found the key missing: the next valid document is applied whatever its version. */
  private storeLostMemory = false;

  constructor(private readonly options: RedisFlagsSourceOptions) {
    if (!options.connect) {
      if (typeof options.url !== 'string' || options.url.length === 0)
        throw new InvalidOptionsError('url', options.url, 'a redis:// or rediss:// URL (or a connect function)');
      try {
        new URL(options.url);
      } catch {
        throw new InvalidOptionsError('url', options.url, 'a redis:// or rediss:// URL');
      }
    }
    this.pollMs = options.pollMs ?? FLAGS_SOURCE_DEFAULTS.pollMs;
    if (!Number.isFinite(this.pollMs) || this.pollMs <= 0)
      throw new InvalidOptionsError('pollMs', options.pollMs, 'a positive number of milliseconds');
    this.readTimeoutMs = options.readTimeoutMs ?? Math.min(this.pollMs, FLAGS_SOURCE_DEFAULTS.maxReadTimeoutMs);
    if (!Number.isFinite(this.readTimeoutMs) || this.readTimeoutMs <= 0)
      throw new InvalidOptionsError('readTimeoutMs', options.readTimeoutMs, 'a positive number of milliseconds');
    this.clock = options.clock ?? systemClock;
    this.missingKeyPolls = options.missingKeyPolls ?? FLAGS_SOURCE_DEFAULTS.missingKeyPolls;
    if (!Number.isInteger(this.missingKeyPolls) || this.missingKeyPolls < 1)
      throw new InvalidOptionsError('missingKeyPolls', options.missingKeyPolls, 'a whole number of polls, at least 1');
    this.doc = options.initial === undefined ? initialFlags() : FlagsDocumentSchema.parse(options.initial);
  }

  current(): FlagsDocument {
    return this.doc;
  }

  onChange(listener: (doc: FlagsDocument) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  status(): FlagsSourceStatus {
    return {
      version: this.doc.version,
      level: this.doc.level,
      lastReadAt: this.lastReadAt,
      lastChangeAt: this.lastChangeAt,
      subscribed: this.subscribed,
      rejected: this.rejected,
      ignoredOlder: this.ignoredOlder,
      keyMissing: this.keyMissingReported,
      missingPolls: this.missingPolls,
    };
  }

  async start(): Promise<void> {
    if (this.closed) throw new Error('RedisFlagsSource: start() after close()');
    if (this.started) return;
    this.started = true;
    this.commands = this.open('commands');
    this.subscriber = this.open('subscriber');
    // Back after an outage: read at once instead of waiting for the next poll.
    this.commands.on('ready', () => void this.readNow());
    this.subscriber.on('ready', () => void this.subscribe());
    this.subscriber.on('close', () => {
      this.subscribed = false;
    });
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel === FLAGS_CHANNEL) this.consider(message, 'message');
    });
    void this.subscribe();
    await this.readNow();
    this.schedulePoll();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
    this.listeners.clear();
    await Promise.all([this.commands, this.subscriber].map((c) => c && quit(c)));
    this.commands = undefined;
    this.subscriber = undefined;
  }

  private open(role: FlagsConnectionRole): Redis {
    if (this.options.connect) return this.options.connect(role);
    return createRedisConnection({
      url: this.options.url!,
      authToken: this.options.authToken,
      connectionName: `saleday-flags-${role}`,
      commandTimeoutMs: this.readTimeoutMs,
      connectTimeoutMs: Math.max(this.readTimeoutMs, 500),
      // Closing while Redis is unreachable must not hold the process open for ioredis' default 2 s.
      disconnectTimeoutMs: 100,
      // subscribe() runs on every 'ready' and reports failures; ioredis' own re-subscribe would reject unhandled.
      autoResubscribe: role === 'commands',
      log: this.options.log,
    });
  }

  private async subscribe(): Promise<void> {
    const subscriber = this.subscriber;
    if (!subscriber || this.closed) return;
    try {
      await subscriber.subscribe(FLAGS_CHANNEL);
      if (!this.closed) this.subscribed = true;
    } catch (error) {
      this.subscribed = false;
      if (!this.closed) this.report(new FlagsUnavailableError('subscribe', error));
    }
  }

  /** One GET at a time: a read already in flight is shared rather than doubled. */
  private readNow(): Promise<void> {
    if (!this.reading) {
      this.reading = this.read().finally(() => {
        this.reading = undefined;
      });
    }
    return this.reading;
  }

  private async read(): Promise<void> {
    const commands = this.commands;
    if (!commands || this.closed) return;
    let text: string | null;
    try {
      text = await commands.get(FLAGS_KEY);
    } catch (error) {
      if (!this.closed) this.report(new FlagsUnavailableError('get', error));
      return;
    }
    if (this.closed) return;
    this.lastReadAt = this.clock.now();
    this.noteKeyPresence(text !== null);
    if (text !== null) this.consider(text, 'get');
  }

  /** Counts reads in a row that found no key, and tells `onKeyMissing` when an episode starts and ends. */
  private noteKeyPresence(present: boolean): void {
    if (present) {
      if (this.keyMissingReported)
        this.tellKeyMissing({ missing: false, polls: this.missingPolls, sinceMs: this.missingSince });
      this.missingPolls = 0;
      this.keyMissingReported = false;
      return;
    }
    if (this.missingPolls === 0) this.missingSince = this.clock.now();
    this.missingPolls += 1;
    if (this.doc.version > 0) this.storeLostMemory = true;
    if (this.missingPolls > this.missingKeyPolls && !this.keyMissingReported) {
      this.keyMissingReported = true;
      this.tellKeyMissing({ missing: true, polls: this.missingPolls, sinceMs: this.missingSince });
    }
  }

  private tellKeyMissing(event: FlagsKeyMissingEvent): void {
    try {
      this.options.onKeyMissing?.(event);
    } catch {
      // onKeyMissing must not throw; if it does, the flags client keeps going.
    }
  }

  private schedulePoll(): void {
    if (this.closed) return;
    this.pollTimer = setTimeout(() => {
      void this.readNow().finally(() => this.schedulePoll());
    }, this.pollMs);
    this.pollTimer.unref();
  }

  private consider(text: string, via: 'get' | 'message'): void {
    const doc = parseFlagsDocument(text);
    if (!doc) {
      this.rejected += 1;
      this.report(new FlagsDocumentRejectedError(via, text.slice(0, 120)));
      return;
    }
    const afterLoss = this.storeLostMemory;
    this.storeLostMemory = false;
    if (doc.version === this.doc.version || (!afterLoss && !isNewerFlagsVersion(doc.version, this.doc.version))) {
      if (doc.version < this.doc.version) this.ignoredOlder += 1;
      return;
    }
    this.doc = doc;
    this.lastChangeAt = this.clock.now();
    for (const listener of [...this.listeners]) {
      try {
        listener(doc);
      } catch {
        // A faulty listener must not stop the others nor the flags client.
      }
    }
  }

  private report(error: FlagsUnavailableError | FlagsDocumentRejectedError): void {
    try {
      this.options.onError?.(error);
    } catch {
      // onError must not throw; if it does, the flags client keeps going.
    }
  }
}

async function quit(connection: Redis): Promise<void> {
  try {
    await Promise.race([connection.quit(), new Promise((resolve) => setTimeout(resolve, 200).unref())]);
  } catch {
    // Already gone.
  }
  // After a clean QUIT the connection has ended; disconnect() then would only arm a useless timer.
  if (connection.status !== 'end') connection.disconnect();
}
