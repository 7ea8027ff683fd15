import { BreakerRegistry } from '../../../guard/breaker';
import { isInvalidOptionsError } from '../../../guard/errors';
import { FakeClock } from '../../support/fake-clock';

describe('BreakerRegistry', () => {
  it('creates one breaker per dependency from the defaults and overrides', () => {
    const clock = new FakeClock();
    const registry = new BreakerRegistry({
      defaults: { clock, consecutiveFailures: 2 },
      overrides: { payments: { consecutiveFailures: 1 } },
    });
    expect(registry.get('inventory')).toBe(registry.get('inventory'));
    registry.get('payments').tryPass()!.failure();
    registry.get('inventory').tryPass()!.failure();
    expect(registry.states()).toEqual({ payments: 'open', inventory: 'closed' });
    registry.close();
  });

  it.each([
    [[], [], [], {}],
    [
      ['inventory', 'payments', 'recommender'],
      [],
      ['payments'],
      { inventory: 'closed', payments: 'open', recommender: 'closed' },
    ],
    [
      ['inventory'],
      ['inventory', 'payments'],
      ['payments', 'recommender'],
      { inventory: 'closed', payments: 'open', recommender: 'open' },
    ],
    [[], ['payments', 'recommender'], ['recommender'], { payments: 'closed', recommender: 'open' }],
    [
      ['inventory'],
      ['payments', 'recommender'],
      [],
      { inventory: 'closed', payments: 'closed', recommender: 'closed' },
    ],
  ])(
    'with %j known and %j forced, applyFlags(%j) forces exactly those open',
    (known: string[], before: string[], open: string[], expected) => {
      const registry = new BreakerRegistry({ defaults: { clock: new FakeClock() }, dependencies: known });
      registry.applyFlags(before);
      registry.applyFlags(open);
      expect(registry.states()).toEqual(expected);
      registry.close();
    },
  );

  it('remembers forced dependencies for breakers created later', () => {
    const registry = new BreakerRegistry({ defaults: { clock: new FakeClock() } });
    registry.applyFlags(['payments']);
    registry.applyFlags(['payments']);
    expect(registry.get('payments').isForcedOpen()).toBe(true);
    expect(registry.firstOpen(['inventory', 'payments'])?.name).toBe('payments');
    expect(registry.firstOpen(['inventory'])).toBeUndefined();
    registry.close();
  });

  it('releasing a forced breaker returns it to its own (tripped) state', () => {
    const clock = new FakeClock();
    const registry = new BreakerRegistry({ defaults: { clock, consecutiveFailures: 1, openMs: 1000 } });
    registry.get('payments').tryPass()!.failure();
    registry.applyFlags(['payments']);
    registry.applyFlags([]);
    expect(registry.get('payments').state()).toBe('open');
    clock.advance(1000);
    expect(registry.get('payments').state()).toBe('half-open');
    registry.close();
  });

  it('relays state changes of every breaker', () => {
    const registry = new BreakerRegistry({ defaults: { clock: new FakeClock() }, dependencies: ['inventory'] });
    const seen: string[] = [];
    registry.onStateChange((state, _previous, breaker) => seen.push(`${breaker.name}:${state}`));
    registry.applyFlags(['inventory', 'payments']);
    registry.applyFlags([]);
    expect(seen.sort()).toEqual(['inventory:closed', 'inventory:open', 'payments:closed', 'payments:open']);
    registry.close();
  });

  it('rejects bad defaults and overrides at construction', () => {
    expect(() => new BreakerRegistry({ defaults: { openMs: 0 } })).toThrow(/openMs/);
    let caught: unknown;
    try {
      new BreakerRegistry({ overrides: { payments: { failureRate: 2 } } });
    } catch (error) {
      caught = error;
    }
    expect(isInvalidOptionsError(caught)).toBe(true);
  });
});
