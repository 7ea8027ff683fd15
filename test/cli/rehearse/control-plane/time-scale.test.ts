import { join } from 'node:path';
import { loadConfig } from '../../../../contracts/config/load-config';
import {
  defaultTimeScale,
  scaleConfigForRehearsal,
  scaledSeconds,
} from '../../../../cli/rehearse/control-plane/time-scale';

describe('time scale', () => {
  it('compresses a two-minute run 12× and shorter runs more', () => {
    expect(defaultTimeScale(120_000)).toBe(12);
    expect(defaultTimeScale(20_000)).toBe(72);
    expect(defaultTimeScale(24 * 3600 * 1000)).toBe(1);
  });

  it('never makes a period shorter than the one-second metrics', () => {
    expect(scaledSeconds(60, 12)).toBe(5);
    expect(scaledSeconds(10, 12)).toBe(1);
    expect(scaledSeconds(10, 72)).toBe(1);
  });

  it('scales alarm periods and calm periods, and nothing else', () => {
    const config = loadConfig(join(__dirname, '../../../../saleday.config.json'));
    const scaled = scaleConfigForRehearsal(config, 12);
    expect(scaled.alarms.map((a) => a.periodSeconds)).toEqual(
      config.alarms.map((a) => Math.max(1, Math.round(a.periodSeconds / 12))),
    );
    expect(scaled.alarms.map((a) => [a.evaluationPeriods, a.datapointsToAlarm, a.threshold])).toEqual(
      config.alarms.map((a) => [a.evaluationPeriods, a.datapointsToAlarm, a.threshold]),
    );
    expect(scaled.controller).toEqual({ ...config.controller, calmPeriodSeconds: 10, breakerCalmSeconds: 5 });
    expect(scaled.gate).toBe(config.gate);
    expect(config.controller.calmPeriodSeconds).toBe(120); // the original is untouched
  });
});
