/**
 * The rehearsal: Redis, the fleet, the control plane, the traffic profile, then the report. Every
 * child process is stopped on every way out (normal end, error, Ctrl-C / SIGTERM), through the
 * supervisor. Ctrl-C / SIGTERM once the traffic has begun stops the traffic and still writes the
 * report, of the part that ran and marked interrupted; before the traffic, it just stops everything.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MemoryFlags } from '../../guard/flags/memory-flags';
import type { FlagsStore } from '../../guard/flags/flags-store';
import { RedisFlagsStore } from '../../lambda/flag-controller/redis-flags-store';
import { loadConfig, resolveConfigPath } from '../../contracts/config/load-config';
import type { SaledayConfig } from '../../contracts/config/schema';
import { AlarmEvaluator } from './control-plane/alarm-evaluator';
import { calibrateProfile, type CalibrationReport } from './traffic/calibration';
import { cacheOutageFor } from './faults/cache-outage';
import { failoverChecks, keyLossCheck } from './report/failover-checks';
import { probeFailover } from './faults/failover-probe';
import { scheduleKeyLoss } from './faults/key-loss';
import { ChildSupervisor } from '../support/child-supervisor';
import { startEmbeddedFleet } from './fleet/embedded-fleet';
import type { EmfRecord } from './metrics/emf-line-reader';
import { FleetMetrics, type FleetSecond } from './metrics/fleet-metrics';
import { LocalControlPlane } from './control-plane/local-control-plane';
import { OutcomeRecorder } from './traffic/outcome-recorder';
import { startProcessFleet } from './fleet/process-fleet';
import { ProgressLine } from './report/progress-line';
import { schedulePhases } from './faults/phase-schedule';
import { chooseRedis, describeRedis, type CacheOutageScenario, type RedisChoice } from './fleet/redis-choice';
import { buildReport, type RehearsalReport } from './report/rehearsal-report';
import { renderReportHtml } from './report/report-html';
import { RequestFactory } from './traffic/request-factory';
import { startResourceSampling } from './metrics/resource-sampling';
import { seededRandom } from '../../contracts/seeded-random';
import { fetchProductIds, readShopNumbers, resetStock } from './fleet/storefront-operator';
import { defaultTimeScale, scaleConfigForRehearsal, scaledSeconds } from './control-plane/time-scale';
import { TrafficGenerator } from './traffic/traffic-generator';
import { phaseWindowMs, scaleProfileRates, type TrafficProfile } from './traffic/traffic-profile';

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

export async function runRehearsal(options: RehearsalOptions): Promise<RehearsalResult> {
  if (!Number.isInteger(options.gates) || options.gates < 1 || options.gates > 16) {
    throw new TypeError(`--gates: got ${options.gates}; expected an integer between 1 and 16`);
  }
  if (!(options.durationMs >= 5000)) throw new TypeError(`--duration: got ${options.durationMs} ms; expected at least 5s`);
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

  const supervisor = new ChildSupervisor();
  let generator: TrafficGenerator | undefined;
  let trafficStarted = false;
  let interrupted = false;
  let interruption: { signal: NodeJS.Signals; ranMs: number } | undefined;
  supervisor.installShutdownHooks((signal) => {
    interrupted = true;
    if (generator && trafficStarted) {
      // What ran is worth a report: stop the traffic, let the run reach its report step, which
      // writes the report and then stops the children.
      interruption = { signal, ranMs: Math.min(generator.elapsedMs(), options.durationMs) };
      generator.stop();
      notify('\nsaleday rehearse: interrupted; stopping the traffic, writing the report of the part that ran, then stopping every child process (Ctrl-C again to quit at once)');
      return true;
    }
    generator?.stop();
    notify('\nsaleday rehearse: interrupted; stopping every child process (no traffic sent yet, no report written)');
    return false;
  });

  const cleanups: (() => Promise<void>)[] = [];
  try {
    const redis = await chooseRedis({ redisUrl: options.redisUrl, supervisor, redisServerAvailable: options.redisServerAvailable, scenario: options.scenario });
    if (redis.kind === 'local') cleanups.push(() => redis.server.close());
    if (redis.kind === 'failover') cleanups.push(() => redis.pair.close());
    if (redis.kind === 'embedded') notice(redis.notice);
    if (redis.kind === 'given' && options.profile.phases.some((p) => p.kind === 'cache-outage')) {
      notice('the given Redis is not ours to kill: the cache outage pauses it (CLIENT PAUSE … ALL) for the phase instead');
    }
    const gateCount = redis.kind === 'embedded' ? 1 : options.gates;
    let profile = options.profile;
    if (redis.kind === 'embedded' && options.gates > 1) {
      profile = scaleProfileRates(options.profile, 1 / options.gates);
      notice(`--gates ${options.gates} needs a shared Redis; running 1 pair at 1/${options.gates} of the profile's request rates`);
    }

    const identityEnv = identityEnvironment(config);
    const metrics = new FleetMetrics();
    const onGateMetrics = (gateId: string, record: EmfRecord) => metrics.ingest(gateId, record);

    const fleet = await startFleet({ redis, config, configPath, gateCount, profile, supervisor, identityEnv, onGateMetrics, logDir: join(outDir, 'logs'), cliEntry: options.cliEntry, notify });
    cleanups.push(() => fleet.close());
    const { store, gateUrls, storefrontUrls, operatorUrls, taskPids } = fleet;

    const productIds = await fetchProductIds(storefrontUrls[0]!);
    let calibration: CalibrationReport | undefined;
    if (options.calibrate !== false) {
      notify('saleday rehearse: calibrating: measuring what this fleet serves on this machine (a few seconds)…');
      const calibrationRandom = seededRandom(options.seed + 1);
      const calibrated = await calibrateProfile({
        gateUrls,
        config,
        factory: new RequestFactory(config, productIds, calibrationRandom, identityEnv[config.identity.secretEnv]),
        profile,
        random: calibrationRandom,
        slaP99Ms: config.sla.p99LatencyMs,
      });
      profile = calibrated.profile;
      calibration = calibrated.report;
      notify(`saleday rehearse: ${calibration.summary}`);
    }
    await resetStock(operatorUrls[0]!, profile.stockPerProduct);
    const random = seededRandom(options.seed);
    const factory = new RequestFactory(config, productIds, random, identityEnv[config.identity.secretEnv]);
    const recorder = new OutcomeRecorder();

    // Traffic, alarm periods and the report's seconds all count from one whole second.
    const startMs = Math.ceil((Date.now() + 300) / 1000) * 1000;
    const evaluator = new AlarmEvaluator({ config: scaledConfig, metrics, startMs });
    const control = new LocalControlPlane({ config: scaledConfig, evaluator, store, startMs, tickMs: scaledSeconds(60, timeScale) * 1000 });
    await control.reset();
    cleanups.push(() => control.close());
    const sampler = startResourceSampling({ metrics, taskPids, redis, taskMemoryMiB: config.fleet.memoryMiB });
    cleanups.push(() => sampler.close());
    // The generator is the rehearsal's load balancer: it counts answers as the ALB's metrics would.
    const onAnswer = (status: number | undefined) => metrics.recordGatewayAnswer(Date.now(), status);
    generator = new TrafficGenerator({ targets: gateUrls, profile, durationMs: options.durationMs, factory, recorder, random, onAnswer });
    const outage = probeFailover(cacheOutageFor(redis), { gateUrls, factory, store });
    cleanups.push(() => outage.close());

    await new Promise((r) => setTimeout(r, Math.max(0, startMs - Date.now())));
    control.start();
    trafficStarted = true;
    const running = generator.run();
    const phases = schedulePhases({ profile, durationMs: options.durationMs, operatorUrls, outage, notice });
    cleanups.push(() => phases.close());
    // The flags key is lost once the level is raised (else late in the run); the gates must follow again.
    const keyLoss =
      redis.kind === 'embedded'
        ? undefined
        : scheduleKeyLoss({
            redisUrl: redis.url,
            gateUrls,
            controllerDocument: () => control.current(),
            cacheDown: () => phases.cacheDown(),
            startMs,
            earliestMs: startMs + options.durationMs * 0.1,
            latestMs: startMs + options.durationMs * 0.75,
            tickMs: scaledSeconds(60, timeScale) * 1000,
            pollMs: config.gate.flagsPollMs,
          });
    if (keyLoss) cleanups.push(() => keyLoss.close());

    const progress = options.progress === false ? undefined : new ProgressLine();
    const progressTimer = setInterval(() => {
      if (!generator) return;
      const elapsedMs = generator.elapsedMs();
      progress?.update({
        elapsedMs,
        durationMs: options.durationMs,
        phase: activePhaseLabel(profile, elapsedMs, options.durationMs),
        sentPerSecond: generator.sentLastSecond(),
        level: control.current().level,
        openBreakers: Object.entries(control.current().breakers).filter(([, b]) => b.open).map(([d]) => d),
        alarmsInAlarm: control.alarms().filter((a) => a.state === 'ALARM').length,
        redisUp: !phases.cacheDown(),
      });
    }, 250);
    progressTimer.unref();

    await running;
    clearInterval(progressTimer);
    progress?.close();
    await phases.settled();
    await control.close();

    if (outage.unavailable && profile.phases.some((p) => p.kind === 'cache-outage')) notice(outage.unavailable);

    // After a signal one try is enough: the person asked to stop, and a missing answer fails no-oversell plainly.
    const shop = await readShopNumbers(operatorUrls[0]!, interruption ? 1 : undefined);
    // A signal before the traffic began leaves nothing to report (the supervisor is exiting already).
    if (interrupted && !interruption) throw new Error('saleday rehearse: interrupted before the traffic; no report written');
    const durationSeconds = Math.round(options.durationMs / 1000);
    const fleetSeconds: (FleetSecond | undefined)[] = Array.from({ length: durationSeconds }, (_, i) => metrics.get(startMs / 1000 + i));
    const report = buildReport({
      config,
      scaledConfig,
      profile,
      run: { gates: gateCount, durationMs: options.durationMs, timeScale, redis: describeRedis(redis), seed: options.seed, generatedAt: new Date() },
      recorder,
      fleetSeconds,
      control: control.timeline(),
      flagsChanges: control.flagsChanges(),
      outage: phases.outageWindow(),
      shop,
      notices,
      interruption,
      failedCycles: control.failedCycleLog(),
      scenarioChecks: [
        ...failoverChecks(await outage.findings(), redis.kind === 'failover' ? 'the failover did not happen in this run' : 'this run\'s cache outage was not a failover (--scenario restart, a given Redis, or the embedded mode)'),
        keyLossCheck(await keyLoss?.findings(), keyLoss ? 'the run ended before the key could be deleted' : 'the embedded mode keeps its flags in memory'),
      ],
      scheduleLagMs: generator.scheduleLagMsBySecond(),
      calibration,
    });
    recorder.close();
    const files = { json: join(outDir, 'report.json'), html: join(outDir, 'report.html') };
    writeFileSync(files.json, `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(files.html, renderReportHtml(report));
    return { report, files, interruptedBy: interruption?.signal };
  } finally {
    await generator?.close();
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        notify(`saleday rehearse: cleanup step failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    await supervisor.close();
  }
}

interface RunningFleet {
  /** Where the controller writes the flags the gates read. */
  store: FlagsStore;
  gateUrls: string[];
  storefrontUrls: string[];
  /** The storefronts' operator listeners (stock reset, faults, /_stats). */
  operatorUrls: string[];
  taskPids: () => number[][];
  close(): Promise<void>;
}

/**
 * The gates and storefronts, and the flags path between the controller and them: N child-process
 * pairs on the shared Redis (flags through RedisFlagsStore), or the single in-process pair of the
 * embedded mode (flags through one MemoryFlags).
 */
async function startFleet(options: {
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
  options.notify(`saleday rehearse: Redis ${describeRedis(redis)}; starting ${options.gateCount} gate+storefront pair(s)…`);
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
function identityEnvironment(config: SaledayConfig): Record<string, string> {
  if (config.identity.proof === 'none') return {};
  const existing = process.env[config.identity.secretEnv];
  return { [config.identity.secretEnv]: existing ?? randomBytes(24).toString('base64url') };
}

function activePhaseLabel(profile: TrafficProfile, elapsedMs: number, durationMs: number): string {
  const active = profile.phases.filter((p) => {
    const w = phaseWindowMs(p, durationMs);
    return elapsedMs >= w.startMs && elapsedMs < w.endMs;
  });
  return active.length === 0 ? 'normal traffic' : active.map((p) => p.kind).join(' + ');
}

