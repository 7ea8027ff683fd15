/**
 * The rehearsal: Redis, the fleet, the control plane, the traffic profile, then the report. Every
 * child process is stopped on every way out (normal end, error, Ctrl-C / SIGTERM), through the
 * supervisor. Ctrl-C / SIGTERM once the traffic has begun stops the traffic and still writes the
 * report, of the part that ran and marked interrupted; before the traffic, it just stops everything.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig, resolveConfigPath } from '../../contracts/config/load-config';
import type { SaledayConfig } from '../../contracts/config/schema';
import { seededRandom } from '../../contracts/seeded-random';
import { ChildSupervisor } from '../support/child-supervisor';
import { defaultTimeScale, scaleConfigForRehearsal } from './control-plane/time-scale';
import { identityEnvironment, startFleet, type RunningFleet } from './fleet/rehearsal-fleet';
import { chooseRedis, describeRedis, type CacheOutageScenario, type RedisChoice } from './fleet/redis-choice';
import { fetchProductIds, readShopNumbers, resetStock } from './fleet/storefront-operator';
import { FleetMetrics, type FleetSecond } from './metrics/fleet-metrics';
import { failoverChecks, keyLossCheck } from './report/failover-checks';
import type { Check } from './report/rehearsal-checks';
import { runTraffic, type TrafficRun } from './rehearsal-traffic';
import { buildReport, type RehearsalReport } from './report/rehearsal-report';
import { renderReportHtml } from './report/report-html';
import { calibrateProfile, type CalibrationReport } from './traffic/calibration';
import { RequestFactory } from './traffic/request-factory';
import { TrafficGenerator } from './traffic/traffic-generator';
import { scaleProfileRates, type TrafficProfile } from './traffic/traffic-profile';

export interface RehearsalOptions {
  /** Config file; undefined means $SALEDAY_CONFIG or ./saleday.config.json. */
  configPath?: string;
  redisUrl?: string;
  gates: number;
  durationMs: number;
  profile: TrafficProfile;
  outDir: string;
  seed: number;
  /** @default defaultTimeScale(durationMs) */
  timeScale?: number;
  /** Measure this machine's capacity first and scale the profile's rates to it. @default true */
  calibrate?: boolean;
  /** Progress on stderr. @default true */
  progress?: boolean;
  /** Where notices go. @default a line on stderr */
  notify?: (line: string) => void;
  /** The CLI script the children run. @default bin/saleday.js */
  cliEntry?: string;
  /** For tests: pretend redis-server is not on the PATH. */
  redisServerAvailable?: () => boolean;
  /** How our own redis-servers' cache outage happens. @default 'failover' */
  scenario?: CacheOutageScenario;
}

export interface RehearsalResult {
  report: RehearsalReport;
  files: { json: string; html: string };
  /** The signal that cut the traffic short (the report covers the part that ran). */
  interruptedBy?: NodeJS.Signals;
}

/** What the run settled before starting anything: the config (as written and as scaled), where the report goes, the notices. */
export interface RunSetup {
  configPath: string;
  config: SaledayConfig;
  scaledConfig: SaledayConfig;
  timeScale: number;
  outDir: string;
  notices: string[];
  notice(line: string): void;
  notify(line: string): void;
}

/** What the Ctrl-C / SIGTERM hook needs to know about the run, and what it leaves for the run to see. */
export interface RunState {
  generator?: TrafficGenerator;
  trafficStarted: boolean;
  interrupted: boolean;
  interruption?: { signal: NodeJS.Signals; ranMs: number };
}

export type Cleanup = () => Promise<void>;

