/**
 * POST /api/session: mints an anonymous session the gate can prove with `identity.proof: hmac`.
 * The cookie holds `<id>.<base64url HMAC-SHA256(secret, id)>`, signed by the gate's own function
 * with the secret the gate reads (the same environment variable), so a bot rotating identities
 * must mint each one here, where the gate rate-limits it per client IP.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { SESSION_COOKIE_NAME, SESSION_PATH } from '../contracts/storefront-session';
import { InvalidOptionsError } from '../guard/errors';
import { signHmacUserKey } from '../contracts/hmac-user-key';
import { NO_STORE } from './http-caching';

export const DEFAULT_SESSION_SECRET_ENV = 'SALEDAY_IDENTITY_SECRET';
export const DEFAULT_SESSION_MAX_AGE_SECONDS = 7 * 24 * 60 * 60;
const MIN_SECRET_LENGTH = 16;
/** 18 random bytes: 24 URL-safe characters, unguessable and within the gate's user key pattern. */
const SESSION_ID_BYTES = 18;

export interface SessionOptions {
  /** The environment variable holding the signing secret (the gate's `identity.secretEnv`). @default 'SALEDAY_IDENTITY_SECRET' */
  secretEnv?: string;
  /** Where the secret is read from. @default process.env */
  env?: NodeJS.ProcessEnv;
  /** The cookie's Max-Age. @default 604800 (7 days) */
  maxAgeSeconds?: number;
  /** Sets the cookie without `Secure`, for plain-HTTP development only. @default false */
  insecureCookie?: boolean;
}

export interface SessionSettings {
  secret: string;
  maxAgeSeconds: number;
  insecureCookie: boolean;
}

/**
 * The session settings, or undefined when the secret's variable is unset (sessions off: the
 * endpoint answers 501 saying what to set). A secret shorter than 16 characters refuses to start.
 */
export function resolveSessionSettings(options: SessionOptions = {}): SessionSettings | undefined {
  const secretEnv = options.secretEnv ?? DEFAULT_SESSION_SECRET_ENV;
  if (!/^[A-Z_][A-Z0-9_]*$/.test(secretEnv))
    throw new InvalidOptionsError(
      'sessions.secretEnv',
      secretEnv,
      'an environment variable name such as SALEDAY_IDENTITY_SECRET',
    );
  const maxAgeSeconds = options.maxAgeSeconds ?? DEFAULT_SESSION_MAX_AGE_SECONDS;
  if (!Number.isInteger(maxAgeSeconds) || maxAgeSeconds < 60 || maxAgeSeconds > 400 * 24 * 60 * 60) {
    throw new InvalidOptionsError(
      'sessions.maxAgeSeconds',
      options.maxAgeSeconds,
      'an integer number of seconds between 60 and 34560000 (400 days)',
    );
  }
  const secret = (options.env ?? process.env)[secretEnv];
  if (secret === undefined || secret === '') return undefined;
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new InvalidOptionsError(
      secretEnv,
      '<set but short>',
      `a secret of at least ${MIN_SECRET_LENGTH} characters to sign sessions (the same one the gate verifies them with)`,
    );
  }
  return { secret, maxAgeSeconds, insecureCookie: options.insecureCookie ?? false };
}

export function registerSessionRoute(
  app: FastifyInstance,
  settings: SessionSettings | undefined,
  secretEnv = DEFAULT_SESSION_SECRET_ENV,
): void {
  app.post(SESSION_PATH, async (_request, reply) => {
    reply.header('cache-control', NO_STORE);
    if (!settings) {
      return reply.code(501).send({
        error: 'sessions-disabled',
        message: `this storefront mints no sessions: set ${secretEnv} (at least ${MIN_SECRET_LENGTH} characters, the gate's identity secret) in its environment`,
      });
    }
    const session = randomBytes(SESSION_ID_BYTES).toString('base64url');
    const attributes = [
      `Path=/`,
      `Max-Age=${settings.maxAgeSeconds}`,
      'HttpOnly',
      'SameSite=Lax',
      ...(settings.insecureCookie ? [] : ['Secure']),
    ];
    reply.header(
      'set-cookie',
      [`${SESSION_COOKIE_NAME}=${signHmacUserKey(session, settings.secret)}`, ...attributes].join('; '),
    );
    return reply.code(201).send({ session, expiresInSeconds: settings.maxAgeSeconds });
  });
}
