/**
 * The waiting room inside the gate: the join (a rate-limited, identity-bound, signed ticket: one
 * INCR) and, while the room is open, the pass check on protected routes (defence in depth behind
 * the edge function). Created from the gate's config; absent (no object, no cost per request) when
 * `waitingRoom.enabled` is false or missing.
 *
 * What happens when things break, and why (a shop in the middle of a drop):
 * - Redis unreachable: the last-known room state stays (passes are checked with the gate's own
 *   secrets, no Redis needed), so admitted shoppers keep shopping and the crowd stays outside; a
 *   join cannot get a number, so it answers 503 with Retry-After. Failing open would let the whole
 *   queue onto a fleet sized for the admission rate exactly while something else is failing.
 * - The room record deleted: the last-known state stays too (gauge WaitingRoomRecordMissing); only
 *   the controller closes the room, by writing `open: false`. A gate that has never read a record
 *   (first start with Redis down) counts the room as closed: the edge still queues visitors.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Redis from 'ioredis';
import { WAITING_ROOM_GATE_ANSWERS } from '../../contracts/metrics/waiting-room-metrics';
import type { GateOutcome } from '../../contracts/metrics/gate-metrics';
import type { GateConfig } from '../../contracts/config/gate-config-slice';
import type { WaitingRoomConfig } from '../../contracts/config/waiting-room-schema';
import {
  WAITING_ROOM_JOIN_NEXT_PARAM,
  WAITING_ROOM_JOIN_PATH,
  WAITING_ROOM_TICKET_COOKIE,
  type WaitingRoomState,
} from '../../contracts/waiting-room';
import { admittedBelow, placeOf } from '../../contracts/waiting-room-schedule';
import type { Clock } from '../../guard/clock';
import type { ClientIdentity } from '../proxy/client-identity';
import type { GateLogger } from '../proxy/gate-logger';
import { reservedPath } from '../proxy/operator-paths';
import { compileRouteTable, type RouteTable } from '../proxy/route-table';
import { answerJoin } from './join-answer';
import { JoinLimits } from './join-limits';
import { cookieValue } from './pass-check';
import { RedisRoomStore } from './redis-room-store';
import { retryAfterHeader, writeRoomAnswer } from './room-answers';
import { decodeTicket, identityHash, type SecretOf } from './room-cookies';
import { RoomGateMetrics } from './room-gate-metrics';
import { RoomUseRecorders } from './room-use-recorders';
import { guardRoom, parseSigningSecrets } from './room-guard';
import { WaitingRoomStateCache } from './room-state-cache';
import { TicketIssuer } from './ticket-issuer';

/** The gate's environment variable holding the signing secrets: `kid:secret[,kid:secret]`, the first one the default. */
export const WAITING_ROOM_SECRETS_ENV = 'SALEDAY_WAITING_ROOM_SECRETS';
/** The gate's environment variable narrowing the active-shopper window (ms; the rehearsal's faster time). @default a minute */
export const WAITING_ROOM_ACTIVE_WINDOW_ENV = 'SALEDAY_WAITING_ROOM_ACTIVE_WINDOW_MS';
/** Retry-After of a join that could not get a number (Redis unreachable): reconnecting takes about this. */
const JOIN_FAILED_RETRY_AFTER_MS = 2_000;
/** As the gate's own start: an unreachable Redis delays it by at most this, then the room starts closed and polls. */
const REDIS_READY_WAIT_MS = 3_000;

export interface RoomGateOptions {
  config: GateConfig;
  /** Where the signing secrets are read from. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Times the join limits' local side (their Redis side reads the server's TIME). */
  clock: Clock;
  /** Tickets, passes, the room record, shopper windows and metric stamps are in other machines' wall time. */
  wallClock: Clock;
  logger: GateLogger;
  /** The room needs Redis (the ticket counter and the room record are shared by the fleet). */
  redisConfigured: boolean;
  /** The gate's rate-limit prefix. @default saleday:rl:<saleName> */
  rateLimitPrefix?: string;
  /** Receives the room's EMF line every metricsIntervalMs. */
  emit: (line: string) => void;
  metricsIntervalMs: number;
  /** Counts an answer in the gate's outcomes. */
  countOutcome: (outcome: GateOutcome) => void;
  /** Key prefix of the room's Redis keys (tests use a unique one). @default 'saleday' */
  roomKeyPrefix?: string;
}

