/**
 * The rehearsal's gates and storefronts, and the flags path between the controller and them: N
 * child-process pairs on the shared Redis (flags through RedisFlagsStore), or the single in-process
 * pair of the embedded mode (flags through one MemoryFlags).
 */
import { randomBytes } from 'node:crypto';
import { MemoryFlags } from '../../../guard/flags/memory-flags';
import type { FlagsStore } from '../../../guard/flags/flags-store';
import { RedisFlagsStore } from '../../../lambda/flag-controller/redis-flags-store';
import type { SaledayConfig } from '../../../contracts/config/schema';
import type { ChildSupervisor } from '../../support/child-supervisor';
import type { EmfRecord } from '../metrics/emf-line-reader';
import type { TrafficProfile } from '../traffic/traffic-profile';
import { startEmbeddedFleet } from './embedded-fleet';
import { startProcessFleet } from './process-fleet';
import { describeRedis, type RedisChoice } from './redis-choice';

export interface RunningFleet {
  /** Where the controller writes the flags the gates read. */
  store: FlagsStore;
  gateUrls: string[];
  storefrontUrls: string[];
  /** The storefronts' operator listeners (stock reset, faults, /_stats). */
  operatorUrls: string[];
  taskPids: () => number[][];
  close(): Promise<void>;
}

export async function startFleet(options: {
  redis: RedisChoice;
  config: SaledayConfig;
  configPath: string;
  gateCount: number;
  profile: TrafficProfile;
  supervisor: ChildSupervisor;
  identityEnv: Record<string, string>;
  onGateMetrics: (gateId: string, record: EmfRecord) => void;
  logDir: string;
  cliEntry?: string;
  notify: (line: string) => void;
}): Promise<RunningFleet> {
  const { redis, profile } = options;
  if (redis.kind === 'embedded') {
    const flags = new MemoryFlags();
    Object.assign(process.env, options.identityEnv);
    const embedded = await startEmbeddedFleet({
      config: options.config,
      flags,
      stockPerProduct: profile.stockPerProduct,
      recommendationsWork: profile.recommendationsWork,
      onGateMetrics: options.onGateMetrics,
    });
    return {
      store: flags,
      gateUrls: [embedded.gateUrl],
      storefrontUrls: [embedded.storefrontUrl],
      operatorUrls: [embedded.operatorUrl],
      taskPids: () => [],
      close: async () => {
        await embedded.close();
        await flags.close();
      },
    };
  }
  options.notify(
    `saleday rehearse: Redis ${describeRedis(redis)}; starting ${options.gateCount} gate+storefront pair(s)…`,
  );
  const fleet = await startProcessFleet({
    supervisor: options.supervisor,
    count: options.gateCount,
    redisUrl: redis.url,
    configPath: options.configPath,
    stockPerProduct: profile.stockPerProduct,
    recommendationsWork: profile.recommendationsWork,
    onGateMetrics: options.onGateMetrics,
    logDir: options.logDir,
    env: options.identityEnv,
    cliEntry: options.cliEntry,
  });
  const store = new RedisFlagsStore({ url: redis.url, commandTimeoutMs: 1000 });
  return {
    store,
    gateUrls: fleet.members.map((m) => m.gateUrl),
    storefrontUrls: fleet.members.map((m) => m.storefrontUrl),
    operatorUrls: fleet.members.map((m) => m.operatorUrl),
    taskPids: () => fleet.taskPids(),
    close: async () => {
      await store.close();
      await fleet.close();
    },
  };
}

/** A secret for the children when the config asks for signed user keys and none is set. */
export function identityEnvironment(config: SaledayConfig): Record<string, string> {
  if (config.identity.proof === 'none') return {};
  const existing = process.env[config.identity.secretEnv];
  return { [config.identity.secretEnv]: existing ?? randomBytes(24).toString('base64url') };
}
