/**
 * The identity the app receives: only the one the gate established. Before a request goes to the
 * app, every client-sent copy of `saleday-user` and `saleday-user-proven`, and of the header (or
 * the one cookie) the gate reads identity from, is removed, and the gate sets its own pair:
 * `saleday-user: u:<key>` and `saleday-user-proven: 1` for a proven user, `ip:<trusted client IP>`
 * and `0` otherwise. Other cookies in the Cookie header pass untouched.
 */
import { SALEDAY_USER_HEADER, SALEDAY_USER_PROVEN_HEADER } from '../../contracts/request-headers';
import type { IdentityConfig } from '../../contracts/config/schema';
import type { ClientIdentity } from './client-identity';

export type UpstreamHeaders = Record<string, string | string[]>;

/** Rewrites the headers bound for the app in place; `headers` names are lower-case (node:http). */
export type IdentityHeaderWriter = (headers: UpstreamHeaders, identity: ClientIdentity) => void;

export function createIdentityHeaderWriter(identity: Pick<IdentityConfig, 'header' | 'cookie'>): IdentityHeaderWriter {
  const header = identity.header?.toLowerCase();
  const cookie = identity.cookie;
  return (headers, who) => {
    if (header !== undefined) delete headers[header];
    if (cookie !== undefined && headers.cookie !== undefined) {
      const rest = withoutCookie(headers.cookie, cookie);
      if (rest === undefined) delete headers.cookie;
      else headers.cookie = rest;
    }
    headers[SALEDAY_USER_HEADER] = who.key;
    headers[SALEDAY_USER_PROVEN_HEADER] = who.kind === 'user' ? '1' : '0';
  };
}

/**
 * The Cookie header without any cookie named `name` (compared without case, so an app whose cookie
 * parser folds case cannot read a client's `SALEDAY-SESSION` as the session), or undefined when
 * nothing else is left.
 */
export function withoutCookie(value: string | string[], name: string): string | undefined {
  const lowerName = name.toLowerCase();
  const kept: string[] = [];
  for (const part of (Array.isArray(value) ? value.join('; ') : value).split(';')) {
    const trimmed = part.trim();
    if (trimmed.length === 0) continue;
    const equals = trimmed.indexOf('=');
    const cookieName = (equals === -1 ? trimmed : trimmed.slice(0, equals)).trim().toLowerCase();
    if (cookieName !== lowerName) kept.push(trimmed);
  }
  return kept.length > 0 ? kept.join('; ') : undefined;
}
