/**
 * Speculative reads: on a route whose rate limit says `speculative: true`, a read (GET or HEAD
 * without a body) goes to the app while its rate-limit decision is at Redis, not after it.
 *
 * Why: a decision waits for a round trip to Redis (and, gathered behind the batch in flight, up to
 * two), and a gate that waits for it before proxying adds that to every read and holds its requests
 * back meanwhile. What it buys is latency with Redis a hop away (`bench speculative-read-latency`;
 * docs/decisions/002-speculative-reads.md).
 *
 * What a client sees is unchanged: its answer waits for the decision, and a refused read gets its
 * 429 while the app's answer is dropped unread. Limits stay exact. What changes is the app's work: a
 * read Redis refuses may already have reached it. This class bounds that waste:
 * - a key refused in the last `suspectMs` is a suspect, and its reads wait for their decision, so a
 *   client over its limit (a bot, in practice) costs the app at most one wasted read per gate per
 *   `suspectMs`, not one per request;
 * - while `maxSuspects` keys are suspects at once (many refused clients: an attack), nothing is
 *   speculative until they age out.
 * The gate adds its own conditions: only when a concurrency slot is free at once (a speculative read
 * never waits in a queue, so it only ever uses spare capacity) and while every breaker of the
 * route's dependencies is closed.
 */
import type { Clock } from '../../guard/clock';

export interface SpeculativeReadsOptions {
  /** How long a refused key waits for its decisions before reading. @default 60_000 */
  suspectMs?: number;
  /** Above this many suspect keys nothing is speculative. @default 100_000 */
  maxSuspects?: number;
}

export class SpeculativeReads {
  private readonly suspectMs: number;
  private readonly maxSuspects: number;
  /** Suspect key → when it stops being one. */
  private readonly suspects = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    options: SpeculativeReadsOptions = {},
  ) {
    this.suspectMs = options.suspectMs ?? 60_000;
    this.maxSuspects = options.maxSuspects ?? 100_000;
  }

  /** Whether a request of `method` from `key` may reach the app before its decision. */
  allows(method: string | undefined, hasBody: boolean, key: string): boolean {
    if ((method !== 'GET' && method !== 'HEAD') || hasBody) return false;
    if (this.suspects.size === 0) return true;
    const nowMs = this.clock.now();
    if (this.suspects.size >= this.maxSuspects) {
      this.sweep(nowMs); // stops at the first live suspect: cheap when nothing expired
      if (this.suspects.size >= this.maxSuspects) return false;
    }
    const until = this.suspects.get(key);
    if (until === undefined) return true;
    if (nowMs < until) return false;
    this.suspects.delete(key);
    return true;
  }

  /** The key was refused: its reads wait for their decisions for the next `suspectMs`, or until it may retry if later. */
  refused(key: string, retryAfterMs = 0): void {
    const nowMs = this.clock.now();
    if (!this.suspects.has(key) && this.suspects.size >= this.maxSuspects) {
      this.sweep(nowMs);
      // Still full: the oldest suspect makes room (memory stays bounded; speculation stays off while full).
      if (this.suspects.size >= this.maxSuspects) this.suspects.delete(this.suspects.keys().next().value as string);
    }
    // Re-inserting moves the key to the end of the Map's order, which the sweep relies on.
    this.suspects.delete(key);
    this.suspects.set(key, nowMs + Math.max(this.suspectMs, retryAfterMs));
  }

  get suspectCount(): number {
    return this.suspects.size;
  }

  /**
   * Drops the suspects whose time is over, oldest first, up to the first live one: insertion order
   * is expiry order except for the rare refusal whose retry time outlasts `suspectMs`, which only
   * delays the sweep of the keys behind it.
   */
  private sweep(nowMs: number): void {
    for (const [key, until] of this.suspects) {
      if (until > nowMs) return;
      this.suspects.delete(key);
    }
  }
}
