import type { Scheduler } from '../../../guard/shed/scheduler';
import { FakeClock } from '../../support/fake-clock';

/** Timers on a FakeClock: `advance` moves time forward, firing due timers in order at their due time. */
export class FakeScheduler implements Scheduler {
  private timers: Array<{ dueAt: number; seq: number; callback: () => void }> = [];
  private seq = 0;

  constructor(readonly clock: FakeClock = new FakeClock()) {}

  schedule(callback: () => void, delayMs: number): () => void {
    const timer = { dueAt: this.clock.now() + Math.max(0, delayMs), seq: this.seq++, callback };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  get pending(): number {
    return this.timers.length;
  }

  /** Advances the clock by `ms`, running each timer that falls due on the way. */
  async advance(ms: number): Promise<void> {
    const target = this.clock.now() + ms;
    while (true) {
      const next = this.timers.filter((t) => t.dueAt <= target).sort((a, b) => a.dueAt - b.dueAt || a.seq - b.seq)[0];
      if (!next) break;
      this.timers = this.timers.filter((t) => t !== next);
      if (next.dueAt > this.clock.now()) this.clock.set(next.dueAt);
      next.callback();
      await flushPromises();
    }
    this.clock.set(target);
    await flushPromises();
  }
}

export async function flushPromises(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}
