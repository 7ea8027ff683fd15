import { formatEmfLine } from '../../../../gate/proxy/emf-line-writer';
import { MemoryFlags } from '../../../../guard/flags/memory-flags';
import { GATE_NAMESPACE } from '../../../../contracts/metrics/gate-metrics';
import { RedisFlagsStore } from '../../../../lambda/flag-controller/redis-flags-store';
import type { SaledayConfig } from '../../../../contracts/config/schema';
import { loadConfig } from '../../../../contracts/config/load-config';
import { AlarmEvaluator } from '../../../../cli/rehearse/control-plane/alarm-evaluator';
import { parseEmfLine } from '../../../../cli/rehearse/metrics/emf-line-reader';
import { FleetMetrics } from '../../../../cli/rehearse/metrics/fleet-metrics';
import { LocalControlPlane } from '../../../../cli/rehearse/control-plane/local-control-plane';
import { scaleConfigForRehearsal } from '../../../../cli/rehearse/control-plane/time-scale';
import { FakeClock } from '../../../support/fake-clock';
import { startRedisServer } from '../../../support/redis-server';
import { initialFlags } from '../../../../contracts/flags/flags-document';
import { join } from 'node:path';

const START_MS = 1_700_000_000_000;

/** The example config with only the gate-shed-rate alarm (level 1) and the payments breaker alarm. */
function config(): SaledayConfig {
  const full = loadConfig(join(__dirname, '../../../../saleday.config.json'));
  return scaleConfigForRehearsal(
    { ...full, alarms: full.alarms.filter((a) => a.name === 'gate-shed-rate' || a.name === 'payments-failing') },
    12,
  );
}

function shedSecond(metrics: FleetMetrics, second: number, shed: number): void {
  const line = formatEmfLine({
    namespace: GATE_NAMESPACE,
    timestampMs: START_MS + second * 1000 + 100,
    dimensions: { Sale: 'winter-flash', PriorityClass: 'normal' },
    metrics: [
      { name: 'Requests', unit: 'Count', value: 100 },
      { name: 'Shed', unit: 'Count', value: shed },
    ],
  });
  metrics.ingest('gate-1', parseEmfLine(line)!);
}

describe('LocalControlPlane', () => {
  it('raises the level when the scaled alarm fires and steps it down after the scaled calm period', async () => {
    const clock = new FakeClock(START_MS);
    const metrics = new FleetMetrics();
    const flags = new MemoryFlags();
    const scaled = config();
    const evaluator = new AlarmEvaluator({ config: scaled, metrics, startMs: START_MS, settleMs: 500 });
    const control = new LocalControlPlane({
      config: scaled,
      evaluator,
      store: flags,
      startMs: START_MS,
      tickMs: 5000,
      now: () => clock.now(),
    });
    await control.reset();
    const seen: number[] = [];
    flags.onChange((doc) => seen.push(doc.level));

    // Shedding 50% for seconds 0–3, then calm.
    for (let second = 0; second < 30; second += 1) shedSecond(metrics, second, second < 4 ? 50 : 0);
    for (let second = 1; second <= 30; second += 1) {
      clock.set(START_MS + second * 1000 + 600);
      await control.step();
    }
    expect(seen).toContain(1);
    expect(flags.current().level).toBe(0);
    const timeline = control.timeline();
    const firstRaised = timeline.findIndex((s) => s?.level === 1);
    const restored = timeline.findIndex((s, i) => i > firstRaised && s?.level === 0);
    // 1 s periods, 2 of 3: in ALARM once seconds 0 and 1 are evaluated.
    expect(firstRaised).toBe(2);
    // The alarm stays in ALARM through second 5 (its window still holds two hot seconds), so the
    // level steps down at the first cycle 10 s (120 s / 12) after that: second 16.
    expect(timeline.map((s) => s?.alarmsInAlarm.length ?? 0).lastIndexOf(1)).toBe(5);
    expect(restored).toBe(16);
    expect(control.flagsChanges().map((c) => c.level)).toEqual([1, 0]);
    expect(control.flagsChanges()[0]!.reason).toContain('saleday-winter-flash-gate-shed-rate');
    await control.close();
  });

  it('starts from level 0 over whatever a previous run left in Redis, and counts failed cycles', async () => {
    // A private Redis: the flags key is global, and other test files use the shared one.
    const redis = await startRedisServer();
    const store = new RedisFlagsStore({ url: redis.url });
    try {
      await store.write({ ...initialFlags(new Date(START_MS)), version: 41, level: 3, reason: 'left by an old run' });
      const clock = new FakeClock(START_MS);
      const scaled = config();
      const metrics = new FleetMetrics();
      const control = new LocalControlPlane({
        config: scaled,
        evaluator: new AlarmEvaluator({ config: scaled, metrics, startMs: START_MS }),
        store,
        startMs: START_MS,
        tickMs: 5000,
        now: () => clock.now(),
      });
      await control.reset();
      expect((await store.read())!.level).toBe(0);
      expect(control.current().level).toBe(0);

      const failing = new LocalControlPlane({
        config: scaled,
        evaluator: new AlarmEvaluator({ config: scaled, metrics, startMs: START_MS }),
        store: {
          read: () => Promise.reject(new Error('Connection is closed.')),
          write: () => Promise.reject(new Error('unused')),
          close: async () => undefined,
        },
        startMs: START_MS,
        tickMs: 1000,
        now: () => clock.now(),
      });
      clock.advance(3000);
      await failing.step();
      expect(failing.failedCycles()).toEqual({ count: 1, lastError: 'Connection is closed.' });
      expect(failing.timeline()[3]).toEqual({ level: 0, openBreakers: [], alarmsInAlarm: [] });
    } finally {
      await store.close();
      await redis.kill();
    }
  });
});
