/**
 * What every saleday Redis client does when a node answers as if it were no longer the primary.
 * After an ElastiCache failover the primary endpoint's DNS moves, but connections already open may
 * still reach the demoted node: it answers writes with READONLY, and while it resynchronises from the
 * new primary it answers LOADING. Only a new connection reaches the new primary, so both replies
 * mean "reconnect". One policy, used by every connection createRedisConnection opens.
 */
import type Redis from 'ioredis';
import { systemClock, type Clock } from '../clock';

/**
 * The replies that mean this connection reaches a node that cannot serve it as a primary now.
 * UNBLOCKED is what a command blocked at the moment of the demotion gets (a storefront's WAIT after
 * a checkout write): the node then closes the connection, so the commands sent after it never ran.
 */
export type FailoverReply = 'READONLY' | 'LOADING' | 'UNBLOCKED';

const EXPLANATIONS: Record<FailoverReply, string> = {
  READONLY: 'the node is a replica now (a failover demoted it)',
  LOADING: 'the node is loading its data (a restart or a resync after a failover)',
  UNBLOCKED:
    'the node is a replica now (a failover demoted it; it answers writes with READONLY) and closes this connection',
};

/** ioredis' `reconnectOnError` answers: false = nothing, 1 = reconnect, 2 = reconnect and resend the command. */
export type ReconnectDecision = false | 1 | 2;

/** Where the policy says what happened: one line per episode, not one per reply. */
export type RedisEventLog = (message: string, fields: Record<string, unknown>) => void;

export interface ReconnectPolicyOptions {
  /** Names the connection in the log line (its CLIENT SETNAME). */
  connectionName: string;
  /** @default a JSON line on stderr */
  log?: RedisEventLog;
  /** @default systemClock */
  clock?: Clock;
  /** An episode ends after this long without such a reply; the next one logs again. @default 30_000 */
  quietMs?: number;
  /** Told of every such reply (createRedisConnection remembers when, for retryAcrossFailover). */
  onReply?: (reply: FailoverReply) => void;
}

export function failoverReplyOf(error: Error): FailoverReply | undefined {
  const message = error.message ?? '';
  if (message.startsWith('READONLY')) return 'READONLY';
  if (message.startsWith('LOADING')) return 'LOADING';
  if (message.startsWith('UNBLOCKED') && message.includes('master -> replica')) return 'UNBLOCKED';
  return undefined;
}

/**
 * The `reconnectOnError` function for one connection. READONLY: reconnect and resend (the node
 * refused the write, nothing was applied, and the new connection reaches the new primary). LOADING:
 * reconnect, and the command fails as it did (the caller's own retry or fallback decides).
 * UNBLOCKED: as LOADING (the blocked command, a WAIT, ran and is not sent again).
 */
export function createReconnectOnError(options: ReconnectPolicyOptions): (error: Error) => ReconnectDecision {
  const clock = options.clock ?? systemClock;
  const quietMs = options.quietMs ?? 30_000;
  const log = options.log ?? stderrLog;
  let lastAt = -Infinity;
  return (error) => {
    const reply = failoverReplyOf(error);
    if (reply === undefined) return false;
    options.onReply?.(reply);
    const now = clock.now();
    if (now - lastAt > quietMs) {
      log(`redis ${options.connectionName}: ${reply} reply, ${EXPLANATIONS[reply]}; reconnecting`, {
        connection: options.connectionName,
        cause: reply,
        error: error.message,
      });
    }
    lastAt = now;
    return reply === 'READONLY' ? 2 : 1;
  };
}

/** When each connection last got a failover reply, and an UNBLOCKED one (set by createRedisConnection; monotonic: only ages are read). */
const lastFailoverReplyAt = new WeakMap<Redis, number>();
const lastUnblockedAt = new WeakMap<Redis, number>();

/** Records that `client` got a failover reply now; createRedisConnection wires it to the policy. */
export function noteFailoverReply(client: Redis, reply: FailoverReply, atMs = systemClock.now()): void {
  lastFailoverReplyAt.set(client, atMs);
  if (reply === 'UNBLOCKED') lastUnblockedAt.set(client, atMs);
}

/** A reconnect for a failover takes a round of retryStrategy plus a handshake: well under this. */
const FAILOVER_EPISODE_MS = 5000;
/** ioredis' refusal of a command while a fail-fast connection is not connected: it was never sent. */
const NOT_SENT_PREFIX = "Stream isn't writeable";
/** ioredis' rejection of the commands still awaiting a reply when the connection closed. */
const CLOSED_IN_FLIGHT_NAME = 'MaxRetriesPerRequestError';
/** The node closes the connection right after its UNBLOCKED reply: the in-flight commands ioredis then rejects come well within this. */
const CLOSE_AFTER_UNBLOCKED_MS = 1000;

/**
 * Runs `call`; when it failed because of a failover, in a way that guarantees Redis applied nothing
 * (a READONLY or LOADING reply, a fail-fast refusal while reconnecting after a failover reply, or a
 * command in flight when a demoted node closed the connection after its UNBLOCKED reply: Redis
 * answers in order and runs nothing more on a connection it closes after a reply), waits for the
 * new connection (at most `maxWaitMs`) and runs it once more. Any other failure is thrown as it is:
 * a dead Redis still fails fast, and a command that may have run is never sent twice.
 */
export async function retryAcrossFailover<T>(client: Redis, call: () => Promise<T>, maxWaitMs = 1000): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof Error) || !failedWithoutEffect(client, error)) throw error;
    if (!(await readyWithin(client, maxWaitMs))) throw error;
    return call();
  }
}

function failedWithoutEffect(client: Redis, error: Error): boolean {
  if (failoverReplyOf(error) !== undefined) return true;
  const now = systemClock.now();
  const last = lastFailoverReplyAt.get(client);
  if (error.message.startsWith(NOT_SENT_PREFIX) && last !== undefined && now - last < FAILOVER_EPISODE_MS) return true;
  const unblockedAt = lastUnblockedAt.get(client);
  return (
    error.name === CLOSED_IN_FLIGHT_NAME && unblockedAt !== undefined && now - unblockedAt < CLOSE_AFTER_UNBLOCKED_MS
  );
}

/** Resolves true once `client` can send again: a 'ready' status alone is not enough right after a READONLY, whose socket is still closing. */
function readyWithin(client: Redis, maxWaitMs: number): Promise<boolean> {
  if (client.status === 'ready' && (client as unknown as { stream?: { writable?: boolean } }).stream?.writable === true)
    return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ready: boolean) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      resolve(ready);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), maxWaitMs);
    client.once('ready', onReady);
  });
}

function stderrLog(message: string, fields: Record<string, unknown>): void {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: 'warn', message, ...fields })}\n`);
}
