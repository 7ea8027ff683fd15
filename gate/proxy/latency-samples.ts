/**
 * One second of latencies, kept raw and sorted once at flush: a store per request is cheaper than
 * a histogram update on the hot path. Past `capacity` samples it keeps every n-th one (reservoir
 * by stride), which leaves the p99 of a second with tens of thousands of requests intact.
 */
export class LatencySamples {
  private readonly values: Float64Array;
  private count = 0;
  private seen = 0;
  constructor(private readonly capacity = 32_768) {
    this.values = new Float64Array(capacity);
  }
  record(value: number): void {
    this.seen += 1;
    if (this.count < this.capacity) this.values[this.count++] = value;
    else this.values[this.seen % this.capacity] = value;
  }
  get size(): number {
    return this.seen;
  }
  percentile(p: number): number {
    const sorted = this.values.slice(0, this.count).sort();
    return sorted[Math.min(this.count - 1, Math.max(0, Math.ceil((p / 100) * this.count) - 1))];
  }
  reset(): void {
    this.count = 0;
    this.seen = 0;
  }
}
