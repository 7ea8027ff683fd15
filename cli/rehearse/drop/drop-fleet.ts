/**
 * The drop's machinery: a redis-server of its own (or the one given), the same gate+storefront
 * processes as the default rehearsal but started on a copy of the config with the waiting room
 * enabled and the room's signing secret in their environment, and one local edge per gate running
 * the CloudFront Function file in front of it.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startLocalEdge, type LocalEdge } from '../../../edge/local/local-edge';
import { WAITING_ROOM_ACTIVE_WINDOW_ENV } from '../../../gate/waiting-room/room-gate';
import type { ChildSupervisor } from '../../support/child-supervisor';
import type { EmfRecord } from '../metrics/emf-line-reader';
import { startProcessFleet, type Fleet } from '../fleet/process-fleet';
import { chooseRedis, type RedisChoice } from '../fleet/redis-choice';
import type { SimulatedDatabaseOptions } from '../../../storefront/simulated-database';

/** The CloudFront Function the stacks deploy, run here unchanged. */
export const WAITING_ROOM_FUNCTION_FILE = resolve(__dirname, '../../../edge/waiting-room-function.js');
/** The gates' signing secrets (`kid:secret`), as the gate reads them. */
export const WAITING_ROOM_SECRETS_ENV = 'SALEDAY_WAITING_ROOM_SECRETS';
export const REHEARSAL_KEY_ID = 'rehearsal';
/**
 * The active-shopper window of the rehearsal's gates and controller (a minute on AWS): two seconds,
 * about a visit at the rehearsal's pace, and twice the gates' one-second flush, so the last full
 * window is complete for most of the current one.
 */
export const REHEARSAL_ACTIVE_WINDOW_MS = 2000;

/**
 * Each storefront's database in the drop: four connections held 50 ms per API request, so a pair
 * serves about 80 of them per second whatever this machine's CPU. The fleet's limit is then the
 * shop's, not the machine's, and the cores stay free for the crowd of a hundred times that.
 */
export const DROP_DATABASE: SimulatedDatabaseOptions = { connections: 4, queryMs: 50 };

export interface DropMachinery {
  redis: RedisChoice & { url: string };
  fleet: Fleet;
  edges: LocalEdge[];
  signingKey: { kid: string; secret: string };
  /** The config file the children read (the room enabled). */
  configPath: string;
  close(): Promise<void>;
}

/**
 * Joins per client address the rehearsal's gates allow. A join limit per address should stay a small
 * share of the admission rate, or a few addresses take a large share of the line: the gate's
 * default (1/s, burst 30) suits a shop admitting hundreds per second, not a fleet on one machine
 * admitting a few. Every simulated visitor has an address of its own, so only the bots feel it.
 */
export const REHEARSAL_JOIN_LIMIT_PER_IP = { ratePerSecond: 0.02, burst: 2 };

/**
 * The gates' queue management in the drop, scaled to the shop's database rather than to a
 * millisecond service: CoDel calls a queue standing when nobody left it within the target for a
 * whole interval, and by the defaults (5 ms over 100 ms) the queue a burst of a dozen 50 ms queries
 * leaves near capacity is standing. At a few dozen shoppers a second the load swings by a tenth from
 * one second to the next; a target of two queries over a second lets such a burst queue and drain,
 * and leaves the shedding to a queue that does not, which is what the room's rate must answer.
 */
export const DROP_GATE_QUEUE = {
  targetDelayMs: 2 * DROP_DATABASE.queryMs,
  intervalMs: 1000,
};

/**
 * The floor of the drop's gates' adaptive concurrency limit: the database's connections eight times
 * over. A database queue raises latency at any rate near capacity, and the limit reads that as
 * overload and shrinks toward its floor (8 by default); there the gate's strict priority held the
 * pages and catalog of newly admitted shoppers (the normal class) behind the product views of
 * those mid-visit until they timed out, at loads below what the fleet serves. With this floor the
 * database's own first-come queue takes such a burst.
 */
