/**
 * The headers the gate and the app behind it agree on: identity, deadline, failed dependency.
 *
 * The gate is the only source of identity the app sees: it removes every client-sent copy of
 * these headers (and of the header or cookie it reads the identity from) and sets its own.
 * This file imports nothing of the project, so the gate, the storefront and any tool can share it.
 */

/** Who the gate established: `u:<proven key>` for a proven user, `ip:<address>` otherwise. */
export const SALEDAY_USER_HEADER = 'saleday-user';

/** Whether the identity in `saleday-user` was proven (`1`) or is the anonymous IP key (`0`). */
export const SALEDAY_USER_PROVEN_HEADER = 'saleday-user-proven';

/** Prefix of a proven user's key in `saleday-user`. */
export const PROVEN_USER_PREFIX = 'u:';

/** Prefix of an anonymous (trusted client IP) key in `saleday-user`. */
export const ANONYMOUS_USER_PREFIX = 'ip:';

/**
 * What a key in `saleday-user` may hold after its prefix: 1–128 characters the app can use as a
 * store key without escaping (IPv6 addresses included).
 */
export const USER_KEY_PATTERN = /^[A-Za-z0-9._:@-]{1,128}$/;

/**
 * When the gate gives up on this request, as epoch milliseconds: an app that cannot finish a
 * side effect (a reservation, a charge) before then should not start it.
 */
export const SALEDAY_DEADLINE_HEADER = 'saleday-deadline';

/**
 * Set by the app on a 5xx to name the one dependency that failed (`inventory`, `payments`), so
 * the gate feeds that dependency's breaker alone rather than every dependency of the route.
 */
export const FAILED_DEPENDENCY_HEADER = 'saleday-failed-dependency';