export async function runRehearsal(options: RehearsalOptions): Promise<RehearsalResult> {
  const setup = prepareRun(options);
  const supervisor = new ChildSupervisor();
  const state: RunState = { trafficStarted: false, interrupted: false };
  supervisor.installShutdownHooks((signal) => onShutdownSignal(signal, state, options.durationMs, setup.notify));
  const cleanups: Cleanup[] = [];
  try {
    const { redis, gateCount, profile: fleetProfile } = await startCache(options, setup, supervisor, cleanups);
    const { config } = setup;
    const identityEnv = identityEnvironment(config);
    const metrics = new FleetMetrics();
    const fleet = await startFleet({
      redis,
      config,
      configPath: setup.configPath,
      gateCount,
      profile: fleetProfile,
      supervisor,
      identityEnv,
      onGateMetrics: (gateId, record) => metrics.ingest(gateId, record),
      logDir: join(setup.outDir, 'logs'),
      cliEntry: options.cliEntry,
      notify: setup.notify,
    });
    cleanups.push(() => fleet.close());
    const productIds = await fetchProductIds(fleet.storefrontUrls[0]!);
    const secret = identityEnv[config.identity.secretEnv];
    const { profile, calibration } = await calibrateIfAsked(options, setup, {
      gateUrls: fleet.gateUrls,
      profile: fleetProfile,
      newFactory: (random) => new RequestFactory(config, productIds, random, secret),
    });
    await resetStock(fleet.operatorUrls[0]!, profile.stockPerProduct);
    const random = seededRandom(options.seed);
    const factory = new RequestFactory(config, productIds, random, secret);
    const traffic = await runTraffic(
      { options, setup, redis, fleet, metrics, profile, factory, random },
      state,
      cleanups,
    );
    return await writeReport(
      { options, setup, redis, gateCount, profile, calibration, metrics, fleet, traffic },
      state,
    );
  } finally {
    await state.generator?.close();
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        setup.notify(
          `saleday rehearse: cleanup step failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
    await supervisor.close();
  }
}

/** Checks the options, reads the config, scales its times, and empties this run's log folder. */
function prepareRun(options: RehearsalOptions): RunSetup {
  if (!Number.isInteger(options.gates) || options.gates < 1 || options.gates > 16) {
    throw new TypeError(`--gates: got ${options.gates}; expected an integer between 1 and 16`);
  }
  if (!(options.durationMs >= 5000))
    throw new TypeError(`--duration: got ${options.durationMs} ms; expected at least 5s`);
  const notify = options.notify ?? ((line: string) => process.stderr.write(`${line}\n`));
  const configPath = resolveConfigPath(options.configPath);
  const config = loadConfig(configPath);
  const timeScale = options.timeScale ?? defaultTimeScale(options.durationMs);
  if (!(timeScale >= 1)) throw new TypeError(`--time-scale: got ${timeScale}; expected a number ≥ 1`);
  const scaledConfig = scaleConfigForRehearsal(config, timeScale);
  const outDir = resolve(options.outDir);
  rmSync(join(outDir, 'logs'), { recursive: true, force: true }); // this run's logs only
  mkdirSync(join(outDir, 'logs'), { recursive: true });
  const notices: string[] = [];
  const notice = (line: string) => {
    notices.push(line);
    notify(`saleday rehearse: ${line}`);
  };
  return { configPath, config, scaledConfig, timeScale, outDir, notices, notice, notify };
}

/** Ctrl-C / SIGTERM: true keeps the process alive until the run has written the report of the part that ran. */
function onShutdownSignal(
  signal: NodeJS.Signals,
  state: RunState,
  durationMs: number,
  notify: (line: string) => void,
): boolean {
  state.interrupted = true;
  const { generator } = state;
  if (generator && state.trafficStarted) {
    // What ran is worth a report: stop the traffic, let the run reach its report step, which
    // writes the report and then stops the children.
    state.interruption = { signal, ranMs: Math.min(generator.elapsedMs(), durationMs) };
    generator.stop();
    notify(
      '\nsaleday rehearse: interrupted; stopping the traffic, writing the report of the part that ran, then stopping every child process (Ctrl-C again to quit at once)',
    );
    return true;
  }
  generator?.stop();
  notify('\nsaleday rehearse: interrupted; stopping every child process (no traffic sent yet, no report written)');
  return false;
}

/** The Redis of the run, and what it allows: a shared cache for N gates, or the embedded mode's single pair at 1/N of the rates. */
async function startCache(
  options: RehearsalOptions,
  setup: RunSetup,
  supervisor: ChildSupervisor,
  cleanups: Cleanup[],
): Promise<{ redis: RedisChoice; gateCount: number; profile: TrafficProfile }> {
  const { notice } = setup;
  const redis = await chooseRedis({
    redisUrl: options.redisUrl,
    supervisor,
    redisServerAvailable: options.redisServerAvailable,
    scenario: options.scenario,
  });
  if (redis.kind === 'local') cleanups.push(() => redis.server.close());
  if (redis.kind === 'failover') cleanups.push(() => redis.pair.close());
  if (redis.kind === 'embedded') notice(redis.notice);
  if (redis.kind === 'given' && options.profile.phases.some((p) => p.kind === 'cache-outage')) {
    notice(
      'the given Redis is not ours to kill: the cache outage pauses it (CLIENT PAUSE … ALL) for the phase instead',
    );
  }
  const gateCount = redis.kind === 'embedded' ? 1 : options.gates;
  let profile = options.profile;
  if (redis.kind === 'embedded' && options.gates > 1) {
    profile = scaleProfileRates(options.profile, 1 / options.gates);
    notice(
      `--gates ${options.gates} needs a shared Redis; running 1 pair at 1/${options.gates} of the profile's request rates`,
    );
  }
  return { redis, gateCount, profile };
}

