/**
 * Timers as the admission controller sees them, injectable so queue timeouts are tested on a fake
 * clock without sleeping. The system scheduler unrefs its timers: a pending queue timeout never
 * keeps the process alive.
 */
export interface Scheduler {
  /** Runs `callback` after `delayMs`; returns a function that cancels it. */
  schedule(callback: () => void, delayMs: number): () => void;
}

export const systemScheduler: Scheduler = {
  schedule(callback, delayMs) {
    const timer = setTimeout(callback, Math.max(0, delayMs));
    timer.unref();
    return () => clearTimeout(timer);
  },
};
