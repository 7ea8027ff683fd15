/**
 * N gate + storefront pairs as real child processes of the `saleday` CLI, each gate in front of its
 * own storefront, all sharing one Redis (stock, orders, rate limits, flags), as tasks share
 * ElastiCache on AWS. Every gate's stdout EMF lines are handed to `onGateMetrics`.
 */
import type { SimulatedDatabaseOptions } from '../../../storefront/simulated-database';
import { join, resolve } from 'node:path';
import type { ChildSupervisor, SupervisedChild } from '../../support/child-supervisor';
import { parseEmfLine, type EmfRecord } from '../metrics/emf-line-reader';

export interface FleetMember {
  index: number;
  gateId: string;
  gateUrl: string;
  storefrontUrl: string;
  /** The storefront's operator listener (/_stats, /_faults, /_stock/reset), on 127.0.0.1. */
  operatorUrl: string;
  gate: SupervisedChild;
  storefront: SupervisedChild;
}

export interface Fleet {
  readonly members: readonly FleetMember[];
  /** Process ids per task (gate, storefront), for the resource sampler; empty in the embedded mode. */
  taskPids(): number[][];
  close(): Promise<void>;
}

export interface ProcessFleetOptions {
  supervisor: ChildSupervisor;
  count: number;
  redisUrl: string;
  /** The config file the children read (the same one the rehearsal read). */
  configPath: string;
  stockPerProduct: number;
  /** Hashing rounds per recommendations request (the route's CPU cost). */
  recommendationsWork: number;
  /** Each storefront's simulated database pool (none: the storefronts' capacity is the machine's CPU). */
  simulatedDatabase?: SimulatedDatabaseOptions;
  onGateMetrics(gateId: string, record: EmfRecord): void;
  /** Children's stderr logs go to files here. */
  logDir?: string;
  /** @default 60_000 (tsx compiles on start; on a busy 2-core machine that takes a while) */
  startTimeoutMs?: number;
  /** Extra environment for the children (the identity secret, say). */
  env?: NodeJS.ProcessEnv;
  /** The CLI script the children run. @default CLI_ENTRY */
  cliEntry?: string;
}

/** The CLI entry that runs TypeScript through tsx without a build step. */
export const CLI_ENTRY = resolve(__dirname, '../../../bin/saleday.js');

export async function startProcessFleet(options: ProcessFleetOptions): Promise<Fleet> {
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  const env = { ...process.env, ...options.env };
  const cli = (name: string, args: string[], onStdoutLine?: (line: string) => void) =>
    options.supervisor.spawn({
      name,
      command: process.execPath,
      args: [options.cliEntry ?? CLI_ENTRY, '--config', options.configPath, ...args],
      env,
      onStdoutLine,
      logFile: options.logDir ? join(options.logDir, `${name}.log`) : undefined,
    });

  const indexes = Array.from({ length: options.count }, (_, i) => i + 1);
  const storefronts = indexes.map((i) =>
    // --seed-if-empty: the rehearsal's own Redis starts empty; the stock is reset before the traffic anyway.
    cli(`storefront-${i}`, [
      'storefront',
      '--port',
      '0',
      '--operator-port',
      '0',
      '--redis-url',
      options.redisUrl,
      '--fault-injection',
      '--seed-if-empty',
      '--stock',
      String(options.stockPerProduct),
      '--recommendations-work',
      String(options.recommendationsWork),
      ...simulatedDatabaseArgs(options.simulatedDatabase),
    ]),
  );
  const storefrontListeners = await Promise.all(
    storefronts.map((child) => child.waitForLine(storefrontListening, timeoutMs)),
  );
  const storefrontUrls = storefrontListeners.map((listener) => listener.url);
  const gates = indexes.map((i) => {
    const gateId = `gate-${i}`;
    return cli(
      gateId,
      [
        'gate',
        '--port',
        '0',
        '--upstream',
        storefrontUrls[i - 1]!,
        '--redis-url',
        options.redisUrl,
        '--gate-id',
        gateId,
        '--log-level',
        'warn',
      ],
      (line) => {
        const record = parseEmfLine(line);
        if (record) options.onGateMetrics(gateId, record);
      },
    );
  });
  const gateUrls = await Promise.all(gates.map((child) => child.waitForLine(listeningUrl, timeoutMs)));
  const members = indexes.map((i) => ({
    index: i,
    gateId: `gate-${i}`,
    gateUrl: gateUrls[i - 1]!,
    storefrontUrl: storefrontUrls[i - 1]!,
    operatorUrl: storefrontListeners[i - 1]!.operatorUrl,
    gate: gates[i - 1]!,
    storefront: storefronts[i - 1]!,
  }));
  return {
    members,
    taskPids: () => members.map((m) => [m.gate.pid, m.storefront.pid]),
    // Gates first, so none proxies to a storefront that is already gone.
    close: async () => {
      await Promise.all(members.map((m) => m.gate.stop()));
      await Promise.all(members.map((m) => m.storefront.stop()));
    },
  };
}

/** A storefront's listening line: its public URL and its operator URL (it was started with --operator-port). */
export function storefrontListening(line: string): { url: string; operatorUrl: string } | undefined {
  const url = listeningUrl(line);
  if (url === undefined) return undefined;
  const operatorUrl = (JSON.parse(line) as { operatorUrl?: unknown }).operatorUrl;
  return typeof operatorUrl === 'string' ? { url, operatorUrl } : undefined;
}

/** The URL of a `{"event":"listening","url":…}` line, else undefined. */
export function listeningUrl(line: string): string | undefined {
  if (!line.startsWith('{') || !line.includes('"listening"')) return undefined;
  try {
    const parsed = JSON.parse(line) as { event?: unknown; url?: unknown };
    return parsed.event === 'listening' && typeof parsed.url === 'string' ? parsed.url : undefined;
  } catch {
    return undefined;
  }
}

function simulatedDatabaseArgs(database: SimulatedDatabaseOptions | undefined): string[] {
  return database ? ['--db-connections', String(database.connections), '--db-query-ms', String(database.queryMs)] : [];
}
