/**
 * A circuit breaker around one dependency: closed (calls pass, outcomes are counted), open (calls
 * are short-circuited for `openMs`), half-open (a limited number of probes pass; all succeeding
 * closes it, one failing re-opens it). It trips on either policy: `consecutiveFailures` in a row,
 * or a failure share of at least `failureRate` over a rolling window holding at least
 * `minimumCalls`. Slow successes count as failures. The flags can force it open.
 *
 * There are no timers: open → half-open happens when someone looks after `openMs`, so an idle
 * breaker costs nothing and a fake clock drives every transition in tests.
 */
import type { BreakerState, BreakerTicket, CircuitBreaker } from './breaker';
import { resolveBreakerOptions, type CircuitBreakerOptions, type ResolvedBreakerOptions } from './breaker-options';
import { RollingWindow } from './rolling-window';

export interface BreakerSnapshot {
  name: string;
  state: BreakerState;
  /** True while the flags hold the breaker open, whatever its own policy says. */
  forced: boolean;
  windowCalls: number;
  windowFailures: number;
  consecutiveFailures: number;
}

export type BreakerStateListener = (
  state: BreakerState,
  previous: BreakerState,
  breaker: ObservableCircuitBreaker,
) => void;

/** The CircuitBreaker contract plus what metrics and the gate's logs need. */
export interface ObservableCircuitBreaker extends CircuitBreaker {
  /** Whether the flags currently force this breaker open. */
  isForcedOpen(): boolean;
  snapshot(): BreakerSnapshot;
  /** Called on every change of `state()` (observed lazily: open → half-open fires when someone looks). */
  onStateChange(listener: BreakerStateListener): () => void;
}

export function createCircuitBreaker(options: CircuitBreakerOptions): ObservableCircuitBreaker {
  return new DefaultCircuitBreaker(resolveBreakerOptions(options));
}

class DefaultCircuitBreaker implements ObservableCircuitBreaker {
  readonly name: string;
  private own: BreakerState = 'closed';
  private forced = false;
  /** Bumped on every own-state change, so a ticket issued in an earlier phase cannot sway this one. */
  private generation = 0;
  private consecutive = 0;
  private readonly window: RollingWindow;
  /** When the current open or half-open phase began. */
  private phaseStartedAt = 0;
  private probesIssued = 0;
  private probeSuccesses = 0;
  private lastReported: BreakerState = 'closed';
  private readonly listeners = new Set<BreakerStateListener>();

  constructor(private readonly options: ResolvedBreakerOptions) {
    this.name = options.name;
    this.window = new RollingWindow(options.windowMs, options.windowBuckets);
  }

  state(): BreakerState {
    this.refresh(this.options.clock.now());
    return this.effectiveState();
  }

  tryPass(): BreakerTicket | undefined {
    const now = this.options.clock.now();
    this.refresh(now);
    if (this.forced || this.own === 'open') return undefined;
    if (this.own === 'half-open') {
      if (this.probesIssued >= this.options.halfOpenProbes) return undefined;
      this.probesIssued += 1;
    }
    return this.ticket(this.generation);
  }

  forceOpen(forced: boolean): void {
    if (this.forced === forced) return;
    this.forced = forced;
    this.notifyIfChanged();
  }

  isForcedOpen(): boolean {
    return this.forced;
  }

  retryAfterMs(): number {
    const now = this.options.clock.now();
    this.refresh(now);
    // Forced open lasts until the flags change; the open period is the best hint there is.
    if (this.forced) return this.options.openMs;
    if (this.own === 'closed') return 0;
    if (this.own === 'half-open' && this.probesIssued < this.options.halfOpenProbes) return 0;
    return Math.max(0, this.phaseStartedAt + this.options.openMs - now);
  }

  snapshot(): BreakerSnapshot {
    const now = this.options.clock.now();
    this.refresh(now);
    const totals = this.window.totals(now);
    return {
      name: this.name,
      state: this.effectiveState(),
      forced: this.forced,
      windowCalls: totals.calls,
      windowFailures: totals.failures,
      consecutiveFailures: this.consecutive,
    };
  }

  onStateChange(listener: BreakerStateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.listeners.clear();
  }

  private ticket(generation: number): BreakerTicket {
    return new Ticket(this, generation, this.options.slowCallMs);
  }

  /** @internal Called by a Ticket, once per call. */
  report(generation: number, failed: boolean): void {
    this.record(generation, failed);
  }

  private record(generation: number, failed: boolean): void {
    const now = this.options.clock.now();
    this.refresh(now);
    if (generation !== this.generation) return; // issued before the last transition: stale
    if (this.own === 'half-open') {
      if (failed) return this.transition('open', now);
      this.probeSuccesses += 1;
      if (this.probeSuccesses >= this.options.halfOpenProbes) this.transition('closed', now);
      return;
    }
    // closed (an open breaker issues no tickets of its own generation)
    this.window.record(now, failed);
    this.consecutive = failed ? this.consecutive + 1 : 0;
    if (failed && this.tripped(now)) this.transition('open', now);
  }

  private tripped(now: number): boolean {
    if (this.consecutive >= this.options.consecutiveFailures) return true;
    const { calls, failures } = this.window.totals(now);
    return calls >= this.options.minimumCalls && failures / calls >= this.options.failureRate;
  }

  /** Time-driven transitions, applied when someone looks. */
  private refresh(now: number): void {
    // A clock that went backwards must not keep the breaker open for longer than openMs from now.
    if (now < this.phaseStartedAt) this.phaseStartedAt = now;
    if (this.own === 'closed' || now - this.phaseStartedAt < this.options.openMs) return;
    if (this.own === 'open') return this.transition('half-open', now);
    // Half-open whose probes never reported back (lost tickets): start a fresh round of probes
    // rather than staying half-open forever.
    if (this.probesIssued >= this.options.halfOpenProbes) this.transition('half-open', now);
  }

  private transition(next: BreakerState, now: number): void {
    this.own = next;
    this.generation += 1;
    this.phaseStartedAt = now;
    this.probesIssued = 0;
    this.probeSuccesses = 0;
    if (next === 'closed') {
      this.window.reset();
      this.consecutive = 0;
    }
    this.notifyIfChanged();
  }

  private effectiveState(): BreakerState {
    return this.forced ? 'open' : this.own;
  }

  private notifyIfChanged(): void {
    const current = this.effectiveState();
    if (current === this.lastReported) return;
    const previous = this.lastReported;
    this.lastReported = current;
    for (const listener of [...this.listeners]) {
      try {
        listener(current, previous, this);
      } catch {
        // A faulty listener must not break the request path.
      }
    }
  }
}

/**
 * One call's permission to go ahead. A class rather than closures: it is created on every request
 * through the gate, and the rate limiter's Redis store checks a breaker on every decision.
 */
class Ticket implements BreakerTicket {
  private reported = false;

  constructor(
    private readonly breaker: DefaultCircuitBreaker,
    private readonly generation: number,
    private readonly slowCallMs: number,
  ) {}

  success(latencyMs: number): void {
    this.settle(latencyMs >= this.slowCallMs);
  }

  failure(): void {
    this.settle(true);
  }

  private settle(failed: boolean): void {
    if (this.reported) return; // a second report of the same call is ignored
    this.reported = true;
    this.breaker.report(this.generation, failed);
  }
}
