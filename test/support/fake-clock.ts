import type { Clock } from '../../guard/clock';

/** A clock that moves only when told to (and may be moved backwards, to test clock skew). */
export class FakeClock implements Clock {
  constructor(private current = 1_700_000_000_000) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
  set(ms: number): void {
    this.current = ms;
  }
}
