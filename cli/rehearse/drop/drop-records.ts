/**
 * What the drop rehearsal records, as plain data: one record per simulated visitor or farmed bot
 * ticket (what the waiting page told it, when it got in, what it bought) and one per second of the
 * room (the controller's schedule). The checks and the chart are pure functions of these.
 */

/** One answer to an admitted shopper's request (page, browse, cart or checkout). */
export interface ShopAnswer {
  /** Milliseconds since the start of the run at which the request was sent. */
  atMs: number;
  latencyMs: number;
  /** HTTP status, undefined for a timeout or a connection error. */
  status?: number;
  /** The gate's `saleday-outcome` header, when it answered. */
  outcome?: string;
  checkout: boolean;
}

export interface VisitorRecord {
  id: number;
  kind: 'visitor' | 'bot';
  /** When it first asked for the shop (ms since the start of the run). */
  arrivedAtMs: number;
  /** Arrived before the opening: in the pre-queue. */
  preQueue: boolean;
  /** Its ticket's number (the gate's counter), once it joined. */
  ticketNumber?: number;
  /**
   * Its place in line, from the waiting page's people-ahead count and where the line stood at that
   * answer: the order in which the room admits (a visitor notices admission only at its next poll).
   */
  place?: number;
  /** The first estimated wait the waiting page gave it (after the pre-queue draw for pre-queue visitors). */
  firstEstimate?: { atMs: number; seconds: number };
  /** When the line reached its place, by the published schedule (the edge admits it from then on). */
  lineReachedAtMs?: number;
  /** When the edge turned its ticket into a pass (the visitor's next poll after the line reached it). */
  admittedAtMs?: number;
  /** When it gave up waiting (it never comes back). */
  abandonedAtMs?: number;
  shop: ShopAnswer[];
  /** What went wrong outside the shop's answers (a join refused, the edge unreachable), in words. */
  problems: string[];
}

/** The room as the controller left it at the end of a second. */
export interface RoomSecond {
  /** Seconds since the start of the run. */
  second: number;
  open: boolean;
  /** Tickets issued so far (the gate's counter). */
  issued: number;
  /** Places below this are admitted. */
  admittedBelow: number;
  ratePerSecond: number;
  /** The rate the waiting page's estimate used (0: still estimating). */
  estimateRatePerSecond?: number;
  /** What the controller read of the gates at its last tick of the second. */
  measured?: {
    servedPerSecond: number;
    utilization: number;
    activeShoppers: number;
    shedShare: number;
    /** The gates' own in-flight requests and adaptive limits (summed over the gates), when measured. */
    gates?: { inFlight: number; concurrencyLimit: number };
  };
  /** The controller's reason when it changed something this second. */
  change?: string;
}

/** What the checks need besides the records. */
export interface DropFacts {
  /** What the fleet served within the calibration bound (requests per second). */
  capacityRps: number;
  slaP99Ms: number;
  /** When the pre-queue ended and admission began (ms since the start of the run). */
  openedAtMs: number;
  /** How long the run lasted (ms). */
  endedAtMs: number;
  /**
   * How long after an admission the fleet's load shows it (a page refresh and a visit): before
   * the opening plus this, no admission rate could have kept the fleet busy. @default 0
   */
  admissionShowsAfterMs?: number;
}

/** Seconds (from the start of the run) during which someone was waiting in line after the opening. */
export function waitingSeconds(records: readonly VisitorRecord[], facts: DropFacts): Set<number> {
  const seconds = new Set<number>();
  for (const r of records) {
    if (r.kind !== 'visitor' || r.ticketNumber === undefined) continue;
    const from = Math.max(r.arrivedAtMs, facts.openedAtMs);
    const until = r.admittedAtMs ?? r.abandonedAtMs ?? facts.endedAtMs;
    for (let s = Math.floor(from / 1000); s < Math.floor(until / 1000); s += 1) seconds.add(s);
  }
  return seconds;
}

/** How many visitors were in line (joined, not yet admitted, not gone) at the end of each second. */
export function waitingBySecond(records: readonly VisitorRecord[], seconds: number): number[] {
  const counts = new Array<number>(seconds).fill(0);
  for (const r of records) {
    if (r.kind !== 'visitor') continue;
    const until = r.admittedAtMs ?? r.abandonedAtMs ?? seconds * 1000;
    for (let s = Math.floor(r.arrivedAtMs / 1000); s < Math.min(seconds, Math.floor(until / 1000)); s += 1)
      counts[s]! += 1;
  }
  return counts;
}

/** Admissions per second (visitors and bots apart). */
export function admissionsBySecond(
  records: readonly VisitorRecord[],
  seconds: number,
  kind: VisitorRecord['kind'],
): number[] {
  const counts = new Array<number>(seconds).fill(0);
  for (const r of records) {
    if (r.kind !== kind || r.admittedAtMs === undefined) continue;
    const s = Math.floor(r.admittedAtMs / 1000);
    if (s < seconds) counts[s]! += 1;
  }
  return counts;
}

/** A state the controller published, from `atMs` (ms since the start of the run) until the next one. */
export interface PublishedState {
  atMs: number;
  open: boolean;
  /** The schedule, in ms since the start of the run: tickets below ticket0 + rate × (t − t0Ms) are admitted. */
  t0Ms: number;
  ticket0: number;
  ratePerSecond: number;
}

/**
 * When the line reached `place` (ms since the start of the run): the moment the edge would first
 * admit that ticket, from the schedule the controller published; undefined if it never did.
 */
export function lineReachedAtMs(history: readonly PublishedState[], place: number): number | undefined {
  for (let i = 0; i < history.length; i += 1) {
    const s = history[i]!;
    const until = history[i + 1]?.atMs ?? Infinity;
    if (!s.open) continue;
    if (s.ticket0 > place) return s.atMs;
    if (!(s.ratePerSecond > 0)) continue;
    const at = s.t0Ms + Math.ceil(((place + 1 - s.ticket0) * 1000) / s.ratePerSecond);
    if (at < until) return Math.max(at, s.atMs);
  }
  return undefined;
}
