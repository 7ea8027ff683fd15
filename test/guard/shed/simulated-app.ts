import { PRIORITY_CLASSES, type Permit, type PriorityClass } from '../../../guard/shed';
import { harness } from './admission-harness';

/**
 * An application with a fixed capacity on the fake clock: `workers` requests at a time, each for
 * `serviceMs`, the rest waiting FIFO — so latency = service time + queueing, as in a real app.
 */
export class SimulatedApp {
  private readonly running: Array<{ finishAt: number; job: Job }> = [];
  private readonly waiting: Job[] = [];

  constructor(
    private workers: number,
    private serviceMs: number,
  ) {}

  /** Changes capacity from now on (requests already running keep their finish time). */
  reconfigure(workers: number, serviceMs: number): void {
    this.workers = workers;
    this.serviceMs = serviceMs;
  }

  submit(job: Job, now: number): void {
    this.waiting.push(job);
    this.start(now);
  }

  /** Completes every request due by `now`, in finish order; returns them with their latency. */
  complete(now: number): Array<{ job: Job; latencyMs: number }> {
    const done: Array<{ job: Job; latencyMs: number }> = [];
    for (;;) {
      this.running.sort((a, b) => a.finishAt - b.finishAt);
      if (this.running.length === 0 || this.running[0].finishAt > now) break;
      const { finishAt, job } = this.running.shift()!;
      done.push({ job, latencyMs: finishAt - job.sentAt });
      this.start(finishAt);
    }
    return done;
  }

  private start(now: number): void {
    while (this.running.length < this.workers && this.waiting.length > 0) {
      this.running.push({ finishAt: now + this.serviceMs, job: this.waiting.shift()! });
    }
  }
}

interface Job {
  readonly sentAt: number;
  /** When the request reached the gate (before any queue in the admission controller). */
  readonly offeredAt: number;
  readonly permit: Permit;
  readonly priority: PriorityClass;
}

export interface SimulationOptions {
  concurrency: { initialLimit: number; minLimit: number; maxLimit: number };
  app: SimulatedApp;
  /** Requests offered per ms, spread over the classes by `mix`. */
  perMs: number;
  durationMs: number;
  /** Share of the offered requests per class (sums to 1). @default all critical */
  mix?: Partial<Record<PriorityClass, number>>;
  /** Requests offered per ms at each ms, instead of the constant `perMs` (a ramp). */
  perMsAt?: (elapsedMs: number) => number;
  /** Called every ms before the arrivals (to change the app mid-run). */
  onTick?: (elapsedMs: number) => void;
}

export interface SimulationResult {
  /** The limit at each ms. */
  limits: number[];
  byClass: Record<PriorityClass, { offered: number; served: number; latencies: number[] }>;
  /** Every served request: when it was offered (ms into the run), its class and its latency (queue in the gate + the app). */
  served: { offeredAt: number; priority: PriorityClass; latencyMs: number }[];
}

/**
 * Open-loop traffic through a real admission controller (example-config queues, fake clock) into a
 * SimulatedApp: every permit is released with the latency the app gave it.
 */
export async function simulate(options: SimulationOptions): Promise<SimulationResult> {
  const h = harness({
    concurrency: { ...options.concurrency, criticalReservedShare: 0.2 },
    queue: { maxLengthPerClass: 100, targetDelayMs: 5, intervalMs: 100, maxWaitMs: 1000 },
    sampling: { random: () => 0.5 },
  });
  const clock = h.scheduler.clock;
  const mix = options.mix ?? { critical: 1 };
  const byClass = Object.fromEntries(
    PRIORITY_CLASSES.map((c) => [c, { offered: 0, served: 0, latencies: [] as number[] }]),
  ) as SimulationResult['byClass'];
  const limits: number[] = [];
  const served: SimulationResult['served'] = [];
  const startedAt = clock.now();
  // Deterministic class assignment: a running total per class, so the mix is exact.
  const credit: Record<PriorityClass, number> = { critical: 0, high: 0, normal: 0, low: 0 };
  try {
    for (let elapsed = 0; elapsed < options.durationMs; elapsed++) {
      options.onTick?.(elapsed);
      for (const { job, latencyMs } of options.app.complete(clock.now())) {
        job.permit.release({ latencyMs });
        byClass[job.priority].served += 1;
        byClass[job.priority].latencies.push(latencyMs);
        served.push({
          offeredAt: job.offeredAt - startedAt,
          priority: job.priority,
          latencyMs: clock.now() - job.offeredAt,
        });
      }
      for (const cls of PRIORITY_CLASSES) {
        credit[cls] += (options.perMsAt?.(elapsed) ?? options.perMs) * (mix[cls] ?? 0);
        for (; credit[cls] >= 1; credit[cls] -= 1) {
          byClass[cls].offered += 1;
          const offeredAt = clock.now();
          void h.controller.acquire(cls).then((admission) => {
            if (admission.admitted)
              options.app.submit(
                { sentAt: clock.now(), offeredAt, permit: admission.permit, priority: cls },
                clock.now(),
              );
          });
        }
      }
      await h.scheduler.advance(1);
      limits.push(h.controller.snapshot().limit);
    }
  } finally {
    h.controller.close();
  }
  return { limits, byClass, served };
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
