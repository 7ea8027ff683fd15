/**
 * A simulated browser for the drop: it keeps its cookies, asks for JSON (`Accept: application/json`),
 * follows the edge's redirects (to the join, back with a ticket, and the pass's issue or renewal),
 * and says from which address it comes. The address travels in X-Forwarded-For: the local edge
 * appends the socket's address after it, as CloudFront's viewer address and the load balancer's hop
 * arrive at a gate that trusts two proxy hops. Like a browser, it sends a GET once more when the
 * connection it reused was closed before any answer came (the server's keep-alive timer fired as
 * the request went out); the answer says so, and the time counts both tries.
 */
import { performance } from 'node:perf_hooks';
import { request, type Dispatcher } from 'undici';
import { OUTCOME_HEADER } from '../../../contracts/metrics/gate-metrics';
import {
  WAITING_ROOM_HEADER,
  WAITING_ROOM_TICKET_COOKIE,
  type WaitingRoomStatus,
} from '../../../contracts/waiting-room';

export interface EdgeAnswer {
  status?: number;
  /** `join`, `admitted`, `renewed`, `waiting`, or undefined when the origin answered. */
  room?: string;
  location?: string;
  retryAfterSeconds?: number;
  outcome?: string;
  waiting?: WaitingRoomStatus;
  latencyMs: number;
  error?: string;
  /** The connection error after which the GET was sent once more, if it was. */
  retriedAfter?: string;
}

/**
 * Errors of a connection that closed before answering: a browser sends an idempotent request again
 * on a fresh connection after them. Timeouts are not among them.
 */
const CLOSED_CONNECTION_CODES = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);

export class VisitorClient {
  private readonly cookies = new Map<string, string>();

  constructor(
    private readonly options: {
      edgeUrl: string;
      dispatcher: Dispatcher;
      /** The address this visitor comes from. */
      address: string;
      /** The identity cookie (`name=value`) the shop's session gave this visitor. */
      identityCookie: string;
      timeoutMs: number;
    },
  ) {
    const eq = options.identityCookie.indexOf('=');
    this.cookies.set(options.identityCookie.slice(0, eq), options.identityCookie.slice(eq + 1));
  }

  /** The number in this visitor's ticket cookie, if it holds one. */
  ticketNumber(): number | undefined {
    const value = this.cookies.get(WAITING_ROOM_TICKET_COOKIE);
    const match = value ? /^t1:(\d+):/.exec(value) : null;
    return match ? Number(match[1]) : undefined;
  }

  async send(
    method: 'GET' | 'POST',
    path: string,
    body?: string,
    extraHeaders: Record<string, string> = {},
    dispatcher?: Dispatcher,
  ): Promise<EdgeAnswer> {
    const started = performance.now();
    let retriedAfter: string | undefined;
    for (;;) {
      try {
        const answer = await this.exchange(method, path, body, extraHeaders, dispatcher);
        return { ...answer, latencyMs: performance.now() - started, ...(retriedAfter ? { retriedAfter } : {}) };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (method === 'GET' && retriedAfter === undefined && closedConnection(error)) {
          retriedAfter = message;
          continue;
        }
        return { latencyMs: performance.now() - started, error: message, ...(retriedAfter ? { retriedAfter } : {}) };
      }
    }
  }

  /** One request and its answer; throws what the connection or the body's parsing threw. */
  private async exchange(
    method: 'GET' | 'POST',
    path: string,
    body: string | undefined,
    extraHeaders: Record<string, string>,
    dispatcher: Dispatcher | undefined,
  ): Promise<Omit<EdgeAnswer, 'latencyMs'>> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      'x-forwarded-for': this.options.address,
      cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '),
      ...extraHeaders,
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await request(`${this.options.edgeUrl}${path}`, {
      method,
      headers,
      body,
      dispatcher: dispatcher ?? this.options.dispatcher,
      headersTimeout: this.options.timeoutMs,
      bodyTimeout: this.options.timeoutMs,
      signal: AbortSignal.timeout(this.options.timeoutMs),
    });
    this.keepCookies(response.headers['set-cookie']);
    const room = header(response.headers[WAITING_ROOM_HEADER]);
    const text = await response.body.text();
    const answer: Omit<EdgeAnswer, 'latencyMs'> = {
      status: response.statusCode,
      room,
      location: header(response.headers.location),
      outcome: header(response.headers[OUTCOME_HEADER]),
    };
    const retryAfter = Number(header(response.headers['retry-after']));
    if (Number.isFinite(retryAfter) && retryAfter > 0) answer.retryAfterSeconds = retryAfter;
    if (room === 'waiting') answer.waiting = JSON.parse(text) as WaitingRoomStatus;
    return answer;
  }

  private keepCookies(setCookie: string | string[] | undefined): void {
    for (const line of setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [setCookie]) {
      const first = line.split(';', 1)[0]!;
      const eq = first.indexOf('=');
      if (eq <= 0) continue;
      const name = first.slice(0, eq).trim();
      const value = first.slice(eq + 1).trim();
      const expired = /;\s*max-age=0(\s*;|\s*$)/i.test(line) || value === '';
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

function closedConnection(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && CLOSED_CONNECTION_CODES.has(code);
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
