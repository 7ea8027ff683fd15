/**
 * The app's own health path, answered by the app on its port (the gate answers its clients'
 * `/healthz` itself, contracts/reserved-paths.ts). The gate's readiness probe asks it by default,
 * the reference storefront serves it, and the fleet's container health check calls it. Imports
 * nothing of the project.
 */
export const APP_HEALTH_PATH = '/healthz';
