/**
 * The drop scenario's numbers, derived from the fleet's measured capacity so every machine rehearses
 * the same story at its own scale: a pre-queue, then arrivals jumping to 100× what the fleet serves
 * (in shoppers per second) within 10 s of sale time, a tail of late arrivals, half of the waiting
 * visitors giving up, and bots farming tickets from a few addresses.
 *
 * Time is compressed by `timeScale`: the 10 s ramp and the controller's 10 s spacing between rate
 * changes last 10 / timeScale seconds, so the whole drop runs in two to three minutes.
 */

export interface DropPlanInput {
  /** What the fleet served within the calibration bound (requests per second). */
  capacityRps: number;
  /** @default DEFAULT_DROP_TIME_SCALE */
  timeScale?: number;
  /** How long the fleet takes to answer a request when it is not overloaded (ms). @default 0 */
  requestMs?: number;
  random: () => number;
}

export interface DropPlan {
  capacityRps: number;
  timeScale: number;
  /** Requests an admitted shopper makes: the page, browsing, the cart and the checkout. */
  requestsPerVisit: number;
  /** Pause between an admitted shopper's requests (ms). */
  thinkMs: number;
  /** How long an admitted shopper's visit lasts: its requests and the pauses between them (ms). */
  visitMs: number;
  /** How long after an admission the fleet's load shows it: a page refresh and a visit (ms). */
  admissionShowsAfterMs: number;
  /** Admitted shoppers per second the fleet serves at capacity. */
  shoppersPerSecond: number;
  /** The pre-queue lasts from the start of the run until `preQueueMs`, the opening. */
  preQueueMs: number;
  /** Arrival times (ms since the start of the run), sorted; those before preQueueMs are in the pre-queue. */
  arrivalsMs: number[];
  peakArrivalsPerSecond: number;
  rampMs: number;
  /** Share of waiting visitors who give up. */
  abandonShare: number;
  /** How long one of them waits before giving up (ms, uniformly between the two). */
  patienceMs: { min: number; max: number };
  bots: { addresses: number; joinsPerSecondPerAddress: number; fromMs: number; untilMs: number };
  room: {
    initialRatePerSecond: number;
    minRatePerSecond: number;
    maxRatePerSecond: number;
    increaseStepPerSecond: number;
    spacingMs: number;
    /** How much longer the first measurement after the opening waits (RatePolicy.openingTransientMs). */
    openingTransientMs: number;
    passSeconds: number;
    passMaxSeconds: number;
  };
  /** The run stops here even if people still wait. */
  maxDurationMs: number;
}

export const ARRIVAL_PEAK_MULTIPLE = 100;
/** A 10 s ramp lasts 2 s: shorter, and one machine spends the surge's joins stalling its own shoppers. */
export const DEFAULT_DROP_TIME_SCALE = 5;
const REQUESTS_PER_VISIT = 10;
const THINK_MS = 150;
const PRE_QUEUE_MS = 20_000;
/**
 * How many seconds of admission at capacity the drop's arrivals add up to: a line of several
 * minutes of sale time, long enough that the room's steady work, not its first seconds, is judged.
 */
const SURGE_QUEUE_SECONDS = 90;
const TAIL_MS = 30_000;
const TAIL_SHARE_OF_CAPACITY = 0.4;
const MIN_PRE_QUEUE = 300;
/** The waiting page's shortest refresh: an admission shows in the fleet's load at most this much later. */
const PAGE_REFRESH_MS = 2000;
/**
 * The controller reads the gates' metrics over this many last complete seconds: at a few dozen
 * shoppers a second the fleet's load swings by a tenth from one second to the next, and a shorter
 * window raised the rate on a dip.
 */
export const MEASUREMENT_MS = 5000;
const ABANDON_SHARE = 0.5;
/**
 * Those who give up mostly do so soon after they see the wait: ten seconds to a minute of sale
 * time. A patience of minutes would leave the admitted tickets' show-up falling for the whole drop.
 */
const PATIENCE_SALE_MS = { min: 10_000, max: 60_000 };

