import type { Clock } from '../../guard/clock';

/** Calls `fn` at most once per `intervalMs`; the next call that passes says how many were suppressed. */
export function throttle<A extends unknown[]>(
  fn: (...args: A) => void,
  intervalMs: number,
  clock: Clock,
): (...args: A) => void {
  let last = Number.NEGATIVE_INFINITY;
  let suppressed = 0;
  return (...args: A) => {
    const now = clock.now();
    if (now - last < intervalMs) {
      suppressed += 1;
      return;
    }
    last = now;
    if (suppressed > 0) {
      const lastArg = args[args.length - 1];
      if (lastArg && typeof lastArg === 'object') (lastArg as Record<string, unknown>).suppressedSinceLast = suppressed;
      suppressed = 0;
    }
    fn(...args);
  };
}
