/**
 * The app's own liveness path behind the gate: the fleet's container health check and the gate's
 * upstream readiness probe call it, and the reference storefront answers it. Imports nothing of the
 * project.
 */
export const APP_HEALTH_PATH = '/healthz';
