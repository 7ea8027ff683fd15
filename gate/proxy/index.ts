/** The gate proxy: createGate / startGate, and the pieces other tools reuse. */
export { createGate, startGate, type Gate, type GateOptions, type GateTimeouts, type StartedGate } from './gate-server';
export { signHmacUserKey } from '../../contracts/hmac-user-key';
export { createIdentityResolver, type ClientIdentity, type IdentityResolver } from './client-identity';
export { clientIpFrom } from './forwarded-for';
export { signHs256Jwt, verifyHs256Jwt } from './hs256-jwt';
export { compileRouteTable, type RouteMatch, type RouteTable } from './route-table';
export { normalizeRequestTarget, parseRequestTarget, type RequestTarget } from './request-target';
export { createIdentityHeaderWriter, withoutCookie } from './identity-headers';
export { createJsonLogger, silentLogger, type GateLogger, type LogLevel } from './gate-logger';
export type { GateMetricsSnapshot, ClassCounts, ProcessGauges } from './gate-metrics-recorder';
export { rateLimitHeaders, policyWindowSeconds, retryAfterSeconds, sharedCacheMayStore } from './rate-limit-headers';
export {
  createUpstreamClient,
  pipeBody,
  isUpstreamFailure,
  UpstreamFailure,
  type UpstreamClient,
  type UpstreamResponse,
} from './upstream-client';
