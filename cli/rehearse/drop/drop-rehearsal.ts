/**
 * `saleday rehearse --scenario drop`: the waiting room rehearsed on this machine with the same code
 * it runs on AWS. The gates (room enabled) and storefronts as processes, the CloudFront Function in
 * a local edge per gate, the room's controller decision in a local loop fed by the gates' metrics;
 * the fleet's capacity is measured first, then a drop scaled to it: a pre-queue, arrivals jumping to
 * 100× what the fleet serves, half the line giving up, bots farming tickets. Then the checks.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Redis from 'ioredis';
import { loadConfig, resolveConfigPath } from '../../../contracts/config/load-config';
import type { SaledayConfig } from '../../../contracts/config/schema';
import { seededRandom } from '../../../contracts/seeded-random';
import { ratePolicyFromConfig } from '../../../lambda/waiting-room-controller/rate-policy';
import { countActiveShoppers } from '../../../lambda/waiting-room-controller/active-shoppers';
import { readOpeningShowUp } from '../../../lambda/waiting-room-controller/shown-places';
import type { RatePolicy } from '../../../lambda/waiting-room-controller/decide-rate';
import { WaitingRoomSchema } from '../../../contracts/config/waiting-room-schema';
import { calibrate, type Calibration } from '../traffic/calibration';
import { ChildSupervisor } from '../../support/child-supervisor';
import { FleetMetrics } from '../metrics/fleet-metrics';
import { RequestFactory } from '../traffic/request-factory';
import { fetchProductIds, resetStock } from '../fleet/storefront-operator';
import { defaultProfile, type TrafficProfile } from '../traffic/traffic-profile';
import { DropCrowd } from './drop-crowd';
import { DROP_DATABASE, REHEARSAL_ACTIVE_WINDOW_MS, startDropMachinery, type DropMachinery } from './drop-fleet';
import { MEASUREMENT_MS, planDrop, type DropPlan } from './drop-plan';
import { buildDropReport, type DropReport } from './drop-report';
import { lineReachedAtMs, type DropFacts, type RoomSecond, type VisitorRecord } from './drop-records';
import { renderDropReportHtml } from './drop-report-html';
import { roomMeasurement, type RoomMeasurement } from './room-measurement';
import { RoomLoop } from './room-loop';
import { admittedBelow } from '../../../contracts/waiting-room-schedule';
import type { WaitingRoomState } from '../../../contracts/waiting-room';
import { identityEnvironment } from './identity-environment';

export interface DropRehearsalOptions {
  configPath?: string;
  redisUrl?: string;
  gates: number;
  outDir: string;
  seed: number;
  /** Sale time over rehearsal time. @default DEFAULT_DROP_TIME_SCALE */
  timeScale?: number;
  notify?: (line: string) => void;
}

export interface DropRehearsalResult {
  report: DropReport;
  files: { json: string; html: string };
}

/**
 * The room's controller settles the fleet here (of the measured capacity): all of it, since the
 * capacity the calibration reports already leaves room for the load's peaks.
 */
export const REHEARSAL_TARGET_UTILIZATION = 1;
/** Raise only below this much under the target: a lull in the load's swing is not headroom. */
export const REHEARSAL_RAISE_MARGIN = 0.05;
/** Trim a load this much over the target: the line's later tickets can show up more than those measured. */
export const REHEARSAL_TRIM_MARGIN = 0.05;
/**
 * How far above its mean the admitted shoppers' load peaks in a second: at a few dozen shoppers a
 * second, who shows up and when each notices their turn swing it by a tenth to a fifth, whatever
 * the rate. The capacity the room is given is what the fleet holds with those peaks on top, or
 * every peak is shed.
 */
export const DROP_LOAD_PEAK_SHARE = 0.2;
const STOCK_PER_PRODUCT = 1_000_000;
const CALIBRATION_STEP_MS = 5000;

