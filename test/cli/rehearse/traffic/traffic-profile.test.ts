import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  activeBotFloods,
  cumulativeMix,
  defaultProfile,
  isInvalidProfileError,
  loadProfile,
  parseProfile,
  pickAction,
  scaleProfileRates,
  shopperMultiplierAt,
} from '../../../../cli/rehearse/traffic/traffic-profile';
import { InvalidDurationError, parseDurationMs } from '../../../../cli/rehearse/traffic/duration';

describe('traffic profile', () => {
  it('has a built-in sale day: surge to 10×, a bot flood, a slow route and one cache outage', () => {
    const profile = defaultProfile();
    expect(profile.phases.map((p) => p.kind)).toEqual(['surge', 'bot-flood', 'slow-route', 'cache-outage']);
    const outage = profile.phases.find((p) => p.kind === 'cache-outage')!;
    // About 20 s of a two-minute run, with time left after it to recover and restore the level.
    expect((outage.to - outage.from) * 120).toBeGreaterThanOrEqual(18);
    expect((outage.to - outage.from) * 120).toBeLessThanOrEqual(22);
    expect(outage.to).toBeLessThanOrEqual(0.75);
  });

  it('fills defaults so a file only states what it changes', () => {
    const profile = parseProfile({
      baseline: { requestsPerSecond: 5 },
      phases: [{ kind: 'bot-flood', from: 0.1, to: 0.2 }],
    });
    expect(profile.baseline.requestsPerSecond).toBe(5);
    expect(profile.baseline.users).toBe(5000);
    expect(profile.phases[0]).toMatchObject({ kind: 'bot-flood', keys: 2, requestsPerSecond: 2000 });
  });

  it.each([
    [{ phases: [{ kind: 'surge', from: 0.5, to: 0.4 }] }, 'phases.0.to: expected to be after from (0.5)'],
    [{ phases: [{ kind: 'surge', from: -0.1, to: 0.4 }] }, 'phases.0.from'],
    [{ phases: [{ kind: 'meteor', from: 0, to: 1 }] }, 'phases.0.kind'],
    [{ phases: [{ kind: 'slow-route', from: 0, to: 1, route: 'cart' }] }, 'phases.0.route'],
    [{ baseline: { mix: { checkout: 0 } } }, 'baseline.mix: expected at least one action with a positive weight'],
    [
      {
        phases: [
          { kind: 'cache-outage', from: 0, to: 0.1 },
          { kind: 'cache-outage', from: 0.5, to: 0.6 },
        ],
      },
      'at most one cache-outage',
    ],
    [{ baseline: { requestsPerSecond: 0 } }, 'baseline.requestsPerSecond'],
    [{ surprise: true }, 'surprise'],
  ])('rejects %j naming the field', (raw, message) => {
    let error: unknown;
    try {
      parseProfile(raw, 'test.json');
    } catch (caught) {
      error = caught;
    }
    expect(isInvalidProfileError(error)).toBe(true);
    expect((error as Error).message).toContain('test.json');
    expect((error as Error).message).toContain(message);
  });

  it('loads a file and reports unreadable JSON by file name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'profile-'));
    try {
      writeFileSync(join(dir, 'ok.json'), JSON.stringify({ name: 'smoke', baseline: { requestsPerSecond: 3 } }));
      writeFileSync(join(dir, 'bad.json'), '{ not json');
      expect(loadProfile(join(dir, 'ok.json'))).toMatchObject({ name: 'smoke', baseline: { requestsPerSecond: 3 } });
      expect(() => loadProfile(join(dir, 'bad.json'))).toThrow(/bad\.json[\s\S]*cannot read it as JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ramps a surge up, holds its peak and ramps down', () => {
    const profile = parseProfile({
      phases: [{ kind: 'surge', from: 0.2, to: 0.6, peakMultiplier: 10, rampShare: 0.25 }],
    });
    const at = (share: number) => shopperMultiplierAt(profile, share * 100_000, 100_000);
    expect(at(0.1)).toBe(1);
    expect(at(0.2)).toBe(1);
    expect(at(0.25)).toBeCloseTo(5.5); // half way up a 10 s ramp
    expect(at(0.3)).toBeCloseTo(10);
    expect(at(0.4)).toBeCloseTo(10);
    expect(at(0.55)).toBeCloseTo(5.5);
    expect(at(0.6)).toBe(1);
  });

  it('knows which bot floods are under way', () => {
    const profile = defaultProfile();
    expect(activeBotFloods(profile, 0, 120_000)).toEqual([]);
    expect(activeBotFloods(profile, 0.2 * 120_000, 120_000)).toHaveLength(1);
    expect(activeBotFloods(profile, 0.3 * 120_000, 120_000)).toEqual([]); // the window is half-open
  });

  it('samples actions in proportion to their weights', () => {
    const mix = cumulativeMix({ checkout: 1, 'list-products': 3 });
    // Cumulative in the order of SHOPPER_ACTIONS: list-products [0, 0.75), checkout [0.75, 1).
    expect(pickAction(mix, 0.1)).toBe('list-products');
    expect(pickAction(mix, 0.74)).toBe('list-products');
    expect(pickAction(mix, 0.76)).toBe('checkout');
    expect(pickAction(mix, 0.9999999)).toBe('checkout');
  });
});

describe('parseDurationMs', () => {
  it.each([
    ['120s', 120_000],
    ['2m', 120_000],
    ['1m30s', 90_000],
    ['500ms', 500],
    ['45', 45_000],
    ['1h', 3_600_000],
  ])('%s → %d ms', (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });

  it.each(['', 'soon', '10 parsecs', '0s', '-5s', '5s10'])('rejects %j naming the option', (text) => {
    expect(() => parseDurationMs(text, '--duration')).toThrow(InvalidDurationError);
    expect(() => parseDurationMs(text, '--duration')).toThrow(/--duration/);
  });
});

describe('scaleProfileRates', () => {
  it('scales shoppers and bots, and nothing else', () => {
    const profile = defaultProfile();
    const third = scaleProfileRates(profile, 1 / 3);
    expect(third.baseline.requestsPerSecond).toBeCloseTo(profile.baseline.requestsPerSecond / 3);
    const bots = (p: typeof profile) =>
      p.phases
        .filter((phase) => phase.kind === 'bot-flood')
        .map((phase) => (phase.kind === 'bot-flood' ? phase.requestsPerSecond : 0));
    expect(bots(third)).toEqual(bots(profile).map((rate) => rate / 3));
    expect(third.phases.map((p) => [p.kind, p.from, p.to])).toEqual(profile.phases.map((p) => [p.kind, p.from, p.to]));
    expect(third.stockPerProduct).toBe(profile.stockPerProduct);
  });
});