/** A RoomGate when the config enables the room, else undefined; throws on a room that cannot work. */
export function createRoomGate(options: RoomGateOptions): RoomGate | undefined {
  const room = options.config.waitingRoom;
  return room?.enabled ? new RoomGate(options, room) : undefined;
}

export class RoomGate {
  private readonly secrets: Map<string, string>;
  private readonly defaultKid: string;
  private readonly secretOf: SecretOf;
  private readonly routes: RouteTable;
  private readonly metrics: RoomGateMetrics;
  private cache: WaitingRoomStateCache | undefined;
  private issuer: TicketIssuer | undefined;
  private limits: JoinLimits | undefined;
  private timer: NodeJS.Timeout | undefined;
  private uses: RoomUseRecorders | undefined;
  private readonly activeWindowMs: number | undefined;

  constructor(
    private readonly options: RoomGateOptions,
    private readonly room: WaitingRoomConfig,
  ) {
    const env = options.env ?? process.env;
    this.secrets = parseSigningSecrets(env[WAITING_ROOM_SECRETS_ENV], WAITING_ROOM_SECRETS_ENV);
    if (this.secrets.size === 0) {
      throw new RangeError(
        `waitingRoom.enabled is true but ${WAITING_ROOM_SECRETS_ENV} is not set; expected kid:secret[,kid:secret] (the keys the edge function has in its KeyValueStore)`,
      );
    }
    if (!options.redisConfigured)
      throw new RangeError(
        'waitingRoom.enabled is true but the gate has no Redis; expected a Redis URL (the ticket counter and the room record are shared by the fleet)',
      );
    this.activeWindowMs = activeWindowMs(env);
    this.defaultKid = [...this.secrets.keys()][0]!;
    this.secretOf = (kid) => this.secrets.get(kid);
    this.routes = compileRouteTable(options.config.routes);
    this.metrics = new RoomGateMetrics({
      saleName: options.config.saleName,
      gauges: () => ({ open: this.state()?.open === true, recordMissing: this.cache?.recordMissing() ?? false }),
    });
  }

  /** Reads the room record once, then polls it (config.gate.flagsPollMs), and emits the room's metrics. */
  async start(redis: Redis | undefined): Promise<void> {
    if (!redis) throw new RangeError('the waiting room needs the gate’s Redis connection');
    const { config, clock, wallClock, logger } = this.options;
    const keyPrefix = this.options.roomKeyPrefix;
    this.cache = new WaitingRoomStateCache({
      store: new RedisRoomStore({ redis, saleName: config.saleName, keyPrefix }),
      pollMs: Math.max(100, config.gate.flagsPollMs),
      onMissingChange: (missing) =>
        missing
          ? logger.warn(
              'waiting room record missing from Redis; keeping the last-known room state until the controller rewrites it',
            )
          : logger.info('waiting room record back in Redis'),
    });
    this.issuer = new TicketIssuer({
      store: redis,
      saleName: config.saleName,
      keyPrefix,
      signingKey: () => this.signingKey(),
      clock: wallClock,
    });
    this.limits = new JoinLimits({
      ...this.room.joinLimits,
      redis,
      prefix: this.options.rateLimitPrefix ?? `saleday:rl:${config.saleName}`,
      clock,
      localShare: config.gate.localShare ?? 1 / config.fleet.plannedTasks,
      timeoutMs: config.gate.redisTimeoutMs,
    });
    this.uses = new RoomUseRecorders({
      redis,
      saleName: config.saleName,
      keyPrefix,
      activeWindowMs: this.activeWindowMs,
      logger,
    });
    this.timer = setInterval(() => {
      this.options.emit(this.metrics.flush(wallClock.now()));
      void this.uses?.flush();
    }, this.options.metricsIntervalMs);
    this.timer.unref();
    await connected(redis, REDIS_READY_WAIT_MS);
    await this.cache.start();
  }

  /** Stops polling and the limiters, and emits the last metrics. */
  async close(): Promise<void> {
    if (this.timer) {
      clearInterval(this.timer);
      this.options.emit(this.metrics.flush(this.options.wallClock.now()));
    }
    this.timer = undefined;
    await this.uses?.flush();
    this.cache?.close();
    await this.limits?.close();
  }

  /** Totals since start and the room's gauges. */
  snapshot(): ReturnType<RoomGateMetrics['snapshot']> {
    return this.metrics.snapshot();
  }

