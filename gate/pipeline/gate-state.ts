/**
 * What the gate knows right now beyond a single request: the flags in force and whether the rate
 * limits and the flags have lost Redis. Written by the runtime and the rate-limit step, read by the
 * steps, the health answer and the metrics gauges.
 */
import type { FlagsDocument } from '../../contracts/flags/flags-document';

export class GateState {
  /** Rate limits are decided by the local fallback limiter (Redis unreachable or slow). */
  redisFallback = false;
  /** The flags key has been missing from Redis for more than the allowed polls. */
  flagsKeyMissing = false;

  constructor(public flags: FlagsDocument) {}
}
