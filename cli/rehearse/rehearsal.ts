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
import { AlarmEvaluator } from './control-plane/alarm-evaluator';
import { LocalControlPlane } from './control-plane/local-control-plane';
import { defaultTimeScale, scaleConfigForRehearsal, scaledSeconds } from './control-plane/time-scale';
import { cacheOutageFor } from './faults/cache-outage';
import { probeFailover } from './faults/failover-probe';
import { scheduleKeyLoss, type KeyLossSchedule } from './faults/key-loss';
import { schedulePhases, type PhaseSchedule } from './faults/phase-schedule';
import { identityEnvironment, startFleet, type RunningFleet } from './fleet/rehearsal-fleet';
import { chooseRedis, describeRedis, type CacheOutageScenario, type RedisChoice } from './fleet/redis-choice';
import { fetchProductIds, readShopNumbers, resetStock } from './fleet/storefront-operator';
import { FleetMetrics, type FleetSecond } from './metrics/fleet-metrics';
import { startResourceSampling } from './metrics/resource-sampling';
import { failoverChecks, keyLossCheck } from './report/failover-checks';
import { ProgressLine } from './report/progress-line';
import type { Check } from './report/rehearsal-checks';
import { buildReport, type RehearsalReport } from './report/rehearsal-report';
import { renderReportHtml } from './report/report-html';
import { calibrateProfile, type CalibrationReport } from './traffic/calibration';
import { OutcomeRecorder } from './traffic/outcome-recorder';
import { RequestFactory } from './traffic/request-factory';
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

/** What the run settled before starting anything: the config (as written and as scaled), where the report goes, the notices. */
interface RunSetup {
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
interface RunState {
  generator?: TrafficGenerator;
  trafficStarted: boolean;
  interrupted: boolean;
  interruption?: { signal: NodeJS.Signals; ranMs: number };
}

type Cleanup = () => Promise<void>;

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
    const { profile, calibration } = await calibrateIfAsked(options, setup, { gateUrls: fleet.gateUrls, profile: fleetProfile, newFactory: (random) => new RequestFactory(config, productIds, random, secret) });
    await resetStock(fleet.operatorUrls[0]!, profile.stockPerProduct);
    const random = seededRandom(options.seed);
    const factory = new RequestFactory(config, productIds, random, secret);
    const traffic = await runTraffic({ options, setup, redis, fleet, metrics, profile, factory, random }, state, cleanups);
    return await writeReport({ options, setup, redis, gateCount, profile, calibration, metrics, fleet, traffic }, state);
  } finally {
    await state.generator?.close();
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        setup.notify(`saleday rehearse: cleanup step failed: ${error instanceof Error ? error.message : String(error)}`);
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
  return { configPath, config, scaledConfig, timeScale, outDir, notices, notice, notify };
}

/** Ctrl-C / SIGTERM: true keeps the process alive until the run has written the report of the part that ran. */
function onShutdownSignal(signal: NodeJS.Signals, state: RunState, durationMs: number, notify: (line: string) => void): boolean {
  state.interrupted = true;
  const { generator } = state;
  if (generator && state.trafficStarted) {
    // What ran is worth a report: stop the traffic, let the run reach its report step, which
    // writes the report and then stops the children.
    state.interruption = { signal, ranMs: Math.min(generator.elapsedMs(), durationMs) };
    generator.stop();
    notify('\nsaleday rehearse: interrupted; stopping the traffic, writing the report of the part that ran, then stopping every child process (Ctrl-C again to quit at once)');
    return true;
  }
  generator?.stop();
  notify('\nsaleday rehearse: interrupted; stopping every child process (no traffic sent yet, no report written)');
  return false;
}

