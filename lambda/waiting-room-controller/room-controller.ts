/**
 * The waiting-room controller: parse → read (room record, ticket counter, degradation level, the
 * gates' measurements, the signing keys) → decide → publish to the KeyValueStore and store in
 * Redis → log and put metrics. A scheduled invocation ticks again every `tickMs` while the room is
 * open (or about to open), up to `ticksPerInvocation` ticks, because EventBridge wakes it at most
 * once a minute and the rate decision acts on ten-second spacings.
 */
import type { CloudFrontKeyValueStoreClient } from '@aws-sdk/client-cloudfront-keyvaluestore';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type Redis from 'ioredis';
import { GATE_DIMENSIONS } from '../../contracts/metrics/gate-metrics';
import { WAITING_ROOM_ACTIVE_WINDOW_MS, WAITING_ROOM_NAMESPACE } from '../../contracts/metrics/waiting-room-metrics';
import { RedisRoomStore } from '../../gate/waiting-room/redis-room-store';
import { createRedisConnection } from '../../guard/redis/redis-connection';
import { fetchRedisAuthToken } from '../flag-controller/redis-auth';
import { countActiveShoppers } from './active-shoppers';
import { readOpeningShowUp } from './shown-places';
import { readGateMeasurement } from './gate-measurements';
import { desiredEdgeEntries, syncEdgeStore } from './key-value-store-sync';
import { closedRoomState } from './room-control';
import {
  loadRoomControllerEnvironment,
  roomPolicyOf,
  type RoomControllerEnvironment,
  type RoomControllerSettings,
} from './room-controller-settings';
import { parseRoomEvent } from './room-event';
import { recordRoomMetrics } from './room-metrics';
import { readDegradationLevel, readIssuedCount } from './room-redis';
import { summarizeRoom, type RoomSummary } from './room-summary';
import { runRoomCycle, type RoomCycleResult } from './run-room-cycle';
import { SigningKeySource } from './signing-keys';

export type RoomControllerResult =
  | (RoomCycleResult & { ticks: number })
  | { outcome: 'status'; summary: RoomSummary; version: number; control: unknown }
  | { outcome: 'skipped'; problems: string[] };

export interface RoomControllerClients {
  cloudWatch: CloudWatchClient;
  secrets: SecretsManagerClient;
  keyValueStore: CloudFrontKeyValueStoreClient;
}

export interface RoomControllerTiming {
  now(): number;
  sleep(ms: number): Promise<void>;
  /** @default 15 s */
  tickMs?: number;
  /** @default 4 (ticks at 0, 15, 30 and 45 s of each minute) */
  ticksPerInvocation?: number;
}

export interface RoomControllerHandle {
  handler(event: unknown): Promise<RoomControllerResult>;
  close(): Promise<void>;
}

const SERVICE = 'saleday-waiting-room-controller';
/** How long a container trusts that the store still holds what it last wrote there (each check is two billed API calls). */
export const EDGE_RECHECK_MS = 10 * 60_000;
const realTiming: RoomControllerTiming = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export function createRoomController(
  env: NodeJS.ProcessEnv,
  clients: RoomControllerClients,
  timing: RoomControllerTiming = realTiming,
): RoomControllerHandle {
  const environment = loadRoomControllerEnvironment(env);
  const settings = environment.SALEDAY_WAITING_ROOM_CONTROLLER_CONFIG;
  const logger = new Logger({ serviceName: SERVICE });
  const metrics = new Metrics({
    namespace: WAITING_ROOM_NAMESPACE,
    serviceName: SERVICE,
    defaultDimensions: { [GATE_DIMENSIONS.sale]: settings.saleName },
  });
  const keys = new SigningKeySource({
    client: clients.secrets,
    secretArn: environment.SIGNING_SECRET_ARN,
    now: timing.now,
  });
  const redisOnce = lazyRedis(environment, clients.secrets, logger);
  const policy = roomPolicyOf(settings);
  const publishEdge = edgePublisher(clients.keyValueStore, environment.KEY_VALUE_STORE_ARN, timing.now);

  const cycle = async (redis: Redis, command: Parameters<typeof runRoomCycle>[1]) => {
    let active: number | undefined;
    const result = await runRoomCycle(
      {
        store: new RedisRoomStore({ redis, saleName: settings.saleName }),
        policy,
        room: settings.room,
        readIssuedCount: () => readIssuedCount(redis, settings.saleName),
        readDegradationLevel: () => readDegradationLevel(redis),
        readMeasurement: async (nowMs, room) => {
          const [gates, shoppers, openingShowUp] = await Promise.all([
            readGateMeasurement(clients.cloudWatch, settings.saleName, nowMs),
            countActiveShoppers(redis, settings.saleName, nowMs),
            readOpeningShowUp({ redis, saleName: settings.saleName, ...room, nowMs }),
          ]);
          active = shoppers;
          const activeWindowSeconds = WAITING_ROOM_ACTIVE_WINDOW_MS / 1000;
          return gates && { ...gates, activeShoppers: shoppers, activeWindowSeconds, openingShowUp };
        },
        signingKeys: () => keys.current(),
        publishEdge: (state, signing) => publishEdge(desiredEdgeEntries(state, signing)),
        logger: { info: (m, extra) => logger.info(m, extra ?? {}), warn: (m, extra) => logger.warn(m, extra ?? {}) },
      },
      command,
      timing.now(),
    );
    recordRoomMetrics(metrics, result.summary, active);
    metrics.publishStoredMetrics();
    return result;
  };

  const handler = async (event: unknown): Promise<RoomControllerResult> => {
    const parsed = parseRoomEvent(event);
    if (!parsed.ok) {
      logger.warn('event skipped; nothing written', { problems: parsed.problems });
      return { outcome: 'skipped', problems: parsed.problems };
    }
    const redis = await redisOnce.get();
    if (parsed.event.kind === 'status') return roomStatus(redis, settings, timing.now());
    if (parsed.event.kind === 'command') {
      const problems = leverProblems(parsed.event.command, settings.maxLeverSeconds, settings.room);
      if (problems.length > 0) return { outcome: 'skipped', problems };
      return { ...(await cycle(redis, parsed.event.command)), ticks: 1 };
    }
    let result = await cycle(redis, undefined);
    let ticks = 1;
    while (
      ticks < (timing.ticksPerInvocation ?? 4) &&
      (result.state.open || dropSoonOpening(settings.drops, timing.now()))
    ) {
      await timing.sleep(timing.tickMs ?? 15_000);
      result = await cycle(redis, undefined);
      ticks += 1;
    }
    return { ...result, ticks };
  };

  return { handler, close: () => redisOnce.close() };
}

