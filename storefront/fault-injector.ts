/**
 * Fault injection for rehearsals: extra latency and a share of errors on one route (or all), for a
 * limited time. Expiry is read from the injected clock, so no timer outlives the storefront.
 */
import { z } from 'zod';
import { systemClock, type Clock } from '../guard/clock';
import { InvalidOptionsError } from '../guard/errors';

export const FAULT_TARGETS = ['checkout', 'payments', 'recommendations', 'products'] as const;
export type FaultTarget = (typeof FAULT_TARGETS)[number];

/** The body of POST /_faults; without `route` the fault applies to every target. */
export const faultSpecSchema = z
  .object({
    route: z.enum(FAULT_TARGETS).optional(),
    latencyMs: z.number().int().min(0).max(60_000).default(0),
    errorRate: z.number().min(0).max(1).default(0),
    /** How long the fault lasts; omitted means until DELETE /_faults. */
    durationMs: z.number().int().positive().max(3_600_000).optional(),
  })
  .strict();

export type FaultSpec = z.input<typeof faultSpecSchema>;

export interface ActiveFault {
  route: FaultTarget | 'all';
  latencyMs: number;
  errorRate: number;
  /** On this process's monotonic clock (a duration's end, not a wall time), or null for no expiry. */
  expiresAt: number | null;
}

/** What one request should suffer. */
export interface FaultDecision {
  latencyMs: number;
  fail: boolean;
}

export interface FaultInjectorOptions {
  clock?: Clock;
  /** Decides which requests fail; injectable for tests. @default Math.random */
  random?: () => number;
}

export class FaultInjector {
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly faults = new Map<FaultTarget | 'all', ActiveFault>();

  constructor(options: FaultInjectorOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
  }

  /** Installs (or replaces) the fault for its route; throws InvalidOptionsError on a bad spec. */
  set(spec: FaultSpec): ActiveFault {
    const parsed = faultSpecSchema.safeParse(spec);
    if (!parsed.success) throw new InvalidOptionsError('fault', spec, z.prettifyError(parsed.error));
    const { route, latencyMs, errorRate, durationMs } = parsed.data;
    const fault: ActiveFault = {
      route: route ?? 'all',
      latencyMs,
      errorRate,
      expiresAt: durationMs === undefined ? null : this.clock.now() + durationMs,
    };
    this.faults.set(fault.route, fault);
    return { ...fault };
  }

  clear(): void {
    this.faults.clear();
  }

  active(): ActiveFault[] {
    this.expire();
    return [...this.faults.values()].map((fault) => ({ ...fault }));
  }

  /** The latency to add and whether to fail, for one request on `target`; undefined when no fault applies. */
  decide(target: FaultTarget): FaultDecision | undefined {
    this.expire();
    const specific = this.faults.get(target);
    const general = this.faults.get('all');
    if (!specific && !general) return undefined;
    const latencyMs = Math.max(specific?.latencyMs ?? 0, general?.latencyMs ?? 0);
    const errorRate = Math.max(specific?.errorRate ?? 0, general?.errorRate ?? 0);
    return { latencyMs, fail: errorRate > 0 && this.random() < errorRate };
  }

  private expire(): void {
    const now = this.clock.now();
    for (const [route, fault] of this.faults) {
      if (fault.expiresAt !== null && fault.expiresAt <= now) this.faults.delete(route);
    }
  }
}

/** Waits `ms` milliseconds (0 returns at once); unref'd so a pending delay never holds the process open. */
export function delay(ms: number): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
