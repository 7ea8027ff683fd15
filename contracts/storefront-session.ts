/**
 * The reference storefront's anonymous session, which the gate proves with `identity.proof: hmac`
 * and `identity.cookie` set to this cookie. Imports nothing of the project.
 */

/** Mints a session: answers `{ session, expiresInSeconds }` and sets the cookie below. */
export const SESSION_PATH = '/api/session';

/** Holds `<session id>.<base64url HMAC-SHA256(secret, session id)>`, the form `proof: hmac` verifies. */
export const SESSION_COOKIE_NAME = 'saleday-session';