export async function runDropRehearsal(options: DropRehearsalOptions): Promise<DropRehearsalResult> {
  checkGateCount(options.gates);
  const notify = options.notify ?? ((line: string) => process.stderr.write(`${line}\n`));
  const configPath = resolveConfigPath(options.configPath);
  const config = loadConfig(configPath);
  const outDir = resolve(options.outDir);
  rmSync(join(outDir, 'logs'), { recursive: true, force: true });
  mkdirSync(join(outDir, 'logs'), { recursive: true });
  const notices: string[] = [];
  const supervisor = new ChildSupervisor();
  supervisor.installShutdownHooks(() => false);
  const profile = visitProfile();
  const pass = { seconds: 60, maxSeconds: 180 };
  const metrics = new FleetMetrics();
  let edgeErrors = 0;
  const identityEnv = identityEnvironment(config);
  const machinery = await startDropMachinery({
    configPath,
    redisUrl: options.redisUrl,
    supervisor,
    gates: options.gates,
    outDir,
    stockPerProduct: profile.stockPerProduct,
    recommendationsWork: profile.recommendationsWork,
    identityEnv,
    pass,
    onGateMetrics: (gateId, record) => metrics.ingest(gateId, record),
    onEdgeError: () => (edgeErrors += 1),
    notify,
  });
  const redis = new Redis(machinery.redis.url, { maxRetriesPerRequest: 2, lazyConnect: false });
  try {
    const measured = await measureCapacity({
      machinery,
      config,
      profile,
      seed: options.seed,
      identitySecret: identityEnv[config.identity.secretEnv],
      notify,
    });
    const random = seededRandom(options.seed);
    const plan = planTheDrop(measured.calibration, options.timeScale, random, notify);
    await resetStock(machinery.fleet.members[0]!.operatorUrl, STOCK_PER_PRODUCT);
    const run = await runTheDrop({
      ...measured,
      machinery,
      config,
      plan,
      random,
      redis,
      metrics,
      pass,
      notices,
      notify,
      requestTimeoutMs: profile.requestTimeoutMs,
    });
    if (edgeErrors > 0) notices.push(`the edge function threw ${edgeErrors} time(s) (answered 503)`);
    const report = buildDropReport({
      config,
      gates: options.gates,
      calibration: measured.calibration,
      plan,
      records: run.records,
      room: run.room,
      openedAtMs: run.facts.openedAtMs,
      endedAtMs: run.facts.endedAtMs,
      notices,
      redis: machinery.redis.kind,
    });
    return { report, files: writeDropFiles(outDir, report, run) };
  } finally {
    redis.disconnect();
    await machinery.close();
    await supervisor.close();
  }
}

/** The drop scaled to the measured capacity, announced. */
function planTheDrop(
  calibration: Calibration,
  timeScale: number | undefined,
  random: () => number,
  notify: (line: string) => void,
): DropPlan {
  const plan = planDrop({ capacityRps: calibration.capacityRps, timeScale, requestMs: DROP_DATABASE.queryMs, random });
  notify(
    `saleday rehearse: capacity ${calibration.capacityRps} req/s (${plan.shoppersPerSecond.toFixed(1)} shoppers/s); ${plan.arrivalsMs.length} visitors, peak ${Math.round(plan.peakArrivalsPerSecond)} arrivals/s`,
  );
  return plan;
}

function checkGateCount(gates: number): void {
  if (!Number.isInteger(gates) || gates < 1 || gates > 16)
    throw new TypeError(`--gates: got ${gates}; expected an integer between 1 and 16`);
}

