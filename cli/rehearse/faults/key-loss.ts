/**
 * The flags key lost mid-run, as a node restarted empty or a failover that dropped the last writes
 * would lose it: once the controller has raised the level (or, failing that, late in the run), the
 * key is deleted, and the rehearsal times how long until every gate obeys a document the controller
 * wrote after the loss. The limit is one controller tick plus one gate poll (and the control
 * plane's one-second evaluation step).
 */
import { GATE_METRICS_PATH } from '../../../contracts/reserved-paths';
import { FLAGS_KEY, type FlagsDocument } from '../../../contracts/flags/flags-document';
import { createRedisConnection } from '../../../guard/redis/redis-connection';

export interface KeyLossFindings {
  /** Seconds from the start of the run. */
  deletedAtSecond: number;
  levelAtDeletion: number;
  /** From the deletion until every gate held a document the controller wrote after it. */
  followedMs?: number;
  limitMs: number;
  gates: number;
  gatesFollowed: number;
}

export interface KeyLossOptions {
  redisUrl: string;
  gateUrls: readonly string[];
  /** The controller's current document (its view). */
  controllerDocument(): FlagsDocument;
  /** True while the cache outage is on (the key is not deleted then). */
  cacheDown(): boolean;
  /** Run start (ms since the epoch), and the window in which to delete. */
  startMs: number;
  earliestMs: number;
  latestMs: number;
  tickMs: number;
  pollMs: number;
}

export interface KeyLossSchedule {
  /** Stops waiting for the moment to delete; resolves with the findings once a loss under way is measured (undefined if none began). */
  findings(): Promise<KeyLossFindings | undefined>;
  close(): Promise<void>;
}

/** Evaluation step of the local control plane: a controller cycle starts at most this late. */
const CONTROL_STEP_MS = 1000;

export function scheduleKeyLoss(options: KeyLossOptions): KeyLossSchedule {
  let stopped = false;
  let begun = false;
  let timer: NodeJS.Timeout | undefined;
  let resolveRun: (findings: KeyLossFindings | undefined) => void = () => undefined;
  const run = new Promise<KeyLossFindings | undefined>((resolve) => (resolveRun = resolve));
  const check = () => {
    if (stopped) return resolveRun(undefined);
    const now = Date.now();
    const due =
      now >= options.earliestMs &&
      !options.cacheDown() &&
      (options.controllerDocument().level > 0 || now >= options.latestMs);
    if (due) {
      begun = true;
      loseKeyAndWatch(options).then(resolveRun, () => resolveRun(undefined));
      return;
    }
    timer = setTimeout(check, 250);
    timer.unref();
  };
  timer = setTimeout(check, Math.max(0, options.earliestMs - Date.now()));
  timer.unref();
  const stop = () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    if (!begun) resolveRun(undefined);
  };
  return {
    findings: () => {
      stop();
      return run;
    },
    close: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      resolveRun(undefined);
    },
  };
}

async function loseKeyAndWatch(options: KeyLossOptions): Promise<KeyLossFindings> {
  const before = options.controllerDocument();
  const limitMs = options.tickMs + options.pollMs + CONTROL_STEP_MS;
  const admin = createRedisConnection({
    url: options.redisUrl,
    connectionName: 'saleday-rehearsal-key-loss',
    commandTimeoutMs: 2000,
  });
  let deletedAt: number;
  try {
    await admin.del(FLAGS_KEY);
    deletedAt = Date.now();
  } finally {
    admin.disconnect();
  }
  const findings: KeyLossFindings = {
    deletedAtSecond: Math.floor((deletedAt - options.startMs) / 1000),
    levelAtDeletion: before.level,
    limitMs,
    gates: options.gateUrls.length,
    gatesFollowed: 0,
  };
  // Watch for three times the limit, so a late follow is measured rather than just failed.
  while (Date.now() - deletedAt < limitMs * 3) {
    const written = options.controllerDocument();
    if (written.version > before.version) {
      const versions = await Promise.all(options.gateUrls.map(gateFlagsVersion));
      findings.gatesFollowed = versions.filter((v) => v !== undefined && v >= written.version).length;
      if (findings.gatesFollowed === options.gateUrls.length)
        return { ...findings, followedMs: Date.now() - deletedAt };
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return findings;
}

async function gateFlagsVersion(url: string): Promise<number | undefined> {
  try {
    const metrics = (await (
      await fetch(`${url}${GATE_METRICS_PATH}`, { signal: AbortSignal.timeout(2000) })
    ).json()) as {
      flags?: { version?: number };
    };
    return metrics.flags?.version;
  } catch {
    return undefined;
  }
}