  /**
   * True when the room answered the request (the join, or a refusal for want of a pass); false to
   * let the gate carry on. `identify` is called only when the identity is needed.
   */
  handle(req: IncomingMessage, res: ServerResponse, identify: () => ClientIdentity, path: string): boolean {
    if (path === WAITING_ROOM_JOIN_PATH) {
      this.join(req, res, identify()).catch((error: unknown) => {
        this.options.logger.error('waiting room join failed inside the gate', { error: String(error) });
        this.answer(res, 500, 'upstream-error', WAITING_ROOM_GATE_ANSWERS.refused, {
          json: { error: 'internal gate error' },
        });
      });
      return true;
    }
    const state = this.state();
    if (
      !state?.open ||
      req.method === 'OPTIONS' ||
      reservedPath(path) !== undefined ||
      this.isUnprotected(req.method ?? 'GET', path)
    )
      return false;
    return this.checkPass(req, res, identify(), path, state);
  }

  private state(): WaitingRoomState | undefined {
    return this.cache?.current();
  }

  /** Static routes are served by the edge's static behavior, which the room does not cover. */
  private isUnprotected(method: string, path: string): boolean {
    return this.routes.match(method, path)?.route.cache === 'static';
  }

  private signingKey(): { kid: string; secret: string } {
    const kid = this.state()?.keyId;
    const secret = kid === undefined ? undefined : this.secrets.get(kid);
    return secret !== undefined && kid !== undefined
      ? { kid, secret }
      : { kid: this.defaultKid, secret: this.secrets.get(this.defaultKid)! };
  }

