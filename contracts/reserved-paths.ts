/**
 * Paths the gate owns or refuses. Imports nothing of the project.
 */

/** Liveness: the gate answers it itself, cheaply, and never sheds it. */
export const HEALTH_PATH = '/healthz';

/** The gate's own prefix (metrics, readiness, and what else the gate serves itself). */
export const GATE_PATH_PREFIX = '/_gate/';

/**
 * The app's operator endpoints (`/_stats`, `/_faults`, …) start with this; the gate refuses every
 * such path from clients except its own `/_gate/` paths.
 */
export const OPERATOR_PATH_PREFIX = '/_';

/**
 * Readiness: 200 while the app behind the gate has answered recently, 503 when it has stopped
 * answering. The load balancer's health check; never shed, answered from memory.
 */
export const READY_PATH = '/_gate/ready';

/** The gate's counters, breakers and flags as JSON; answered to loopback clients only. */
export const GATE_METRICS_PATH = '/_gate/metrics';
