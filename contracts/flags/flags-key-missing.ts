/**
 * The gate's metric and log event when the flags key has been missing from Redis for more than a
 * few polls: the controller has not rewritten it (down, or failing), and the gate keeps obeying its
 * last-known document. The gates emit it; alarms and dashboards read it. Imports nothing outside
 * contracts/.
 */
import { GATE_PROCESS_METRICS } from '../metrics/gate-metrics';

/** Gauge in the gate's namespace: 1 while the key has been missing for more than the allowed polls, else 0. */
export const FLAGS_KEY_MISSING_METRIC = GATE_PROCESS_METRICS.flagsKeyMissing;
