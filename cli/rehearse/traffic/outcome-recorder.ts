/**
 * What the traffic generator saw, from the client's side: per second of the run (by intended send
 * time), per priority class and per actor (shopper or bot), how many requests were sent and what
 * came back (the gate's `saleday-outcome` header, or timeout / connection error / dropped), plus
 * HDR latency histograms per class (whole run and per second) and the checkout ledger the oversell
 * check compares with the shop's own numbers.
 */
import * as hdr from 'hdr-histogram-js';
import type { GateOutcome } from '../../../contracts/metrics/gate-metrics';
import { PRIORITY_CLASSES, type PriorityClass } from '../../../contracts/config/schema';

export type Actor = 'shopper' | 'bot';
/** The gate's outcomes, plus what only the client can see. */
export type ClientOutcome = GateOutcome | 'unlabelled' | 'timeout' | 'error' | 'dropped';
export const CLIENT_OUTCOMES: readonly ClientOutcome[] = [
  'served',
  'fallback',
  'degraded',
  'shed',
  'limited',
  'short-circuited',
  'upstream-error',
  'bad-request',
  'unlabelled',
  'timeout',
  'error',
  'dropped',
];

export interface Tally {
  sent: number;
  outcomes: Partial<Record<ClientOutcome, number>>;
  /** HTTP status → count ('none' for timeouts, errors and drops). */
  statuses: Record<string, number>;
}

export interface CheckoutTally {
  /** Shopper checkouts sent. */
  attempts: number;
  /** Answered 201 (bought) or 409 sold-out: the shop gave a correct answer (another 409, e.g. an expired reservation, is a failure). */
  succeeded: number;
  bought: number;
  soldOut: number;
  /** Shoppers refused by a rate limit (429): counted as failures, a person was turned away. */
  limited: number;
  /** 5xx, timeouts and connection errors. */
  failed: number;
}

export interface SecondTally {
  classes: Record<PriorityClass, Record<Actor, Tally>>;
  checkout: CheckoutTally;
}

export interface ResponseObservation {
  actor: Actor;
  priorityClass: PriorityClass;
  /** Milliseconds since the start of the run at which the request was meant to be sent. */
  intendedAtMs: number;
  /** From the intended send time to the end of the response (open loop: includes any delay in sending). */
  latencyMs: number;
  /** undefined for timeouts, connection errors and drops. */
  status?: number;
  outcome: ClientOutcome;
  /** For checkouts: units in the request, to tally units bought. */
  checkoutQuantity?: number;
  /** For a checkout answered 409: the shop's error name (`sold-out` is the only correct one). */
  checkoutError?: string;
}

const HISTOGRAM_OPTIONS = {
  lowestDiscernibleValue: 1,
  highestTrackableValue: 600_000,
  numberOfSignificantValueDigits: 2,
} as const;

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

export function emptyTally(): Tally {
  return { sent: 0, outcomes: {}, statuses: {} };
}

export function emptySecond(): SecondTally {
  const classes = {} as Record<PriorityClass, Record<Actor, Tally>>;
  for (const c of PRIORITY_CLASSES) classes[c] = { shopper: emptyTally(), bot: emptyTally() };
  return { classes, checkout: { attempts: 0, succeeded: 0, bought: 0, soldOut: 0, limited: 0, failed: 0 } };
}

export class OutcomeRecorder {
  private readonly seconds: SecondTally[] = [];
  /** Shopper latency per class over the whole run, and per second. */
  private readonly classHistograms = new Map<PriorityClass, hdr.Histogram>();
  private readonly secondHistograms = new Map<string, hdr.Histogram>();
  private readonly checkoutHistogram = hdr.build(HISTOGRAM_OPTIONS);
  private readonly checkoutSecondHistograms = new Map<number, hdr.Histogram>();
  private unitsBought = 0;

