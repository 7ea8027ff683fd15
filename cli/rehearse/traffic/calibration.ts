/**
 * The rehearsal's calibration: a few seconds of open-loop traffic, doubling each second, through
 * every gate of the local fleet, until the p99 leaves a healthy bound or errors appear. What the
 * fleet served there is this machine's capacity, and the traffic profile is scaled to it (see
 * calibratedProfile), so a laptop and a busy 2-core box both rehearse a sale that overwhelms
 * *their* fleet the same way, and neither measures its own generator instead of the shop.
 *
 * The requests are the profile's shopper mix without its writes (no cart, no checkout: the stock is
 * the sale's), from user keys of their own so no rate limit of the sale is touched.
 */
import { performance } from 'node:perf_hooks';
import { searchCapacity, type StepMetrics } from '../../loadtest/capacity-search';
import { confirmCapacity, retryingFailedSteps } from '../../loadtest/capacity-confirmation';
import { OpenLoopGenerator, type StepMeasurement } from '../../loadtest/open-loop-generator';
import { compileRouteTable } from '../../../gate/proxy/route-table';
import type { SaledayConfig } from '../../../contracts/config/schema';
import type { RequestFactory } from './request-factory';
import { SHOPPER_ACTIONS, cumulativeMix, pickAction, type ShopperAction, type TrafficProfile } from './traffic-profile';

export interface CalibrationStep {
  rate: number;
  p99: number;
  errorRate: number;
  pass: boolean;
}

export interface Calibration {
  /** Requests per second the whole local fleet served within the bound. */
  capacityRps: number;
  gates: number;
  /** The bound a step had to meet. */
  bound: { p99Ms: number; errorRate: number };
  steps: CalibrationStep[];
  durationMs: number;
  /** True when even the highest rate tried passed: the capacity is at least this. */
  atLeast: boolean;
}

export interface CalibrationOptions {
  gateUrls: readonly string[];
  /** The sale's routes, for the per-key rate limits a bot flood must exceed. */
  config: Pick<SaledayConfig, 'routes'>;
  factory: RequestFactory;
  profile: TrafficProfile;
  random: () => number;
  slaP99Ms: number;
  /** @default 1000 */
  stepMs?: number;
  /** First rate, per gate. @default 20 */
  startRatePerGate?: number;
  /** @default 8 */
  maxSteps?: number;
  /** How close the last passing and first failing rates must get, as a share. @default 0.25 */
  resolution?: number;
  /**
   * Include the mix's carts and checkouts, for a rehearsal whose stock is plentiful and reset after
   * (a write holds the shop longer than a read, so a read-only calibration reads high). @default false
   */
  withWrites?: boolean;
  /**
   * Traffic at the first rate before the search, not judged: a fleet's first second of work pays
   * for compiling and connecting, and a first step judged on it can read the capacity at half. @default 0
   */
  warmUpMs?: number;
  /** The p99 a healthy step stays within. @default calibrationBound(slaP99Ms).p99Ms */
  p99BoundMs?: number;
  /**
   * Hold the found capacity this long before trusting it, stepping down while it fails (see
   * confirmCapacity): for a rehearsal that holds the fleet near its capacity for minutes. @default 0
   */
  confirmMs?: number;
  /** How far above its mean the rehearsal's load peaks: the confirmation holds the peaks (see confirmCapacity). @default 0 */
  confirmPeakShare?: number;
  /** A failing search step runs once more and fails only if it fails again (see retryingFailedSteps). @default false */
  retryFailedSteps?: boolean;
}

/** A step is healthy while its p99 stays within a quarter of the SLA (the room a sale needs) and nearly nothing fails. */
export function calibrationBound(slaP99Ms: number): { p99Ms: number; errorRate: number } {
  return { p99Ms: Math.max(50, Math.round(slaP99Ms / 4)), errorRate: 0.01 };
}