/** The Redis of the run, and what it allows: a shared cache for N gates, or the embedded mode's single pair at 1/N of the rates. */
async function startCache(options: RehearsalOptions, setup: RunSetup, supervisor: ChildSupervisor, cleanups: Cleanup[]): Promise<{ redis: RedisChoice; gateCount: number; profile: TrafficProfile }> {
  const { notice } = setup;
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

interface TrafficInputs {
  options: RehearsalOptions;
  setup: RunSetup;
  redis: RedisChoice;
  fleet: RunningFleet;
  metrics: FleetMetrics;
  profile: TrafficProfile;
  factory: RequestFactory;
  random: () => number;
}

interface TrafficRun {
  startMs: number;
  recorder: OutcomeRecorder;
  generator: TrafficGenerator;
  control: LocalControlPlane;
  phases: PhaseSchedule;
  /** The scenarios' probes: the cache failover and the flags key loss (none in the embedded mode). */
  outage: ReturnType<typeof probeFailover>;
  keyLoss: KeyLossSchedule | undefined;
}

/** The sale itself: the control plane, the traffic, the faults at their times, until the traffic ends. */
async function runTraffic(inputs: TrafficInputs, state: RunState, cleanups: Cleanup[]): Promise<TrafficRun> {
  const { options, setup, redis, fleet, metrics, profile, factory, random } = inputs;
  const { config, scaledConfig, timeScale } = setup;
  const recorder = new OutcomeRecorder();
  // Traffic, alarm periods and the report's seconds all count from one whole second.
  const startMs = Math.ceil((Date.now() + 300) / 1000) * 1000;
  const tickMs = scaledSeconds(60, timeScale) * 1000;
  const evaluator = new AlarmEvaluator({ config: scaledConfig, metrics, startMs });
  const control = new LocalControlPlane({ config: scaledConfig, evaluator, store: fleet.store, startMs, tickMs });
  await control.reset();
  cleanups.push(() => control.close());
  const sampler = startResourceSampling({ metrics, taskPids: fleet.taskPids, redis, taskMemoryMiB: config.fleet.memoryMiB });
  cleanups.push(() => sampler.close());
  // The generator is the rehearsal's load balancer: it counts answers as the ALB's metrics would.
  const onAnswer = (status: number | undefined) => metrics.recordGatewayAnswer(Date.now(), status);
  const generator = new TrafficGenerator({ targets: fleet.gateUrls, profile, durationMs: options.durationMs, factory, recorder, random, onAnswer });
  state.generator = generator;
  const outage = probeFailover(cacheOutageFor(redis), { gateUrls: fleet.gateUrls, factory, store: fleet.store });
  cleanups.push(() => outage.close());

  await new Promise((r) => setTimeout(r, Math.max(0, startMs - Date.now())));
  control.start();
  state.trafficStarted = true;
  const running = generator.run();
  const phases = schedulePhases({ profile, durationMs: options.durationMs, operatorUrls: fleet.operatorUrls, outage, notice: setup.notice });
  cleanups.push(() => phases.close());
  // The flags key is lost once the level is raised (else late in the run); the gates must follow again.
  const keyLoss =
    redis.kind === 'embedded'
      ? undefined
      : scheduleKeyLoss({
          redisUrl: redis.url,
          gateUrls: fleet.gateUrls,
          controllerDocument: () => control.current(),
          cacheDown: () => phases.cacheDown(),
          startMs,
          earliestMs: startMs + options.durationMs * 0.1,
          latestMs: startMs + options.durationMs * 0.75,
          tickMs,
          pollMs: config.gate.flagsPollMs,
        });
  if (keyLoss) cleanups.push(() => keyLoss.close());

  const progress = options.progress === false ? undefined : startProgress({ generator, control, phases, profile, durationMs: options.durationMs });
  await running;
  progress?.stop();
  await phases.settled();
  await control.close();
  if (outage.unavailable && profile.phases.some((p) => p.kind === 'cache-outage')) setup.notice(outage.unavailable);
  return { startMs, recorder, generator, control, phases, outage, keyLoss };
}

/** The progress line on stderr, refreshed four times a second from the generator and the control plane. */
function startProgress(run: { generator: TrafficGenerator; control: LocalControlPlane; phases: PhaseSchedule; profile: TrafficProfile; durationMs: number }): { stop(): void } {
  const { generator, control, phases, profile, durationMs } = run;
  const progress = new ProgressLine();
  const timer = setInterval(() => {
    const elapsedMs = generator.elapsedMs();
    progress.update({
      elapsedMs,
      durationMs,
      phase: activePhaseLabel(profile, elapsedMs, durationMs),
      sentPerSecond: generator.sentLastSecond(),
      level: control.current().level,
      openBreakers: Object.entries(control.current().breakers).filter(([, b]) => b.open).map(([d]) => d),
      alarmsInAlarm: control.alarms().filter((a) => a.state === 'ALARM').length,
      redisUp: !phases.cacheDown(),
    });
  }, 250);
  timer.unref();
  return {
    stop: () => {
      clearInterval(timer);
      progress.close();
    },
  };
}

/** The checks of the scenarios the probes watched (cache failover, flags key loss), skipped when the run could not show them. */
async function scenarioChecks(redis: RedisChoice, traffic: TrafficRun): Promise<Check[]> {
  return [
    ...failoverChecks(await traffic.outage.findings(), redis.kind === 'failover' ? 'the failover did not happen in this run' : 'this run\'s cache outage was not a failover (--scenario restart, a given Redis, or the embedded mode)'),
    keyLossCheck(await traffic.keyLoss?.findings(), traffic.keyLoss ? 'the run ended before the key could be deleted' : 'the embedded mode keeps its flags in memory'),
  ];
}

/** Reads the shop's numbers, builds the report and writes report.json and report.html. */
async function writeReport(
  run: { options: RehearsalOptions; setup: RunSetup; redis: RedisChoice; gateCount: number; profile: TrafficProfile; calibration?: CalibrationReport; metrics: FleetMetrics; fleet: RunningFleet; traffic: TrafficRun },
  state: RunState,
): Promise<RehearsalResult> {
  const { options, setup, redis, traffic } = run;
  const { interruption } = state;
  // After a signal one try is enough: the person asked to stop, and a missing answer fails no-oversell plainly.
  const shop = await readShopNumbers(run.fleet.operatorUrls[0]!, interruption ? 1 : undefined);
  // A signal before the traffic began leaves nothing to report (the supervisor is exiting already).
  if (state.interrupted && !interruption) throw new Error('saleday rehearse: interrupted before the traffic; no report written');
  const durationSeconds = Math.round(options.durationMs / 1000);
  const fleetSeconds: (FleetSecond | undefined)[] = Array.from({ length: durationSeconds }, (_, i) => run.metrics.get(traffic.startMs / 1000 + i));
  const report = buildReport({
    config: setup.config,
    scaledConfig: setup.scaledConfig,
    profile: run.profile,
    run: { gates: run.gateCount, durationMs: options.durationMs, timeScale: setup.timeScale, redis: describeRedis(redis), seed: options.seed, generatedAt: new Date() },
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

function activePhaseLabel(profile: TrafficProfile, elapsedMs: number, durationMs: number): string {
  const active = profile.phases.filter((p) => {
    const w = phaseWindowMs(p, durationMs);
    return elapsedMs >= w.startMs && elapsedMs < w.endMs;
  });
  return active.length === 0 ? 'normal traffic' : active.map((p) => p.kind).join(' + ');
}