  private async join(req: IncomingMessage, res: ServerResponse, identity: ClientIdentity): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return this.answer(res, 405, 'bad-request', WAITING_ROOM_GATE_ANSWERS.refused, {
        headers: { allow: 'GET, HEAD' },
        json: { error: 'the join is a GET' },
      });
    }
    const limit = await (this.limits as JoinLimits).consume(identity);
    if (!limit.allowed) {
      this.metrics.count('joinsLimited');
      return this.answer(res, 429, 'limited', WAITING_ROOM_GATE_ANSWERS.limited, {
        headers: { 'retry-after': retryAfterHeader(limit.retryAfterMs) },
        json: { error: `too many joins from this ${limit.refusedBy === 'ip' ? 'address' : 'identity'}` },
      });
    }
    const query = new URLSearchParams((req.url ?? '').split('?')[1] ?? '');
    let joined;
    try {
      const next = query.get(WAITING_ROOM_JOIN_NEXT_PARAM) ?? undefined;
      joined = await answerJoin({
        issuer: this.issuer as TicketIssuer,
        identity: identity.key,
        next,
        cookieHeader: req.headers.cookie,
        secretOf: this.secretOf,
      });
    } catch (error) {
      this.metrics.count('joinsFailed');
      this.options.logger.warn('waiting room join could not get a ticket number', {
        error: error instanceof Error ? error.message : String(error),
      });
      return this.answer(res, 503, 'upstream-error', WAITING_ROOM_GATE_ANSWERS.refused, {
        headers: { 'retry-after': retryAfterHeader(JOIN_FAILED_RETRY_AFTER_MS) },
        json: { error: 'cannot join the queue right now' },
      });
    }
    this.metrics.count(joined.kept ? 'joinsKept' : 'joinsIssued');
    const headers: Record<string, string | string[]> = { location: joined.location };
    if (joined.setCookie.length > 0) headers['set-cookie'] = joined.setCookie;
    this.answer(
      res,
      joined.statusCode,
      'served',
      joined.kept ? WAITING_ROOM_GATE_ANSWERS.kept : WAITING_ROOM_GATE_ANSWERS.issued,
      { headers },
    );
  }

  private checkPass(
    req: IncomingMessage,
    res: ServerResponse,
    identity: ClientIdentity,
    path: string,
    state: WaitingRoomState,
  ): boolean {
    const nowMs = this.options.wallClock.now();
    const cookieHeader = req.headers.cookie;
    const request = { path, url: req.url ?? path, cookieHeader, identity: identity.key };
    let verdict = guardRoom({ state, request, secretOf: this.secretOf, nowMs });
    // A visitor admitted before signing in holds a pass bound to its address: still theirs.
    if (!verdict.admit && verdict.reason === 'other-identity' && identity.kind === 'user') {
      verdict = guardRoom({
        state,
        request: { ...request, identity: `ip:${identity.ip}` },
        secretOf: this.secretOf,
        nowMs,
      });
    }
    if (verdict.admit) {
      this.admitted(verdict.pass?.number, state, nowMs);
      return false;
    }
    const ticketNumber = this.ticketAdmitted(cookieHeader, identity, state, nowMs);
    if (ticketNumber !== undefined) {
      this.admitted(ticketNumber, state, nowMs);
      return false;
    }
    this.metrics.count('passRefused');
    const holdsTicket = this.ownTicket(cookieHeader, identity) !== undefined;
    if ((req.method === 'GET' || req.method === 'HEAD') && !holdsTicket) {
      this.answer(res, 302, 'limited', WAITING_ROOM_GATE_ANSWERS.refused, {
        headers: { location: verdict.joinLocation },
      });
    } else {
      // A visitor with a ticket waits at the edge; sending it to the join again would only loop.
      const json = holdsTicket
        ? { error: 'waiting-room', reason: 'not-admitted-yet' }
        : { error: 'waiting-room', reason: verdict.reason, join: verdict.joinLocation };
      this.answer(res, 403, 'limited', WAITING_ROOM_GATE_ANSWERS.refused, { json });
    }
    return true;
  }

  /** Counts a request let through on a pass or an admitted ticket, its shopper as active and its place as used. */
  private admitted(ticketNumber: number | undefined, state: WaitingRoomState, nowMs: number): void {
    this.metrics.count('passAdmitted');
    if (ticketNumber === undefined) return;
    this.uses?.record(state, ticketNumber, nowMs);
  }

  /**
   * The edge turns an admitted ticket into a pass; when it could not (it fails open, e.g. without
   * its key), the gate lets an admitted ticket of this identity through on the same schedule.
   * Returns the ticket's number when admitted.
   */
  private ticketAdmitted(
    cookieHeader: string | undefined,
    identity: ClientIdentity,
    state: WaitingRoomState,
    nowMs: number,
  ): number | undefined {
    const ticket = this.ownTicket(cookieHeader, identity);
    if (!ticket || ticket.issuedAtMs < state.ticketsFromMs) return undefined;
    const place = placeOf(state, ticket.number, ticket.issuedAtMs);
    const below = admittedBelow(state, nowMs);
    // As at the edge: a ticket whose turn passed longer ago than a pass may last is spent.
    return place >= 0 && place < below && below - place <= Math.max(1, state.ratePerSecond) * state.passMaxSeconds
      ? ticket.number
      : undefined;
  }

  private ownTicket(cookieHeader: string | undefined, identity: ClientIdentity) {
    const decoded = decodeTicket(cookieValue(cookieHeader, WAITING_ROOM_TICKET_COOKIE), this.secretOf);
    if (!decoded.ok) return undefined;
    const secret = this.secrets.get(decoded.value.kid)!;
    const bound = [identity.key, `ip:${identity.ip}`].some(
      (id) => identityHash(secret, id) === decoded.value.identityHash,
    );
    return bound ? decoded.value : undefined;
  }

  private answer(
    res: ServerResponse,
    status: number,
    outcome: GateOutcome,
    room: string,
    extra: { headers?: Record<string, string | string[]>; json?: Record<string, unknown> },
  ): void {
    this.options.countOutcome(outcome);
    writeRoomAnswer(res, { status, outcome, room, ...extra });
  }
}

/** The active-shopper window from the gate's environment; a value that is not a whole number of ms ≥ 100 is refused. */
export function activeWindowMs(env: NodeJS.ProcessEnv): number | undefined {
  const text = env[WAITING_ROOM_ACTIVE_WINDOW_ENV];
  if (text === undefined || text.trim() === '') return undefined;
  const ms = Number(text);
  if (!Number.isInteger(ms) || ms < 100)
    throw new RangeError(
      `${WAITING_ROOM_ACTIVE_WINDOW_ENV}: got "${text}"; expected a whole number of milliseconds, at least 100`,
    );
  return ms;
}

/** Resolves once the connection is up, or after `waitMs` (the poll keeps trying). */
function connected(redis: Redis, waitMs: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      redis.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, waitMs);
    timer.unref();
    redis.once('ready', done);
  });
}