/** Writes the edge's entries to the KeyValueStore unless it was just given the same ones. */
function edgePublisher(
  keyValueStore: CloudFrontKeyValueStoreClient,
  keyValueStoreArn: string,
  now: () => number,
): (desired: Map<string, string>) => Promise<void> {
  let lastPublished: { entries: string; atMs: number } | undefined;
  return async (desired) => {
    const entries = JSON.stringify([...desired]);
    if (lastPublished?.entries === entries && now() - lastPublished.atMs < EDGE_RECHECK_MS) return;
    await syncEdgeStore(keyValueStore, keyValueStoreArn, desired);
    lastPublished = { entries, atMs: now() };
  };
}

/** The room as stored (closed if never written), for a status event. */
async function roomStatus(
  redis: Redis,
  settings: RoomControllerSettings,
  nowMs: number,
): Promise<RoomControllerResult> {
  const record = await new RedisRoomStore({ redis, saleName: settings.saleName }).read();
  const state = record?.state ?? closedRoomState(settings.room, 'k1');
  return {
    outcome: 'status',
    summary: summarizeRoom(state, await readIssuedCount(redis, settings.saleName), nowMs),
    version: record?.version ?? 0,
    control: record?.control,
  };
}

/** A drop's pre-queue starts within the next minute: tick finely so it opens on time. */
function dropSoonOpening(drops: RoomControllerSettings['drops'], nowMs: number): boolean {
  return drops.some(
    (d) =>
      (d.preQueueFromMs > nowMs && d.preQueueFromMs - nowMs < 60_000) || (d.atMs > nowMs && d.atMs - nowMs < 60_000),
  );
}

/** A lever longer than the sale's override cap, or a rate outside the room's bounds, is refused with the reason. */
export function leverProblems(
  command: { action: string; ttlSeconds?: number; ratePerSecond?: number },
  maxLeverSeconds: number,
  room: { minRatePerSecond: number; maxRatePerSecond: number },
): string[] {
  const problems: string[] = [];
  if (command.ttlSeconds !== undefined && command.ttlSeconds > maxLeverSeconds)
    problems.push(
      `ttlSeconds: got ${command.ttlSeconds}; expected at most ${maxLeverSeconds} (controller.maxOverrideSeconds)`,
    );
  if (
    command.action === 'rate' &&
    command.ratePerSecond !== undefined &&
    command.ratePerSecond !== 0 &&
    (command.ratePerSecond < room.minRatePerSecond || command.ratePerSecond > room.maxRatePerSecond)
  ) {
    problems.push(
      `ratePerSecond: got ${command.ratePerSecond}; expected 0 (pause) or a rate from waitingRoom.minRatePerSecond (${room.minRatePerSecond}) to maxRatePerSecond (${room.maxRatePerSecond})`,
    );
  }
  return problems;
}

function lazyRedis(environment: RoomControllerEnvironment, secrets: SecretsManagerClient, logger: Logger) {
  let opened: Promise<Redis> | undefined;
  return {
    get(): Promise<Redis> {
      opened ??= (async () => {
        const authToken = environment.REDIS_AUTH_SECRET_ARN
          ? await fetchRedisAuthToken(secrets, environment.REDIS_AUTH_SECRET_ARN)
          : undefined;
        return createRedisConnection({
          url: environment.REDIS_URL,
          authToken,
          connectionName: SERVICE,
          commandTimeoutMs: 2000,
          log: (m, f) => logger.warn(m, f),
        });
      })();
      opened.catch(() => (opened = undefined));
      return opened;
    },
    async close(): Promise<void> {
      const client = await opened?.catch(() => undefined);
      opened = undefined;
      if (client) await client.quit().catch(() => client.disconnect());
    },
  };
}
