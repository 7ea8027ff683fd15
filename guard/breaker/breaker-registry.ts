/**
 * One breaker per dependency name, created on first use from shared defaults (with optional
 * per-dependency overrides), and the bridge from the flags document: `applyFlags` forces open
 * exactly the dependencies the flags list and releases every other one to its own policy.
 */
import type { BreakerState } from './breaker';
import { resolveBreakerOptions, type CircuitBreakerOptions } from './breaker-options';
import {
  createCircuitBreaker,
  type BreakerSnapshot,
  type BreakerStateListener,
  type ObservableCircuitBreaker,
} from './circuit-breaker';

export type BreakerDefaults = Omit<CircuitBreakerOptions, 'name'>;

export interface BreakerRegistryOptions {
  /** Options every breaker starts from. */
  defaults?: BreakerDefaults;
  /** Per-dependency options layered over the defaults. */
  overrides?: Record<string, BreakerDefaults>;
  /** Dependencies to create up front (e.g. every dependency the routes declare), so metrics list them before their first call. */
  dependencies?: readonly string[];
}

export class BreakerRegistry {
  private readonly breakers = new Map<string, ObservableCircuitBreaker>();
  private forcedOpen = new Set<string>();
  private readonly listeners = new Set<BreakerStateListener>();
  private readonly defaults: BreakerDefaults;
  private readonly overrides: Record<string, BreakerDefaults>;

  constructor(options: BreakerRegistryOptions = {}) {
    this.defaults = options.defaults ?? {};
    this.overrides = options.overrides ?? {};
    // Validate now, not on the first request that needs a breaker.
    resolveBreakerOptions({ ...this.defaults, name: 'defaults' });
    for (const [name, override] of Object.entries(this.overrides))
      resolveBreakerOptions({ ...this.defaults, ...override, name });
    for (const name of options.dependencies ?? []) this.get(name);
  }

  /** The breaker of `dependency`, created from the defaults on first use. */
  get(dependency: string): ObservableCircuitBreaker {
    let breaker = this.breakers.get(dependency);
    if (!breaker) {
      breaker = createCircuitBreaker({ ...this.defaults, ...this.overrides[dependency], name: dependency });
      breaker.onStateChange((state, previous, b) => {
        for (const listener of [...this.listeners]) listener(state, previous, b);
      });
      breaker.forceOpen(this.forcedOpen.has(dependency));
      this.breakers.set(dependency, breaker);
    }
    return breaker;
  }

  /** Forces open exactly `openDependencies` (creating their breakers if needed) and releases all others. */
  applyFlags(openDependencies: readonly string[]): void {
    this.forcedOpen = new Set(openDependencies);
    for (const name of this.forcedOpen) this.get(name);
    for (const [name, breaker] of this.breakers) breaker.forceOpen(this.forcedOpen.has(name));
  }

  /** The first of `dependencies` whose breaker is open, or undefined when all let calls through (for short-circuiting a route). */
  firstOpen(dependencies: readonly string[]): ObservableCircuitBreaker | undefined {
    for (const name of dependencies) {
      const breaker = this.get(name);
      if (breaker.state() === 'open') return breaker;
    }
    return undefined;
  }

  states(): Record<string, BreakerState> {
    const states: Record<string, BreakerState> = {};
    for (const [name, breaker] of this.breakers) states[name] = breaker.state();
    return states;
  }

  snapshots(): BreakerSnapshot[] {
    return [...this.breakers.values()].map((b) => b.snapshot());
  }

  names(): string[] {
    return [...this.breakers.keys()].sort();
  }

  /** Called on any breaker's state change. */
  onStateChange(listener: BreakerStateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    for (const breaker of this.breakers.values()) breaker.close();
    this.breakers.clear();
    this.listeners.clear();
  }
}

export function createBreakerRegistry(options: BreakerRegistryOptions = {}): BreakerRegistry {
  return new BreakerRegistry(options);
}
