/**
 * What the rehearsal's room controller measures, from the gates' per-second metrics (their EMF
 * lines, the same numbers /_gate/metrics totals): the admitted shoppers' served request rate, the
 * share shed, the worst p99, over the last complete seconds.
 *
 * Utilization is the served rate over the fleet's measured capacity. The gates' adaptive
 * concurrency limits sit far above what a loopback fleet has in flight (requests take a few
 * milliseconds), so in-flight over limit would show headroom right up to the moment the gates
 * shed; the calibrated capacity is the honest ceiling here. It travels in the measurement's
 * inFlight/concurrencyLimit pair, whose ratio is all decideRate() reads of them.
 */
import type { RateMeasurement } from '../../../lambda/waiting-room-controller/decide-rate';
import type { FleetSecond } from '../metrics/fleet-metrics';

export function roomMeasurement(
  seconds: readonly FleetSecond[],
  capacityRps: number,
  activeShoppers: number,
): RateMeasurement | undefined {
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
  };
}