export function planDrop(input: DropPlanInput): DropPlan {
  if (!(input.capacityRps > 0))
    throw new RangeError(`drop plan: capacityRps: got ${input.capacityRps}; expected requests per second above 0`);
  const timeScale = input.timeScale ?? DEFAULT_DROP_TIME_SCALE;
  if (!(timeScale >= 1)) throw new RangeError(`drop plan: timeScale: got ${timeScale}; expected a number ≥ 1`);
  const shoppersPerSecond = input.capacityRps / REQUESTS_PER_VISIT;
  const requestMs = input.requestMs ?? 0;
  if (!(requestMs >= 0))
    throw new RangeError(`drop plan: requestMs: got ${requestMs}; expected 0 or more milliseconds`);
  const visitMs = REQUESTS_PER_VISIT * (THINK_MS + requestMs);
  const peak = ARRIVAL_PEAK_MULTIPLE * shoppersPerSecond;
  const rampMs = 10_000 / timeScale;
  const preQueueCount = Math.max(MIN_PRE_QUEUE, Math.round(shoppersPerSecond * 15));
  const arrivalsMs: number[] = [];
  for (let i = 0; i < preQueueCount; i += 1) arrivalsMs.push(1000 + input.random() * (PRE_QUEUE_MS - 2000));
  // The surge: the rate climbs linearly to the peak over the ramp, then decays until the surge's share is in.
  const surgeCount = Math.round(shoppersPerSecond * SURGE_QUEUE_SECONDS);
  const rampCount = Math.min(surgeCount, Math.round((peak * rampMs) / 2000));
  for (let i = 0; i < rampCount; i += 1) arrivalsMs.push(PRE_QUEUE_MS + rampMs * Math.sqrt(input.random()));
  const decayMs = Math.max(200, ((surgeCount - rampCount) / peak) * 1000);
  for (let i = rampCount; i < surgeCount; i += 1)
    arrivalsMs.push(PRE_QUEUE_MS + rampMs - decayMs * Math.log(1 - input.random() * 0.99));
  const tailCount = Math.round((shoppersPerSecond * TAIL_SHARE_OF_CAPACITY * TAIL_MS) / 1000);
  for (let i = 0; i < tailCount; i += 1) arrivalsMs.push(PRE_QUEUE_MS + rampMs + input.random() * TAIL_MS);
  arrivalsMs.sort((a, b) => a - b);
  const rate = (share: number) => Math.max(0.05, Math.round(shoppersPerSecond * share * 100) / 100);
  return {
    capacityRps: input.capacityRps,
    timeScale,
    requestsPerVisit: REQUESTS_PER_VISIT,
    thinkMs: THINK_MS,
    visitMs,
    admissionShowsAfterMs: PAGE_REFRESH_MS + visitMs,
    shoppersPerSecond,
    preQueueMs: PRE_QUEUE_MS,
    arrivalsMs,
    peakArrivalsPerSecond: peak,
    rampMs,
    abandonShare: ABANDON_SHARE,
    patienceMs: { min: PATIENCE_SALE_MS.min / timeScale, max: PATIENCE_SALE_MS.max / timeScale },
    bots: { addresses: 3, joinsPerSecondPerAddress: 10, fromMs: 2000, untilMs: PRE_QUEUE_MS + rampMs + TAIL_MS },
    room: {
      // The opening rate is what the fleet serves if every admitted ticket shows up: nothing about
      // the crowd is measurable before the opening, and this guess cannot overload the fleet.
      // Seconds later the controller divides it by the share of tickets used (abandonment makes it
      // higher); the page says it is estimating until the line is measured.
      initialRatePerSecond: rate(1),
      minRatePerSecond: rate(0.1),
      maxRatePerSecond: rate(4),
      increaseStepPerSecond: rate(0.1),
      // A change shows in the measurement after a page refresh, a visit and a measurement window:
      // judged sooner, the controller would act on the last change twice.
      spacingMs: Math.max(10_000 / timeScale, PAGE_REFRESH_MS + visitMs + MEASUREMENT_MS),
      // The pre-queue's pages come back at the opening and refresh in step, so the first refresh's
      // admissions start their visits together; a refresh later they are out of the window.
      openingTransientMs: PAGE_REFRESH_MS,
      passSeconds: 60,
      passMaxSeconds: 180,
    },
    maxDurationMs: 170_000,
  };
}

/** Arrivals per second of the run, for the report. */
export function arrivalsBySecond(arrivalsMs: readonly number[], seconds: number): number[] {
  const counts = new Array<number>(seconds).fill(0);
  for (const t of arrivalsMs) {
    const s = Math.floor(t / 1000);
    if (s < seconds) counts[s]! += 1;
  }
  return counts;
}
