/**
 * The connection to the app: one undici Pool over keep-alive HTTP/1.1 connections, bounded in
 * number, with a deadline per request. Shared by the gate and by the bare proxy of the benchmark,
 * so the two differ only by the protections in front of it.
 *
 * Why undici directly rather than fastify + @fastify/reply-from: the gate routes with its own
 * table, so fastify's router, hooks and reply object would be pure per-request overhead; and
 * node:http gives direct control of what hardening needs (maxHeaderSize, headersTimeout,
 * requestTimeout, the clientError path that answers 400/408/413/431 on the raw socket).
 */
import { EventEmitter } from 'node:events';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { Pool, type Dispatcher } from 'undici';
import { InvalidOptionsError } from '../../guard/errors';

/** Headers that describe one connection, not the message (RFC 9110 §7.6.1), plus ones undici refuses. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
  'content-length',
  'http2-settings',
]);
const RESPONSE_HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

export interface UpstreamResponse {
  statusCode: number;
  /** The app's headers minus hop-by-hop ones: a fresh object per response, the caller may add to it. */
  headers: Record<string, string | string[]>;
  body: Dispatcher.ResponseData['body'];
  /** Cancels the deadline timer; call once the exchange is over. */
  finish(): void;
  /** Reads and drops the body (keeping the connection reusable), then finishes. */
  discard(): void;
}

