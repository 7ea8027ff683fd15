/**
 * Call and failure counts over the last `windowMs`, kept in `bucketCount` buckets so that old
 * outcomes age out in steps of windowMs / bucketCount instead of all at once (as Hystrix and
 * resilience4j do). Running totals make every read O(1); advancing is O(buckets) at worst.
 */
export interface WindowTotals {
  calls: number;
  failures: number;
}

export class RollingWindow {
  private readonly bucketMs: number;
  private readonly calls: number[];
  private readonly failures: number[];
  /** Index (now / bucketMs, floored) of the newest bucket written or cleared. */
  private newestBucket: number | undefined;
  private totalCalls = 0;
  private totalFailures = 0;

  constructor(
    windowMs: number,
    private readonly bucketCount: number,
  ) {
    this.bucketMs = windowMs / bucketCount;
    this.calls = new Array<number>(bucketCount).fill(0);
    this.failures = new Array<number>(bucketCount).fill(0);
  }

  record(now: number, failed: boolean): void {
    const slot = this.advance(now);
    this.calls[slot] += 1;
    this.totalCalls += 1;
    if (failed) {
      this.failures[slot] += 1;
      this.totalFailures += 1;
    }
  }

  totals(now: number): WindowTotals {
    this.advance(now);
    return { calls: this.totalCalls, failures: this.totalFailures };
  }

  reset(): void {
    this.calls.fill(0);
    this.failures.fill(0);
    this.totalCalls = 0;
    this.totalFailures = 0;
    this.newestBucket = undefined;
  }

  /** Clears the buckets that fell out of the window and returns the slot for `now`. */
  private advance(now: number): number {
    const bucket = Math.floor(now / this.bucketMs);
    if (this.newestBucket === undefined) {
      this.newestBucket = bucket;
    } else if (bucket > this.newestBucket) {
      const stale = Math.min(bucket - this.newestBucket, this.bucketCount);
      for (let i = 1; i <= stale; i++) this.clearSlot(this.slotOf(this.newestBucket + i));
      this.newestBucket = bucket;
    }
    // A clock that went backwards writes into the newest bucket rather than resurrecting old ones.
    return this.slotOf(this.newestBucket);
  }

  private clearSlot(slot: number): void {
    this.totalCalls -= this.calls[slot];
    this.totalFailures -= this.failures[slot];
    this.calls[slot] = 0;
    this.failures[slot] = 0;
  }

  private slotOf(bucket: number): number {
    return ((bucket % this.bucketCount) + this.bucketCount) % this.bucketCount;
  }
}
