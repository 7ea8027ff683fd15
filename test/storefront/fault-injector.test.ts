import { FaultInjector } from '../../storefront/fault-injector';
import { FakeClock } from '../support/fake-clock';

describe('fault injector', () => {
  it('injects nothing until told to', () => {
    expect(new FaultInjector({ clock: new FakeClock() }).decide('checkout')).toBeUndefined();
  });

  it('applies a route fault to that route only', () => {
    const faults = new FaultInjector({ clock: new FakeClock(), random: () => 0.3 });
    faults.set({ route: 'checkout', latencyMs: 250, errorRate: 0.5 });
    expect(faults.decide('checkout')).toEqual({ latencyMs: 250, fail: true });
    expect(faults.decide('products')).toBeUndefined();
  });

  it('fails a request only when the random draw falls under the error rate', () => {
    let draw = 0.6;
    const faults = new FaultInjector({ clock: new FakeClock(), random: () => draw });
    faults.set({ route: 'payments', errorRate: 0.5 });
    expect(faults.decide('payments')?.fail).toBe(false);
    draw = 0.49;
    expect(faults.decide('payments')?.fail).toBe(true);
  });

  it('applies a fault without a route everywhere, combined with the route fault by the worse of each', () => {
    const faults = new FaultInjector({ clock: new FakeClock(), random: () => 0.99 });
    faults.set({ latencyMs: 100 });
    faults.set({ route: 'recommendations', latencyMs: 40, errorRate: 1 });
    expect(faults.decide('products')).toEqual({ latencyMs: 100, fail: false });
    expect(faults.decide('recommendations')).toEqual({ latencyMs: 100, fail: true });
  });

  it('expires a fault after its duration on the injected clock', () => {
    const clock = new FakeClock();
    const faults = new FaultInjector({ clock });
    faults.set({ route: 'products', latencyMs: 10, durationMs: 1000 });
    clock.advance(999);
    expect(faults.decide('products')).toBeDefined();
    expect(faults.active()).toEqual([{ route: 'products', latencyMs: 10, errorRate: 0, expiresAt: clock.now() + 1 }]);
    clock.advance(1);
    expect(faults.decide('products')).toBeUndefined();
    expect(faults.active()).toEqual([]);
  });

  it('clears every fault', () => {
    const faults = new FaultInjector({ clock: new FakeClock() });
    faults.set({ route: 'checkout', latencyMs: 1 });
    faults.set({ latencyMs: 1 });
    faults.clear();
    expect(faults.active()).toEqual([]);
  });

  it.each([
    [{ route: 'everything' }, /route/],
    [{ errorRate: 1.5 }, /errorRate/],
    [{ latencyMs: -1 }, /latencyMs/],
    [{ durationMs: 0 }, /durationMs/],
    [{ latency: 5 }, /latency/],
  ])('rejects the spec %p, naming the field', (spec, field) => {
    expect(() => new FaultInjector().set(spec as never)).toThrow(field);
  });
});
