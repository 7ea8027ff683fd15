/** Time as the guard library sees it: milliseconds, injectable so every policy is testable on a fake clock. */
export interface Clock {
  /** Milliseconds since the epoch (may have a fractional part). */
  now(): number;
}

export const systemClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
};
