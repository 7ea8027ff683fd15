/**
 * Runs the profile's faults at their times: a slow route on every storefront (fault injection,
 * which ends on its own), and the cache outage (taken down at the phase's start, brought back at
 * its end). It remembers when the outage really began and ended, for the report and the recovery
 * check.
 */
import type { CacheOutage } from './cache-outage';
import type { OutageWindow } from '../report/rehearsal-checks';
import { clearFaults, injectFault } from '../fleet/storefront-operator';
import { phaseWindowMs, type TrafficProfile } from '../traffic/traffic-profile';

export interface PhaseSchedule {
  cacheDown(): boolean;
  /** Seconds from the start of the run, once the outage has begun. */
  outageWindow(): OutageWindow | undefined;
  /** Resolves when every action started so far has finished. */
  settled(): Promise<void>;
  /** Cancels what has not started and clears the storefronts' faults. */
  close(): Promise<void>;
}

export function schedulePhases(options: {
  profile: TrafficProfile;
  durationMs: number;
  /** The storefronts' operator listeners, where faults are injected. */
  operatorUrls: readonly string[];
  outage: CacheOutage;
  notice: (line: string) => void;
}): PhaseSchedule {
  const startedAt = Date.now();
  const timers: NodeJS.Timeout[] = [];
  const work: Promise<void>[] = [];
  let outageStartMs: number | undefined;
  let outageEndMs: number | undefined;
  let down = false;
  const at = (offsetMs: number, action: () => Promise<void>) => {
    const timer = setTimeout(
      () => {
        work.push(
          action().catch((error: unknown) =>
            options.notice(`a phase action failed: ${error instanceof Error ? error.message : String(error)}`),
          ),
        );
      },
      Math.max(0, offsetMs - (Date.now() - startedAt)),
    );
    timer.unref();
    timers.push(timer);
  };
  for (const phase of options.profile.phases) {
    const window = phaseWindowMs(phase, options.durationMs);
    if (phase.kind === 'slow-route') {
      const fault = {
        route: phase.route,
        latencyMs: phase.latencyMs,
        errorRate: phase.errorRate,
        durationMs: Math.max(1, window.endMs - window.startMs),
      };
      at(window.startMs, async () => {
        await Promise.all(options.operatorUrls.map((url) => injectFault(url, fault)));
      });
    }
    if (phase.kind === 'cache-outage' && !options.outage.unavailable) {
      at(window.startMs, async () => {
        down = true;
        outageStartMs = Date.now() - startedAt;
        await options.outage.begin(window.endMs - window.startMs);
        if (options.outage.instant) {
          outageEndMs = Date.now() - startedAt;
          down = false;
        }
      });
      if (!options.outage.instant) {
        at(window.endMs, async () => {
          await options.outage.end();
          outageEndMs = Date.now() - startedAt;
          down = false;
        });
      }
    }
  }
  return {
    cacheDown: () => down,
    outageWindow: () =>
      outageStartMs === undefined
        ? undefined
        : {
            startSecond: Math.floor(outageStartMs / 1000),
            endSecond: Math.ceil((outageEndMs ?? options.durationMs) / 1000),
          },
    settled: async () => {
      await Promise.all(work);
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      await Promise.all(work);
      await Promise.all(options.operatorUrls.map((url) => clearFaults(url).catch(() => undefined)));
    },
  };
}
