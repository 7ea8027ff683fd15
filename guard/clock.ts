/** Time as the guard library sees it: milliseconds, injectable so every policy is testable on a fake clock. */
export interface Clock {
  /** Milliseconds since the epoch (may have a fractional part). */
  now(): number;
}

/**
 * For intervals (latencies, timers, windows, ages): monotonic, so a wall-clock step cannot stretch
 * them, though its epoch anchor (process start) drifts from wall time after a VM pause or a step.
 */
export const systemClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
};

/**
 * For times another process or machine reads or wrote (metric stamps, signed expiries, shared
 * windows): they count in wall time.
 */
export const wallClock: Clock = {
  now: () => Date.now(),
};
