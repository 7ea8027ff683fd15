import {
  createAdmissionController,
  type Admission,
  type AdmissionControllerOptions,
  type PriorityAdmissionController,
  type Permit,
} from '../../../guard/shed';
import { FakeScheduler } from './fake-scheduler';

export interface Tracked {
  readonly label: string;
  readonly priority: Parameters<PriorityAdmissionController['acquire']>[0];
  result?: Admission;
}

export interface Harness {
  controller: PriorityAdmissionController;
  scheduler: FakeScheduler;
  track(priority: Parameters<PriorityAdmissionController['acquire']>[0], label?: string, signal?: AbortSignal): Tracked;
  permit(tracked: Tracked): Permit;
}

/** A fixed limit (min = max = initial) unless the test overrides concurrency. */
export function harness(overrides: Partial<AdmissionControllerOptions> & { limit?: number } = {}): Harness {
  const scheduler = new FakeScheduler();
  const limit = overrides.limit ?? 10;
  const controller = createAdmissionController({
    concurrency: { initialLimit: limit, minLimit: limit, maxLimit: limit, criticalReservedShare: 0.2 },
    queue: { maxLengthPerClass: 100, targetDelayMs: 5, intervalMs: 100, maxWaitMs: 1000 },
    clock: scheduler.clock,
    scheduler,
    ...overrides,
  });
  return {
    controller,
    scheduler,
    track(priority, label = priority, signal) {
      const tracked: Tracked = { label, priority };
      void controller.acquire(priority, signal).then((result) => {
        tracked.result = result;
      });
      return tracked;
    },
    permit(tracked) {
      if (!tracked.result?.admitted)
        throw new Error(`${tracked.label} was not admitted: ${JSON.stringify(tracked.result)}`);
      return tracked.result.permit;
    },
  };
}

export function outcome(tracked: Tracked): string {
  if (!tracked.result) return 'waiting';
  return tracked.result.admitted ? 'admitted' : tracked.result.refusal.reason;
}
