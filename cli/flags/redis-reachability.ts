/**
 * What to say when a Redis cannot be reached. ioredis answers a command on a dead address with
 * "Reached the max retries per request limit", which names neither the address nor what happened;
 * this watches the connection's failed attempts and turns that into "could not connect to Redis at
 * redis://127.0.0.1:1 (connection refused, tried 3 times over 0.4 s)".
 */

/** What is needed of a connection: its 'error' events (an ioredis client is one). */
export interface ErrorEvents {
  on(event: 'error', listener: (error: Error) => void): unknown;
}

const ERROR_WORDS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'connection timed out',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection closed',
};

export interface ConnectionAttemptSummary {
  attempts: number;
  spanMs: number;
  /** The last attempt's failure, in words (e.g. "connection refused"). */
  lastFailure: string;
}

/** Counts a connection's failed attempts from its 'error' events. */
export class ConnectionAttempts {
  private failures = 0;
  private firstAtMs: number | undefined;
  private lastAtMs = 0;
  private lastFailure = '';

  constructor(
    client: ErrorEvents,
    private readonly now: () => number = Date.now,
  ) {
    client.on('error', (error: Error) => this.failed(error));
  }

  failed(error: Error): void {
    const at = this.now();
    this.failures += 1;
    this.firstAtMs ??= at;
    this.lastAtMs = at;
    this.lastFailure = failureWords(error);
  }

  summary(): ConnectionAttemptSummary | undefined {
    if (this.failures === 0 || this.firstAtMs === undefined) return undefined;
    return { attempts: this.failures, spanMs: this.lastAtMs - this.firstAtMs, lastFailure: this.lastFailure };
  }
}

export function failureWords(error: Error): string {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && ERROR_WORDS[code]) return ERROR_WORDS[code];
  if (/timed? ?out/i.test(error.message)) return 'connection timed out';
  return error.message;
}

/** The URL without its password, safe to print. */
export function redactedRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

export function unreachableRedisMessage(url: string, summary: ConnectionAttemptSummary): string {
  const span = summary.spanMs >= 1000 ? `${(summary.spanMs / 1000).toFixed(1)} s` : `${summary.spanMs} ms`;
  const tries = summary.attempts === 1 ? 'tried once' : `tried ${summary.attempts} times over ${span}`;
  return `could not connect to Redis at ${redactedRedisUrl(url)} (${summary.lastFailure}, ${tries}); check the URL, that Redis is running there, and any tunnel or security group on the way`;
}

/** An error from a command on a client that never connected: the plain message, else the error as it was. */
export function explainRedisFailure(url: string, attempts: ConnectionAttempts, error: unknown): unknown {
  const summary = attempts.summary();
  if (!summary) return error;
  const message = error instanceof Error ? error.message : String(error);
  const connectionTrouble =
    /max retries per request|Connection is closed|Stream isn't writeable|connect E|Command timed out/i.test(message);
  return connectionTrouble ? new Error(unreachableRedisMessage(url, summary)) : error;
}