export const DROP_GATE_MIN_CONCURRENCY = 8 * DROP_DATABASE.connections;

/** A copy of the config with the room enabled (pass lengths in whole minutes, as the schema has them). */
export function configWithRoom(configText: string, pass: { seconds: number; maxSeconds: number }): string {
  const raw = JSON.parse(configText) as Record<string, unknown>;
  delete raw.$schema;
  const room = (raw.waitingRoom ?? {}) as Record<string, unknown>;
  raw.waitingRoom = {
    ...room,
    enabled: true,
    passMinutes: Math.max(1, Math.round(pass.seconds / 60)),
    passMaxMinutes: Math.max(1, Math.round(pass.maxSeconds / 60)),
    joinLimits: { perIp: REHEARSAL_JOIN_LIMIT_PER_IP },
  };
  const gate = (raw.gate ?? {}) as Record<string, unknown>;
  raw.gate = {
    ...gate,
    concurrency: { ...(gate.concurrency as object | undefined), minLimit: DROP_GATE_MIN_CONCURRENCY },
    queue: { ...(gate.queue as object | undefined), ...DROP_GATE_QUEUE },
  };
  return `${JSON.stringify(raw, null, 2)}\n`;
}

export async function startDropMachinery(options: {
  configPath: string;
  redisUrl?: string;
  supervisor: ChildSupervisor;
  gates: number;
  outDir: string;
  stockPerProduct: number;
  recommendationsWork: number;
  identityEnv: Record<string, string>;
  pass: { seconds: number; maxSeconds: number };
  onGateMetrics: (gateId: string, record: EmfRecord) => void;
  onEdgeError: (error: unknown) => void;
  notify: (line: string) => void;
}): Promise<DropMachinery> {
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer().catch(() => undefined);
  };
  try {
    const redis = await chooseRedis({
      redisUrl: options.redisUrl,
      supervisor: options.supervisor,
      scenario: 'restart',
    });
    if (redis.kind === 'embedded')
      throw new Error(
        'saleday rehearse --scenario drop: needs a Redis the gates share (redis-server on the PATH, or --redis-url)',
      );
    if (redis.kind === 'local') closers.push(() => redis.server.close());
    const configPath = join(options.outDir, 'drop.config.json');
    writeFileSync(configPath, configWithRoom(readFileSync(options.configPath, 'utf8'), options.pass));
    const signingKey = { kid: REHEARSAL_KEY_ID, secret: randomBytes(24).toString('base64url') };
    options.notify(
      `saleday rehearse: starting ${options.gates} gate+storefront pair(s) with the waiting room enabled…`,
    );
    const fleet = await startProcessFleet({
      supervisor: options.supervisor,
      count: options.gates,
      redisUrl: redis.url,
      configPath,
      stockPerProduct: options.stockPerProduct,
      recommendationsWork: options.recommendationsWork,
      simulatedDatabase: DROP_DATABASE,
      onGateMetrics: options.onGateMetrics,
      logDir: join(options.outDir, 'logs'),
      env: {
        ...options.identityEnv,
        [WAITING_ROOM_SECRETS_ENV]: `${signingKey.kid}:${signingKey.secret}`,
        [WAITING_ROOM_ACTIVE_WINDOW_ENV]: String(REHEARSAL_ACTIVE_WINDOW_MS),
      },
    });
    closers.push(() => fleet.close());
    const edges: LocalEdge[] = [];
    for (const member of fleet.members) {
      const edge = await startLocalEdge({
        functionFile: WAITING_ROOM_FUNCTION_FILE,
        upstream: member.gateUrl,
        onFunctionError: options.onEdgeError,
      });
      edges.push(edge);
      closers.push(() => edge.close());
    }
    return { redis, fleet, edges, signingKey, configPath, close };
  } catch (error) {
    await close();
    throw error;
  }
}
