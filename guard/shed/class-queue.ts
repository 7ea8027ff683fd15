/**
 * One priority class's queue of waiting requests and its CoDel state (the rules are described in
 * admission-controller.ts): FIFO with a `maxWaitMs` timeout, or, while standing, LIFO with the
 * CoDel target as the timeout.
 */
import type { Admission } from './admission';
import type { PriorityClass } from './priority';

export interface Waiter {
  readonly priority: PriorityClass;
  readonly enqueuedAt: number;
  readonly resolve: (admission: Admission) => void;
  readonly detachAbort: () => void;
}

export interface QueueTiming {
  readonly targetDelayMs: number;
  readonly intervalMs: number;
  readonly maxWaitMs: number;
}

export class ClassQueue {
  waiters: Waiter[] = [];
  standing = false;
  /** Last time the queue was empty or a request left it within the target delay. */
  lastGoodAt = 0;

  constructor(
    /** Whether CoDel manages this queue (it may stand); an exempt queue stays FIFO with maxWaitMs. */
    readonly managed: boolean,
    private readonly timing: QueueTiming,
  ) {}

  /** Adds a waiter; an empty queue is not standing, however it was left (a release with nobody waiting skips the drain). */
  push(waiter: Waiter): void {
    if (this.waiters.length === 0) {
      this.lastGoodAt = waiter.enqueuedAt;
      this.standing = false;
    }
    this.waiters.push(waiter);
  }

  /** The next waiter to admit: the newest while standing, else the oldest. */
  take(now: number): Waiter {
    const waiter = this.standing ? this.waiters.pop()! : this.waiters.shift()!;
    if (now - waiter.enqueuedAt <= this.timing.targetDelayMs) this.lastGoodAt = now;
    if (this.waiters.length === 0) this.updateStanding(now);
    return waiter;
  }

  /** The oldest waiter when it has waited its timeout, removed from the queue; else undefined. Waiters are in arrival order. */
  takeExpired(now: number): Waiter | undefined {
    if (this.waiters.length === 0 || now - this.waiters[0].enqueuedAt < this.timeoutMs()) return undefined;
    return this.waiters.shift();
  }

  /** Removes a waiter that gave up; false when it already left. */
  remove(waiter: Waiter, now: number): boolean {
    const index = this.waiters.indexOf(waiter);
    if (index < 0) return false;
    this.waiters.splice(index, 1);
    this.updateStanding(now);
    return true;
  }

  /** An empty queue stops standing; a managed one starts when nobody left it within the target for a whole interval. */
  updateStanding(now: number): void {
    if (this.waiters.length === 0) {
      this.standing = false;
      this.lastGoodAt = now;
    } else if (this.managed && !this.standing && now - this.lastGoodAt >= this.timing.intervalMs) {
      this.standing = true;
    }
  }

  /** How long the head may wait: the CoDel target while standing, else maxWaitMs. */
  timeoutMs(): number {
    return this.standing ? Math.min(this.timing.targetDelayMs, this.timing.maxWaitMs) : this.timing.maxWaitMs;
  }

  /** The earliest moment this queue changes by itself (its head's deadline or its standing onset); Infinity when empty. */
  dueAt(): number {
    if (this.waiters.length === 0) return Number.POSITIVE_INFINITY;
    const deadline = this.waiters[0].enqueuedAt + this.timeoutMs();
    return this.managed && !this.standing ? Math.min(deadline, this.lastGoodAt + this.timing.intervalMs) : deadline;
  }
}
