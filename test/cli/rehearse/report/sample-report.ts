/**
 * A rehearsal report built from synthetic observations: a 30 s run with a surge, bots and an outage;
 * or, with `cut`, the same run stopped by a signal part of the way through.
 */
import { join } from 'node:path';
import { FleetMetrics } from '../../../../cli/rehearse/metrics/fleet-metrics';
import { OutcomeRecorder } from '../../../../cli/rehearse/traffic/outcome-recorder';
import {
  buildReport,
  type ControlSecond,
  type RehearsalReport,
  type ReportInputs,
} from '../../../../cli/rehearse/report/rehearsal-report';
import { scaleConfigForRehearsal } from '../../../../cli/rehearse/control-plane/time-scale';
import { defaultProfile } from '../../../../cli/rehearse/traffic/traffic-profile';
import { loadConfig } from '../../../../contracts/config/load-config';

export const SAMPLE_SECONDS = 30;

export function sampleReport(cut?: Pick<ReportInputs, 'interruption' | 'outage'>): RehearsalReport {
  const config = loadConfig(join(__dirname, '../../../../saleday.config.json'));
  const recorder = new OutcomeRecorder();
  for (let second = 0; second < SAMPLE_SECONDS; second += 1) {
    const surge = second >= 5 && second < 15;
    const outage = second >= 18 && second < 22;
    for (let i = 0; i < (surge ? 20 : 4); i += 1) {
      const at = second * 1000 + i * 10;
      recorder.record(
        {
          actor: 'shopper',
          priorityClass: 'critical',
          intendedAtMs: at,
          latencyMs: 40 + i * 5,
          status: outage ? 503 : 201,
          outcome: outage ? 'upstream-error' : 'served',
          checkoutQuantity: 1,
        },
        true,
      );
      recorder.record(
        {
          actor: 'shopper',
          priorityClass: 'low',
          intendedAtMs: at,
          latencyMs: 100 + i * 20,
          status: surge ? 200 : 200,
          outcome: surge ? 'fallback' : 'served',
        },
        false,
      );
      recorder.record(
        {
          actor: 'shopper',
          priorityClass: 'normal',
          intendedAtMs: at,
          latencyMs: 20,
          status: surge && i % 3 === 0 ? 503 : 200,
          outcome: surge && i % 3 === 0 ? 'shed' : 'served',
        },
        false,
      );
      recorder.record(
        { actor: 'shopper', priorityClass: 'high', intendedAtMs: at, latencyMs: 30, status: 200, outcome: 'served' },
        false,
      );
    }
    if (surge)
      for (let i = 0; i < 50; i += 1)
        recorder.record(
          {
            actor: 'bot',
            priorityClass: 'critical',
            intendedAtMs: second * 1000 + i,
            latencyMs: 3,
            status: i === 0 ? 201 : 429,
            outcome: i === 0 ? 'served' : 'limited',
            checkoutQuantity: 1,
          },
          true,
        );
  }
  // One request the storefront's API refused: the report must point at the generator.
  recorder.record(
    {
      actor: 'shopper',
      priorityClass: 'normal',
      intendedAtMs: 29_500,
      latencyMs: 5,
      status: 400,
      outcome: 'bad-request',
    },
    false,
  );
  const control: ControlSecond[] = Array.from({ length: SAMPLE_SECONDS }, (_, s) => ({
    level: s >= 8 && s < 16 ? 2 : s >= 16 && s < 20 ? 1 : 0,
    openBreakers: s >= 10 && s < 13 ? ['payments'] : [],
    alarmsInAlarm: s >= 7 && s < 12 ? ['gate-shed-rate'] : [],
  }));
  const metrics = new FleetMetrics();
  const report = buildReport({
    config,
    scaledConfig: scaleConfigForRehearsal(config, 12),
    profile: defaultProfile(),
    run: {
      gates: 3,
      durationMs: SAMPLE_SECONDS * 1000,
      timeScale: 12,
      redis: 'local redis-server on port 1234',
      seed: 7,
      generatedAt: new Date('2026-11-27T10:00:00Z'),
    },
    recorder,
    fleetSeconds: Array.from({ length: SAMPLE_SECONDS }, (_, s) => metrics.get(s)),
    control,
    flagsChanges: [
      {
        second: 8,
        version: 2,
        level: 2,
        openBreakers: [],
        reason: 'level 0 → 2: alarm saleday-winter-flash-gate-queue-delay in ALARM',
      },
      {
        second: 10,
        version: 3,
        level: 2,
        openBreakers: ['payments'],
        reason: 'breaker payments opened: alarm saleday-winter-flash-payments-failing in ALARM </script><b>',
      },
      {
        second: 16,
        version: 6,
        level: 1,
        openBreakers: [],
        reason: 'level 2 → 1: no alarm asked for level 2 or above for 10 s',
      },
      {
        second: 20,
        version: 8,
        level: 0,
        openBreakers: [],
        reason: 'level 1 → 0: no alarm asked for level 1 or above for 10 s',
      },
    ],
    outage: { startSecond: 18, endSecond: 22 },
    shop: { unitsSold: 0, initialUnits: 2000, oversold: false, lowestStock: 40 },
    notices: ['a notice for the reader'],
    ...cut,
  });
  recorder.close();
  return report;
}