export class UpstreamFailure extends Error {
  readonly code = 'SALEDAY_UPSTREAM_FAILURE';
  constructor(
    readonly kind: 'timeout' | 'unreachable' | 'aborted',
    cause: unknown,
  ) {
    super(`upstream ${kind}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'UpstreamFailure';
  }
}

export function isUpstreamFailure(error: unknown): error is UpstreamFailure {
  return error instanceof UpstreamFailure;
}

export interface UpstreamClientOptions {
  /** Origin of the app, e.g. http://127.0.0.1:3000. */
  upstream: string;
  /** Most connections kept to the app. @default 256 */
  connections?: number;
  /** Idle keep-alive connections are closed after this. @default 4000 (below Node's server default of 5 s) */
  keepAliveTimeoutMs?: number;
}

export interface UpstreamClient {
  /**
   * Sends the request and resolves with the response head; the deadline also covers the body.
   * Rejects with UpstreamFailure (timeout, unreachable, or aborted because `res`, the client's
   * response, closed before it was finished: the client left).
   */
  request(options: {
    req: IncomingMessage;
    path: string;
    body?: Buffer;
    timeoutMs: number;
    res?: ServerResponse;
    prepareHeaders?: (headers: Record<string, string | string[]>) => void;
  }): Promise<UpstreamResponse>;
  close(): Promise<void>;
}

export function createUpstreamClient(options: UpstreamClientOptions): UpstreamClient {
  let origin: URL;
  try {
    origin = new URL(options.upstream);
  } catch {
    throw new InvalidOptionsError(
      'upstream',
      options.upstream,
      'an http:// URL of the app, such as http://127.0.0.1:3000',
    );
  }
  if (origin.protocol !== 'http:' && origin.protocol !== 'https:') {
    throw new InvalidOptionsError('upstream', options.upstream, 'an http:// or https:// URL');
  }
  const connections = options.connections ?? 256;
  if (!Number.isInteger(connections) || connections < 1)
    throw new InvalidOptionsError('connections', connections, 'a positive integer');
  const pool = new Pool(origin.origin, {
    connections,
    pipelining: 1,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 4000,
    // The per-request deadline below is the real bound; these only stop undici's own 300 s defaults.
    headersTimeout: 60_000,
    bodyTimeout: 60_000,
  });

  return {
    request({ req, path, body, timeoutMs, res, prepareHeaders }) {
      const exchange = new Exchange(res, timeoutMs);
      let dispatched: Promise<Dispatcher.ResponseData>;
      try {
        const headers = forwardHeaders(req, body);
        // The caller's own headers (identity, deadline) go on last, over whatever the client sent.
        prepareHeaders?.(headers);
        dispatched = pool.request({
          path,
          method: req.method as 'GET',
          headers,
          body: body && body.length > 0 ? body : undefined,
          signal: exchange.abort,
        });
      } catch (error) {
        return Promise.reject(exchange.failure(error));
      }
      return dispatched.then(
        (response) => exchange.accept(response),
        (error: unknown) => {
          throw exchange.failure(error);
        },
      );
    },
    close: () => pool.close(),
  };
}

/** Where a client response keeps its pending exchange, so one shared 'close' listener serves every request. */
const PENDING_EXCHANGE = Symbol('saleday.upstreamExchange');
type ClientResponse = ServerResponse & { [PENDING_EXCHANGE]?: Exchange };

/**
 * One request to the app and, once its head arrived, its response. A class with shared listeners
 * rather than closures: this runs once per proxied request, and every closure, `once` wrapper and
 * bound function there is allocation and GC work the bare proxy would not have.
 */
class Exchange implements UpstreamResponse {
  statusCode = 0;
  headers: Record<string, string | string[]> = {};
  body!: Dispatcher.ResponseData['body'];
  // An EventEmitter rather than an AbortController: undici accepts both, and EventTarget-based
  // signals cost several microseconds per request on this hot path.
  readonly abort = new EventEmitter();
  private timedOut = false;
  private aborted = false;
  private finished = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly res: ClientResponse | undefined,
    timeoutMs: number,
  ) {
    this.timer = setTimeout(onDeadline, timeoutMs, this);
    this.timer.unref();
    if (res !== undefined) {
      res[PENDING_EXCHANGE] = this;
      res.on('close', onClientClose);
    }
  }

  fire(timedOut: boolean): void {
    if (timedOut) this.timedOut = true;
    this.aborted = true;
    this.abort.emit('abort');
  }

  accept(response: Dispatcher.ResponseData): UpstreamResponse {
    this.statusCode = response.statusCode;
    this.headers = responseHeaders(response.headers);
    this.body = response.body;
    return this;
  }

  failure(cause: unknown): UpstreamFailure {
    this.finish();
    return new UpstreamFailure(this.timedOut ? 'timeout' : this.aborted ? 'aborted' : 'unreachable', cause);
  }

  finish(): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.timer);
    const res = this.res;
    if (res !== undefined) {
      res.removeListener('close', onClientClose);
      if (res[PENDING_EXCHANGE] === this) res[PENDING_EXCHANGE] = undefined;
    }
  }

  discard(): void {
    this.body
      .dump({ limit: 65_536 })
      .catch(() => undefined)
      .finally(() => this.finish());
  }
}

function onDeadline(exchange: Exchange): void {
  exchange.fire(true);
}

function onClientClose(this: ClientResponse): void {
  const exchange = this[PENDING_EXCHANGE];
  if (exchange !== undefined && !this.writableFinished) exchange.fire(false);
}

function forwardHeaders(req: IncomingMessage, body: Buffer | undefined): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  const incoming: IncomingHttpHeaders = req.headers;
  const connectionListed =
    typeof incoming.connection === 'string' && incoming.connection.includes(',')
      ? incoming.connection
          .toLowerCase()
          .split(',')
          .map((h) => h.trim())
      : undefined;
  for (const name in incoming) {
    const value = incoming[name];
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    if (connectionListed?.includes(name)) continue;
    headers[name] = value;
  }
  const remote = req.socket.remoteAddress ?? '';
  const forwarded = incoming['x-forwarded-for'];
  headers['x-forwarded-for'] = forwarded
    ? `${Array.isArray(forwarded) ? forwarded.join(', ') : forwarded}, ${remote}`
    : remote;
  if (!incoming['x-forwarded-proto']) headers['x-forwarded-proto'] = 'http';
  if (body && body.length > 0) headers['content-length'] = String(body.length);
  return headers;
}

function responseHeaders(incoming: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const name in incoming) {
    const value = incoming[name];
    if (value === undefined || RESPONSE_HOP_BY_HOP.has(name)) continue;
    headers[name] = value;
  }
  return headers;
}

/** Streams an upstream body to the client; resolves true when it all arrived, false when cut short. */
export function pipeBody(
  upstream: UpstreamResponse,
  res: ServerResponse,
  onChunk?: (chunk: Buffer) => void,
): Promise<boolean> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (complete: boolean) => {
      if (settled) return;
      settled = true;
      upstream.finish();
      resolve(complete);
    };
    const body = upstream.body;
    if (onChunk) body.on('data', onChunk);
    body.on('error', () => {
      // Headers are gone already; the only honest signal left to the client is a cut connection.
      res.destroy();
      settle(false);
    });
    res.on('close', () => {
      if (!res.writableFinished) {
        body.destroy();
        settle(false);
      }
    });
    res.on('finish', () => settle(true));
    body.pipe(res);
  });
}
