/**
 * The default load-test target: one task's worth of saleday on this machine — a storefront and a
 * gate in front of it, as child processes running the same code as on Fargate — sharing a
 * redis-server on a free port when one is on the PATH (no persistence: we measure the task, not
 * fsync), else the embedded in-process stores. Every child is stopped by `close()`, and on Ctrl-C.
 */
import { resolve } from 'node:path';
import { ChildSupervisor } from '../support/child-supervisor';
import { launchRedisServer, underSupervisor, type LaunchedRedis } from '../support/redis-launcher';
import { redisServerOnPath } from '../support/loopback';
import type { LoadtestIdentitySecret } from './identity-secret';

export interface LocalTargetOptions {
  /** Absolute path of the sale config both processes read. */
  readonly configPath: string;
  /** Use this Redis instead of starting one. */
  readonly redisUrl?: string;
  /** How long each process may take to print its listening line. @default 30000 */
  readonly startTimeoutMs?: number;
  /** Lines of progress for the user (which Redis, which URLs). */
  readonly log?: (line: string) => void;
  /** Given to both children when the config proves user keys: the gate verifies, the storefront signs sessions. */
  readonly identitySecret?: LoadtestIdentitySecret;
}

export interface LocalTarget {
  /** The gate's URL: where the load goes. */
  readonly url: string;
  readonly storefrontUrl: string;
  /** The Redis the pair uses, or undefined for the embedded stores. */
  readonly redisUrl: string | undefined;
  /** Process ids of the children (redis-server, storefront, gate), for logs and leak checks. */
  readonly processIds: readonly number[];
  close(): Promise<void>;
}

const CLI_ENTRY = resolve(__dirname, '../../bin/saleday.js');

export async function startLocalTarget(options: LocalTargetOptions): Promise<LocalTarget> {
  const log = options.log ?? (() => undefined);
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  const supervisor = new ChildSupervisor();
  supervisor.installShutdownHooks();
  let redis: LaunchedRedis | undefined;
  const closeAll = async () => {
    await supervisor.close();
    await redis?.close();
  };
  try {
    let redisUrl = options.redisUrl;
    if (!redisUrl && redisServerOnPath()) {
      redis = await launchRedisServer({ spawn: underSupervisor(supervisor) });
      redisUrl = redis.url;
      log(`redis-server started on ${redisUrl}`);
    } else if (!redisUrl) {
      log('No redis-server on the PATH: the storefront and gate use their embedded in-process stores.');
    }
    const redisArgs = redisUrl ? ['--redis-url', redisUrl] : [];
    // The children must not inherit a REDIS_URL that would override "embedded".
    const identity = options.identitySecret;
    const env = {
      ...process.env,
      REDIS_URL: redisUrl ?? '',
      ...(identity ? { [identity.secretEnv]: identity.secret } : {}),
    };
    const sessionArgs = identity ? ['--session-secret-env', identity.secretEnv] : [];
    const storefront = supervisor.spawn({
      name: 'storefront',
      command: process.execPath,
      // --seed-if-empty: a Redis store is seeded only on request; this one starts empty.
      args: [
        CLI_ENTRY,
        '--config',
        options.configPath,
        'storefront',
        '--port',
        '0',
        '--seed-if-empty',
        ...sessionArgs,
        ...redisArgs,
      ],
      env,
    });
    const storefrontUrl = await storefront.waitForLine(listeningUrl, timeoutMs);
    const gate = supervisor.spawn({
      name: 'gate',
      command: process.execPath,
      args: [
        CLI_ENTRY,
        '--config',
        options.configPath,
        'gate',
        '--port',
        '0',
        '--upstream',
        storefrontUrl,
        '--log-level',
        'warn',
        ...redisArgs,
      ],
      env,
    });
    const url = await gate.waitForLine(listeningUrl, timeoutMs);
    log(`storefront on ${storefrontUrl}, gate on ${url}`);
    const processIds = supervisor.running().map((child) => child.pid);
    return { url, storefrontUrl, redisUrl, processIds, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/** The `{"event":"listening","url":…}` line each saleday server prints when ready. */
export function listeningUrl(line: string): string | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(line) as { event?: unknown; url?: unknown };
    return parsed.event === 'listening' && typeof parsed.url === 'string' ? parsed.url : undefined;
  } catch {
    return undefined;
  }
}