/** Measures what this fleet serves on this machine and scales the profile to it (unless --no-calibration). */
async function calibrateIfAsked(
  options: RehearsalOptions,
  setup: RunSetup,
  fleet: { gateUrls: string[]; profile: TrafficProfile; newFactory: (random: () => number) => RequestFactory },
): Promise<{ profile: TrafficProfile; calibration?: CalibrationReport }> {
  if (options.calibrate === false) return { profile: fleet.profile };
  setup.notify('saleday rehearse: calibrating: measuring what this fleet serves on this machine (a few seconds)…');
  const calibrationRandom = seededRandom(options.seed + 1);
  const calibrated = await calibrateProfile({
    gateUrls: fleet.gateUrls,
    config: setup.config,
    factory: fleet.newFactory(calibrationRandom),
    profile: fleet.profile,
    random: calibrationRandom,
    slaP99Ms: setup.config.sla.p99LatencyMs,
  });
  setup.notify(`saleday rehearse: ${calibrated.report.summary}`);
  return { profile: calibrated.profile, calibration: calibrated.report };
}

async function scenarioChecks(redis: RedisChoice, traffic: TrafficRun): Promise<Check[]> {
  return [
    ...failoverChecks(
      await traffic.outage.findings(),
      redis.kind === 'failover'
        ? 'the failover did not happen in this run'
        : "this run's cache outage was not a failover (--scenario restart, a given Redis, or the embedded mode)",
    ),
    keyLossCheck(
      await traffic.keyLoss?.findings(),
      traffic.keyLoss ? 'the run ended before the key could be deleted' : 'the embedded mode keeps its flags in memory',
    ),
  ];
}

/** Reads the shop's numbers, builds the report and writes report.json and report.html. */
async function writeReport(
  run: {
    options: RehearsalOptions;
    setup: RunSetup;
    redis: RedisChoice;
    gateCount: number;
    profile: TrafficProfile;
    calibration?: CalibrationReport;
    metrics: FleetMetrics;
    fleet: RunningFleet;
    traffic: TrafficRun;
  },
  state: RunState,
): Promise<RehearsalResult> {
  const { options, setup, redis, traffic } = run;
  const { interruption } = state;
  // After a signal one try is enough: the person asked to stop, and a missing answer fails no-oversell plainly.
  const shop = await readShopNumbers(run.fleet.operatorUrls[0]!, interruption ? 1 : undefined);
  // A signal before the traffic began leaves nothing to report (the supervisor is exiting already).
  if (state.interrupted && !interruption)
    throw new Error('saleday rehearse: interrupted before the traffic; no report written');
  const durationSeconds = Math.round(options.durationMs / 1000);
  const fleetSeconds: (FleetSecond | undefined)[] = Array.from({ length: durationSeconds }, (_, i) =>
    run.metrics.get(traffic.startMs / 1000 + i),
  );
  const report = buildReport({
    config: setup.config,
    scaledConfig: setup.scaledConfig,
    profile: run.profile,
    run: {
      gates: run.gateCount,
      durationMs: options.durationMs,
      timeScale: setup.timeScale,
      redis: describeRedis(redis),
      seed: options.seed,
      generatedAt: new Date(),
    },
    recorder: traffic.recorder,
    fleetSeconds,
    control: traffic.control.timeline(),
    flagsChanges: traffic.control.flagsChanges(),
    outage: traffic.phases.outageWindow(),
    shop,
    notices: setup.notices,
    interruption,
    failedCycles: traffic.control.failedCycleLog(),
    scenarioChecks: await scenarioChecks(redis, traffic),
    scheduleLagMs: traffic.generator.scheduleLagMsBySecond(),
    calibration: run.calibration,
  });
  traffic.recorder.close();
  const files = { json: join(setup.outDir, 'report.json'), html: join(setup.outDir, 'report.html') };
  writeFileSync(files.json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(files.html, renderReportHtml(report));
  return { report, files, interruptedBy: interruption?.signal };
}
