/**
 * What the rehearsal's room controller measures, from the gates' per-second metrics (their EMF
 * lines, the same numbers /_gate/metrics totals): the admitted shoppers' served request rate, the
 * share shed, the worst p99, over the last complete seconds.
 *
 * Utilization is the served rate over the fleet's measured capacity. The gates' adaptive
 * concurrency limits sit far above what a loopback fleet has in flight (requests take a few
 * milliseconds), so in-flight over limit would show headroom right up to the moment the gates
 * shed; the calibrated capacity is the honest ceiling here. It travels in the measurement's
 * inFlight/concurrencyLimit pair, whose ratio is all decideRate() reads of them. The gates' own
 * in-flight count and adaptive limits ride along in `gates`, for the report: when the gates shed
 * below the calibrated capacity, the limits say whether they had shrunk.
 */
import type { RateMeasurement } from '../../../lambda/waiting-room-controller/decide-rate';
import type { FleetSecond } from '../metrics/fleet-metrics';

/** The gates' requests in flight and adaptive concurrency limits, summed over the gates. */
export interface GateConcurrency {
  inFlight: number;
  concurrencyLimit: number;
}

/** A rate measurement with what the gates' own concurrency was, averaged over the same seconds. */
export type RoomMeasurement = RateMeasurement & { gates?: GateConcurrency };

export function roomMeasurement(
  seconds: readonly FleetSecond[],
  capacityRps: number,
  activeShoppers: number,
): RoomMeasurement | undefined {
  if (seconds.length === 0 || !(capacityRps > 0)) return undefined;
  let served = 0;
  let requests = 0;
  let shed = 0;
  let p99 = 0;
  for (const second of seconds) {
    for (const c of Object.values(second.classes)) {
      if (!c) continue;
      served += c.served;
      requests += c.requests;
      shed += c.shed;
      p99 = Math.max(p99, c.latencyP99);
    }
  }
  const servedPerSecond = served / seconds.length;
  return {
    admittedRequestsPerSecond: servedPerSecond,
    activeShoppers,
    shedShare: requests > 0 ? Math.min(1, shed / requests) : 0,
    p99Ms: p99,
    inFlight: servedPerSecond,
    concurrencyLimit: capacityRps,
    gates: {
      inFlight: mean(seconds, (s) => s.inFlight),
      concurrencyLimit: mean(seconds, (s) => s.concurrencyLimit),
    },
  };
}

const mean = (seconds: readonly FleetSecond[], of: (second: FleetSecond) => number) =>
  seconds.reduce((sum, second) => sum + of(second), 0) / seconds.length;