  record(observation: ResponseObservation, isCheckout: boolean): void {
    const second = this.at(Math.floor(observation.intendedAtMs / 1000));
    const tally = second.classes[observation.priorityClass][observation.actor];
    tally.sent += 1;
    tally.outcomes[observation.outcome] = (tally.outcomes[observation.outcome] ?? 0) + 1;
    const statusKey = observation.status === undefined ? 'none' : String(observation.status);
    tally.statuses[statusKey] = (tally.statuses[statusKey] ?? 0) + 1;

    if (observation.outcome === 'dropped') return; // never sent: no latency to speak of
    const latency = Math.max(1, Math.round(observation.latencyMs));
    if (observation.status === 201 && isCheckout) this.unitsBought += observation.checkoutQuantity ?? 1;
    if (observation.actor !== 'shopper') return;
    this.histogram(this.classHistograms, observation.priorityClass).recordValue(latency);
    this.histogram(
      this.secondHistograms,
      `${Math.floor(observation.intendedAtMs / 1000)}|${observation.priorityClass}`,
    ).recordValue(latency);
    if (!isCheckout) return;
    this.checkoutHistogram.recordValue(latency);
    this.histogram(this.checkoutSecondHistograms, Math.floor(observation.intendedAtMs / 1000)).recordValue(latency);
    const checkout = second.checkout;
    checkout.attempts += 1;
    const soldOut =
      observation.status === 409 &&
      (observation.checkoutError === undefined || observation.checkoutError === 'sold-out');
    if (observation.status === 201 || soldOut) {
      checkout.succeeded += 1;
      if (observation.status === 201) checkout.bought += 1;
      else checkout.soldOut += 1;
    } else if (observation.status === 429) checkout.limited += 1;
    else checkout.failed += 1;
  }

  /** Per-second tallies from second 0 to the last second with traffic. */
  timeline(): SecondTally[] {
    return Array.from({ length: this.seconds.length }, (_, i) => this.seconds[i] ?? emptySecond());
  }

  classLatency(priorityClass: PriorityClass): LatencySummary {
    return summarize(this.classHistograms.get(priorityClass));
  }

  secondLatency(second: number, priorityClass: PriorityClass): LatencySummary {
    return summarize(this.secondHistograms.get(`${second}|${priorityClass}`));
  }

  checkoutLatency(): LatencySummary {
    return summarize(this.checkoutHistogram);
  }

  /** Shopper checkout latency over the seconds `include` keeps (the run without its troubled seconds). */
  checkoutLatencyWhere(include: (second: number) => boolean): LatencySummary {
    const merged = hdr.build(HISTOGRAM_OPTIONS);
    for (const [second, histogram] of this.checkoutSecondHistograms) if (include(second)) merged.add(histogram);
    const summary = summarize(merged);
    merged.destroy();
    return summary;
  }

  /** Units the clients were told they bought (201 answers). */
  unitsBoughtByClients(): number {
    return this.unitsBought;
  }

  close(): void {
    for (const h of [
      ...this.classHistograms.values(),
      ...this.secondHistograms.values(),
      ...this.checkoutSecondHistograms.values(),
      this.checkoutHistogram,
    ])
      h.destroy();
    this.checkoutSecondHistograms.clear();
    this.classHistograms.clear();
    this.secondHistograms.clear();
  }

  private at(second: number): SecondTally {
    for (let i = this.seconds.length; i <= second; i += 1) this.seconds[i] = emptySecond();
    return this.seconds[second]!;
  }

  private histogram<K>(map: Map<K, hdr.Histogram>, key: K): hdr.Histogram {
    let histogram = map.get(key);
    if (!histogram) {
      histogram = hdr.build(HISTOGRAM_OPTIONS);
      map.set(key, histogram);
    }
    return histogram;
  }
}

function summarize(histogram: hdr.Histogram | undefined): LatencySummary {
  if (!histogram || histogram.totalCount === 0) return { count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
  return {
    count: histogram.totalCount,
    p50: histogram.getValueAtPercentile(50),
    p90: histogram.getValueAtPercentile(90),
    p99: histogram.getValueAtPercentile(99),
    p999: histogram.getValueAtPercentile(99.9),
    max: histogram.maxValue,
  };
}