export async function calibrate(options: CalibrationOptions): Promise<Calibration> {
  const started = performance.now();
  const gates = options.gateUrls.length;
  const bound = { ...calibrationBound(options.slaP99Ms), ...(options.p99BoundMs ? { p99Ms: options.p99BoundMs } : {}) };
  const generators = options.gateUrls.map((url) => new OpenLoopGenerator({ url, connections: 64, timeoutMs: 5000 }));
  const writes = new Set(options.withWrites ? [] : ['add-to-cart', 'checkout']);
  const readMix = cumulativeMix(
    Object.fromEntries(Object.entries(options.profile.baseline.mix).filter(([action]) => !writes.has(action))),
  );
  const request = () => {
    const user = `calibration-${Math.floor(options.random() * options.profile.baseline.users)}`;
    const planned = options.factory.build(pickAction(readMix, options.random()), user);
    return { path: planned.path, method: planned.method, headers: planned.headers, body: planned.body };
  };
  const stepMs = options.stepMs ?? 1000;
  const startRate = (options.startRatePerGate ?? 20) * gates;
  try {
    const runStep = async (rate: number, durationMs = stepMs): Promise<StepMetrics> => {
      const measured = await Promise.all(
        generators.map((g) =>
          g.runStep({
            rate: rate / gates,
            durationMs,
            request,
            maxOutstanding: Math.max(50, Math.ceil(rate / gates)),
          }),
        ),
      );
      return mergeSteps(rate, measured);
    };
    if (options.warmUpMs) await runStep(startRate, options.warmUpMs);
    const sla = { p99LatencyMs: bound.p99Ms, errorRate: bound.errorRate };
    const result = await searchCapacity({
      startRate,
      maxRate: startRate * 2 ** 10,
      growthFactor: 2,
      resolution: options.resolution ?? 0.25,
      maxSteps: options.maxSteps ?? 8,
      sla,
      runStep: options.retryFailedSteps ? retryingFailedSteps(runStep, sla) : runStep,
    });
    const confirmMs = options.confirmMs ?? 0;
    const confirmation =
      confirmMs > 0 && result.capacityRps > 0 && result.steps.some((s) => !s.pass)
        ? await confirmCapacity({
            capacityRps: result.capacityRps,
            sla,
            runStep: (rate) => runStep(rate, confirmMs),
            peakShare: options.confirmPeakShare,
          })
        : undefined;
    const steps = [...result.steps, ...(confirmation?.steps ?? [])].map((s) => ({
      rate: s.rate,
      p99: Math.round(s.p99),
      errorRate: s.errorRate,
      pass: s.pass,
    }));
    const atLeast = steps.length > 0 && steps.every((s) => s.pass);
    return {
      capacityRps: confirmation?.capacityRps ?? result.capacityRps,
      gates,
      bound,
      steps,
      durationMs: Math.round(performance.now() - started),
      atLeast,
    };
  } finally {
    await Promise.all(generators.map((g) => g.close()));
  }
}

/** One step over several gates: counts add up, the p99 is the worst gate's (a fleet is as slow as its slowest member). */
function mergeSteps(rate: number, steps: readonly StepMeasurement[]): StepMetrics {
  const scheduled = steps.reduce((sum, s) => sum + s.scheduled, 0);
  const errors = steps.reduce((sum, s) => sum + s.errors, 0);
  const worst = (key: 'p50' | 'p90' | 'p99' | 'max') => Math.max(0, ...steps.map((s) => s[key]));
  return {
    rate,
    achievedRps: steps.reduce((sum, s) => sum + s.achievedRps, 0),
    errorRate: scheduled > 0 ? errors / scheduled : 0,
    p50: worst('p50'),
    p90: worst('p90'),
    p99: worst('p99'),
    max: worst('max'),
  };
}

/** Before the sale the shop runs at this share of its capacity; the surge multiplies it. */
export const BASELINE_CAPACITY_SHARE = 0.25;
/** A bot flood sends at most this many times the capacity (mostly refused cheaply by the gate)… */
export const BOT_FLOOD_CAPACITY_MULTIPLE = 3;
/** …and at least this many requests per second from each of its keys… */
export const BOT_FLOOD_MIN_PER_KEY = 100;
/** …and on each route it hits, at least this many times the route's per-key rate limit: a flood, refused ≥ 90%. */
export const BOT_FLOOD_OVER_LIMIT = 10;

/** Sustained requests per second one key may send to the route of each action (no entry: no per-key rate limit). */
export type PerKeyRateLimits = Partial<Record<ShopperAction, number>>;

export function perKeyRateLimits(config: Pick<SaledayConfig, 'routes'>, factory: RequestFactory): PerKeyRateLimits {
  const table = compileRouteTable(config.routes);
  const limits: PerKeyRateLimits = {};
  for (const action of SHOPPER_ACTIONS) {
    const request = factory.build(action, 'rate-limit-probe');
    const policy = table.match(request.method, request.path.split('?')[0]!)?.route.rateLimit;
    if (policy?.algorithm === 'token-bucket') limits[action] = policy.refillPerSecond;
    else if (policy?.algorithm === 'gcra') limits[action] = policy.ratePerSecond;
  }
  return limits;
}