/** report.json, report.html and visitors.json in the output folder; returns the report's two paths. */
function writeDropFiles(
  outDir: string,
  report: DropReport,
  run: { records: VisitorRecord[]; facts: DropFacts },
): DropRehearsalResult['files'] {
  const files = { json: join(outDir, 'report.json'), html: join(outDir, 'report.html') };
  writeFileSync(files.json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(files.html, renderDropReportHtml(report));
  // Every visitor's record, so the checks can be recomputed (and tested) on a recorded run.
  writeFileSync(join(outDir, 'visitors.json'), `${JSON.stringify({ facts: run.facts, records: run.records })}\n`);
  return files;
}

/** The fleet's capacity through the edges (the room still closed), with the requests' factory for the visitors. */
async function measureCapacity(options: {
  machinery: DropMachinery;
  config: SaledayConfig;
  profile: TrafficProfile;
  seed: number;
  identitySecret: string | undefined;
  notify: (line: string) => void;
}) {
  const { machinery, config } = options;
  const productIds = await fetchProductIds(machinery.fleet.members[0]!.storefrontUrl);
  const edgeUrls = machinery.edges.map((e) => e.url);
  options.notify('saleday rehearse: calibrating through the edges: measuring what this fleet serves on this machine…');
  const random = seededRandom(options.seed + 1);
  const factory = new RequestFactory(config, productIds, random, options.identitySecret);
  const calibration = await calibrate({
    gateUrls: edgeUrls,
    config,
    factory,
    profile: options.profile,
    random,
    slaP99Ms: config.sla.p99LatencyMs,
    // A database queue builds and the gates' limits settle over seconds: short steps read a rate they cannot sustain.
    stepMs: CALIBRATION_STEP_MS,
    resolution: 0.1,
    // The shoppers' own mix: the drop's stock is a million units a product, reset before the drop.
    withWrites: true,
    warmUpMs: CALIBRATION_STEP_MS,
    // The room holds the fleet near this capacity for minutes, not seconds: judged at an eighth of the
    // SLA, a step at the edge of where the gates start shedding fails.
    p99BoundMs: config.sla.p99LatencyMs / 8,
    // …and the rate found must then hold for twice as long, with the room's peaks on top of it.
    confirmMs: 2 * CALIBRATION_STEP_MS,
    confirmPeakShare: DROP_LOAD_PEAK_SHARE,
    // One slow step (a collection, the machine's neighbour) would halve the drop; the hold catches luck.
    retryFailedSteps: true,
  });
  if (!(calibration.capacityRps > 0))
    throw new Error(
      'saleday rehearse --scenario drop: the calibration found no rate the fleet served within its bound; nothing to scale the drop to',
    );
  return { calibration, factory, productIds, edgeUrls };
}

/** The drop itself: the room's loop and the crowd, from the pre-queue until everyone has left. */
async function runTheDrop(options: {
  machinery: DropMachinery;
  config: SaledayConfig;
  plan: DropPlan;
  calibration: Calibration;
  factory: RequestFactory;
  productIds: string[];
  edgeUrls: string[];
  random: () => number;
  redis: Redis;
  metrics: FleetMetrics;
  pass: { seconds: number; maxSeconds: number };
  notices: string[];
  notify: (line: string) => void;
  requestTimeoutMs: number;
}): Promise<{ records: VisitorRecord[]; room: RoomSecond[]; facts: DropFacts }> {
  const { plan, config, calibration } = options;
  const startMs = Math.ceil((Date.now() + 500) / 1000) * 1000;
  const now = () => Date.now() - startMs;
  const loopRef: { loop?: RoomLoop } = {};
  const lineAt = () => (loopRef.loop ? admittedBelow(loopRef.loop.current(), Date.now()) : 0);
  const identityCookie = (key: string) => options.factory.identityHeaders(key).cookie ?? '';
  const crowd = new DropCrowd({
    plan,
    edgeUrls: options.edgeUrls,
    productIds: options.productIds,
    identityCookie,
    random: options.random,
    now,
    requestTimeoutMs: options.requestTimeoutMs,
    lineAt,
  });
  const loop = new RoomLoop({
    redis: options.redis,
    saleName: config.saleName,
    stores: options.machinery.edges.map((e) => e.store),
    signingKey: options.machinery.signingKey,
    policy: {
      drops: [{ preQueueFromMs: startMs, atMs: startMs + plan.preQueueMs }],
      initialRatePerSecond: plan.room.initialRatePerSecond,
      dropHoldMs: plan.bots.untilMs - plan.preQueueMs + 5000,
      rate: rehearsalRatePolicy(plan, config),
    },
    pass: options.pass,
    measure: (room) => gatesMeasurement(options.redis, config.saleName, options.metrics, calibration.capacityRps, room),
    startMs,
    tickMs: 250,
    onError: (error) =>
      options.notices.push(`room controller: ${error instanceof Error ? error.message : String(error)}`),
  });
  loopRef.loop = loop;
  await loop.prepare();
  await new Promise((r) => setTimeout(r, Math.max(0, startMs - Date.now())));
  loop.start();
  crowd.start();
  await runUntilSettled(crowd, plan, now, options.notify);
  const endedAtMs = now();
  await crowd.stop();
  await loop.close();
  const history = loop.history();
  for (const r of crowd.records) if (r.place !== undefined) r.lineReachedAtMs = lineReachedAtMs(history, r.place);
  const openedAtMs = loop.current().openedAtMs > 0 ? loop.current().openedAtMs - startMs : plan.preQueueMs;
  return {
    records: crowd.records,
    room: loop.timeline(),
    facts: {
      capacityRps: calibration.capacityRps,
      slaP99Ms: config.sla.p99LatencyMs,
      openedAtMs,
      endedAtMs,
      admissionShowsAfterMs: plan.admissionShowsAfterMs,
    },
  };
}

/** What the gates measured, as the Lambda reads it: their metrics, and the shoppers they served (PFCOUNT). */
async function gatesMeasurement(
  redis: Redis,
  saleName: string,
  metrics: FleetMetrics,
  capacityRps: number,
  room: { state: WaitingRoomState; issuedCount: number },
): Promise<RoomMeasurement | undefined> {
  const nowMs = Date.now();
  const second = Math.floor(nowMs / 1000);
  const [active, openingShowUp] = await Promise.all([
    countActiveShoppers(redis, saleName, nowMs, undefined, REHEARSAL_ACTIVE_WINDOW_MS),
    readOpeningShowUp({ redis, saleName, ...room, nowMs }),
  ]);
  const measured = roomMeasurement(metrics.range(second - MEASUREMENT_MS / 1000, second), capacityRps, active);
  return measured && { ...measured, activeWindowSeconds: REHEARSAL_ACTIVE_WINDOW_MS / 1000, openingShowUp };
}

/**
 * The rate policy of the config's room, at the rehearsal's time scale and scale: spacing between
 * changes divided like the ramp, the step and bounds from the plan (shoppers per second at this
 * machine's capacity), the session an admitted shopper's visit.
 */
export function rehearsalRatePolicy(plan: DropPlan, config: Pick<SaledayConfig, 'sla'>): RatePolicy {
  const room = WaitingRoomSchema.parse({
    enabled: true,
    initialRatePerSecond: plan.room.initialRatePerSecond,
    minRatePerSecond: plan.room.minRatePerSecond,
    maxRatePerSecond: plan.room.maxRatePerSecond,
  });
  return {
    ...ratePolicyFromConfig(room, config.sla.p99LatencyMs),
    sessionSeconds: plan.visitMs / 1000,
    increaseStepPerSecond: plan.room.increaseStepPerSecond,
    increaseSpacingMs: plan.room.spacingMs,
    decreaseSpacingMs: plan.room.spacingMs,
    openingTransientMs: plan.room.openingTransientMs,
    targetUtilization: REHEARSAL_TARGET_UTILIZATION,
    // The load swings by a tenth from one second to the next: a raise needs more headroom than that lull.
    raiseMargin: REHEARSAL_RAISE_MARGIN,
    trimMargin: REHEARSAL_TRIM_MARGIN,
  };
}

/** The visit's request mix, for the calibration (which leaves the writes out). */
function visitProfile(): TrafficProfile {
  const base = defaultProfile();
  return {
    ...base,
    baseline: {
      ...base.baseline,
      mix: { page: 1, 'list-products': 1, 'view-product': 6, 'add-to-cart': 1, checkout: 1 },
    },
  };
}

async function runUntilSettled(
  crowd: DropCrowd,
  plan: DropPlan,
  now: () => number,
  notify: (line: string) => void,
): Promise<void> {
  let lastNote = 0;
  while (now() < plan.maxDurationMs) {
    if (now() > plan.bots.untilMs && crowd.settled()) return;
    await new Promise((r) => setTimeout(r, 500));
    if (now() - lastNote >= 10_000) {
      lastNote = now();
      const admitted = crowd.records.filter((r) => r.kind === 'visitor' && r.admittedAtMs !== undefined).length;
      notify(
        `saleday rehearse: drop ${Math.round(now() / 1000)} s: ${crowd.records.filter((r) => r.kind === 'visitor').length} visitors arrived, ${admitted} admitted, ${crowd.activeShoppers()} shopping`,
      );
    }
  }
}
