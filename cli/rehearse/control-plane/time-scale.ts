/**
 * A sale's alarms think in minutes (60 s periods, two-minute calm periods); a rehearsal lasts two
 * minutes. The rehearsal therefore runs the control plane on compressed time: every period and calm
 * period of the config is divided by the time scale, so at the default scale (12 for a 120 s run) a
 * 60 s CloudWatch period lasts 5 s and a 120 s calm period 10 s. Gate metrics are per second, so no
 * scaled period is shorter than 1 s (a 10 s high-resolution period becomes 1 s).
 */
import type { SaledayConfig } from '../../../contracts/config/schema';

/** The scale at which a 120 s rehearsal shows alarms fire and levels step down: 60 s periods become 5 s. */
export const REFERENCE_RUN_SECONDS = 120;
export const REFERENCE_TIME_SCALE = 12;

/** Shorter runs compress more so the same story (escalate, calm down, restore) fits in them. */
export function defaultTimeScale(durationMs: number): number {
  return Math.max(1, (REFERENCE_TIME_SCALE * REFERENCE_RUN_SECONDS * 1000) / durationMs);
}

export function scaledSeconds(seconds: number, timeScale: number): number {
  return Math.max(1, Math.round(seconds / timeScale));
}

/**
 * The config the local control plane runs on: alarm periods and controller calm periods divided by
 * the time scale. Only the rehearsal uses it, and it is never re-validated (a 5 s breaker calm period
 * is below the schema's minimum for a real deployment, on purpose).
 */
export function scaleConfigForRehearsal(config: SaledayConfig, timeScale: number): SaledayConfig {
  return {
    ...config,
    alarms: config.alarms.map((alarm) => ({ ...alarm, periodSeconds: scaledSeconds(alarm.periodSeconds, timeScale) })),
    controller: {
      ...config.controller,
      calmPeriodSeconds: scaledSeconds(config.controller.calmPeriodSeconds, timeScale),
      breakerCalmSeconds: scaledSeconds(config.controller.breakerCalmSeconds, timeScale),
    },
  };
}