/** Requests per second one key must send for every rate-limited route of its mix to see 10× its limit. */
function floodPerKey(mix: Partial<Record<ShopperAction, number>>, limits: PerKeyRateLimits): number {
  const total = Object.values(mix).reduce((sum: number, w) => sum + (w ?? 0), 0);
  let needed = BOT_FLOOD_MIN_PER_KEY;
  for (const [action, weight] of Object.entries(mix) as [ShopperAction, number | undefined][]) {
    const limit = limits[action];
    if (limit === undefined || !weight || total <= 0) continue;
    needed = Math.max(needed, (BOT_FLOOD_OVER_LIMIT * limit) / (weight / total));
  }
  return needed;
}

export interface ScaledProfile {
  profile: TrafficProfile;
  /** The calibrated baseline: shoppers' requests per second before the surge. */
  baseRps: number;
  /** The surge's peak and each bot flood, in requests per second. */
  peakRps: number;
  botFloodRps: number[];
}

/**
 * The profile at this machine's scale: the baseline at a quarter of the measured capacity, the
 * surge as the profile's multiple of it (10× by default: 2.5× what the fleet can serve), and each
 * bot flood at the profile's own ratio to the baseline, at most 3× the capacity but at least what
 * keeps each bot key at 10× the per-key rate limit of every route its mix hits (and 100 req/s per
 * key): a flood must stay far over the limits, or the gate rightly serves part of it.
 * (Refused 429s are cheap for the gate; the capacity measured served requests.)
 */
export function calibratedProfile(
  profile: TrafficProfile,
  capacityRps: number,
  limits: PerKeyRateLimits = {},
): ScaledProfile {
  if (!(capacityRps > 0))
    throw new RangeError(`calibratedProfile: capacityRps: got ${capacityRps}; expected requests per second above 0`);
  const baseRps = Math.max(1, round1(capacityRps * BASELINE_CAPACITY_SHARE));
  const factor = baseRps / profile.baseline.requestsPerSecond;
  const phases = profile.phases.map((phase) =>
    phase.kind === 'bot-flood'
      ? {
          ...phase,
          requestsPerSecond: botFloodRate(
            phase.requestsPerSecond,
            phase.keys * floodPerKey(phase.mix, limits),
            factor,
            capacityRps,
          ),
        }
      : phase,
  );
  const peak = Math.max(1, ...profile.phases.map((p) => (p.kind === 'surge' ? p.peakMultiplier : 1)));
  return {
    profile: { ...profile, baseline: { ...profile.baseline, requestsPerSecond: baseRps }, phases },
    baseRps,
    peakRps: round1(baseRps * peak),
    botFloodRps: phases.flatMap((p) => (p.kind === 'bot-flood' ? [p.requestsPerSecond] : [])),
  };
}

/** One line for the terminal and the report. */
export function describeCalibration(calibration: Calibration, scaled: ScaledProfile | undefined): string {
  const measured = `${calibration.atLeast ? 'at least ' : ''}${calibration.capacityRps} req/s over ${calibration.gates} pair(s) (p99 ≤ ${calibration.bound.p99Ms} ms, errors ≤ ${calibration.bound.errorRate * 100}%) in ${(calibration.durationMs / 1000).toFixed(1)} s`;
  if (!scaled) return `calibration: ${measured}; nothing passed, the profile's own rates are used`;
  const bots = scaled.botFloodRps.length > 0 ? `, bot flood ${scaled.botFloodRps.join(' / ')} req/s` : '';
  return `calibration: ${measured}; base rate ${scaled.baseRps} req/s, surge peak ${scaled.peakRps} req/s${bots}`;
}

/** The profile's flood at the baseline's scale, at most 3× capacity, at least `floor` (a flood), never above what the profile wrote. */
function botFloodRate(profileRps: number, floor: number, factor: number, capacityRps: number): number {
  const scaled = Math.min(profileRps * factor, capacityRps * BOT_FLOOD_CAPACITY_MULTIPLE);
  return round1(Math.min(profileRps, Math.max(scaled, floor)));
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

/** What the report keeps of the calibration. */
export interface CalibrationReport extends Calibration {
  baseRps: number | null;
  peakRps: number | null;
  botFloodRps: number[];
  summary: string;
}

/** Calibrates the running fleet and returns the profile scaled to it (the profile as it was when nothing passed). */
export async function calibrateProfile(
  options: CalibrationOptions,
): Promise<{ profile: TrafficProfile; report: CalibrationReport }> {
  const measured = await calibrate(options);
  const scaled =
    measured.capacityRps > 0
      ? calibratedProfile(options.profile, measured.capacityRps, perKeyRateLimits(options.config, options.factory))
      : undefined;
  return {
    profile: scaled?.profile ?? options.profile,
    report: {
      ...measured,
      baseRps: scaled?.baseRps ?? null,
      peakRps: scaled?.peakRps ?? null,
      botFloodRps: scaled?.botFloodRps ?? [],
      summary: describeCalibration(measured, scaled),
    },
  };
}
