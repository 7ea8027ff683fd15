/**
 * Keys Redis just refused, answered locally until their retry time so a bot hammering one key costs
 * a Map lookup instead of a round trip. It stays exact: an entry says "no request of at least
 * `cost` units can pass before `untilMs`", which stays true whatever other processes do (they can
 * only take tokens, never add them), and `untilMs` is measured from when the reply arrived, after
 * the server decided. Smaller requests than the refused one still go to Redis.
 */
import type { Clock } from '../clock';
import { ceilMs } from './token-bucket';

interface Refusal {
  untilMs: number;
  resetUntilMs: number;
  cost: number;
}

export class OverLimitCache {
  private readonly refusals = new Map<string, Refusal>();

  constructor(
    private readonly clock: Clock,
    private readonly maxKeys: number,
  ) {}

  get size(): number {
    return this.refusals.size;
  }

  /** The refusal's remaining retry time in ms when `key` at `cost` is known refused, else 0. */
  retryAfterMs(key: string, cost: number, nowMs: number): number {
    const refusal = this.refusals.get(key);
    if (refusal === undefined) return 0;
    if (nowMs >= refusal.untilMs) {
      this.refusals.delete(key);
      return 0;
    }
    return cost >= refusal.cost ? ceilMs(refusal.untilMs - nowMs) : 0;
  }

  /** resetAfterMs to report alongside a cached refusal. */
  resetAfterMs(key: string, nowMs: number): number {
    const refusal = this.refusals.get(key);
    return refusal === undefined ? 0 : Math.max(0, ceilMs(refusal.resetUntilMs - nowMs));
  }

  remember(key: string, cost: number, retryAfterMs: number, resetAfterMs: number): void {
    if (retryAfterMs <= 0) return;
    const nowMs = this.clock.now();
    const untilMs = nowMs + retryAfterMs;
    const existing = this.refusals.get(key);
    // Keep the broader statement (smaller cost, later time); either is true, only one fits.
    if (existing !== undefined && existing.cost <= cost && existing.untilMs >= untilMs) return;
    if (existing === undefined && this.refusals.size >= this.maxKeys) {
      this.sweep();
      if (this.refusals.size >= this.maxKeys) return;
    }
    this.refusals.set(key, { untilMs, resetUntilMs: nowMs + resetAfterMs, cost });
  }

  sweep(): void {
    const nowMs = this.clock.now();
    for (const [key, refusal] of this.refusals) if (refusal.untilMs <= nowMs) this.refusals.delete(key);
  }

  clear(): void {
    this.refusals.clear();
  }
}
