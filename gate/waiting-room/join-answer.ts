/**
 * What the gate answers on `GET /_gate/queue/join?next=<relative URL>`: a ticket cookie (a new one,
 * or the visitor's own if it is still valid and theirs) and a redirect back to `next`. HTTP-agnostic
 * so the gate server only copies the status and headers out.
 */
import { WAITING_ROOM_JOIN_PATH, WAITING_ROOM_TICKET_COOKIE } from '../../contracts/waiting-room';
import { cookieValue } from './pass-check';
import { decodeTicket, identityHash, type SecretOf, type WaitingRoomTicket } from './room-cookies';
import type { TicketIssuer } from './ticket-issuer';

/** A ticket keeps its place for a day; a visitor who comes back later joins again. */
export const TICKET_COOKIE_MAX_AGE_SECONDS = 24 * 3600;

export interface JoinAnswer {
  statusCode: 302;
  location: string;
  /** Set-Cookie header values (none when the visitor's own ticket was kept). */
  setCookie: string[];
  ticket: WaitingRoomTicket;
  /** True when no new ticket was issued. */
  kept: boolean;
}

export async function answerJoin(input: {
  issuer: TicketIssuer;
  identity: string;
  next: string | undefined;
  cookieHeader: string | undefined;
  secretOf: SecretOf;
}): Promise<JoinAnswer> {
  const location = safeNext(input.next);
  const existing = decodeTicket(cookieValue(input.cookieHeader, WAITING_ROOM_TICKET_COOKIE), input.secretOf);
  if (
    existing.ok &&
    identityHash(input.secretOf(existing.value.kid) as string, input.identity) === existing.value.identityHash
  ) {
    return { statusCode: 302, location, setCookie: [], ticket: existing.value, kept: true };
  }
  const issued = await input.issuer.issue(input.identity);
  const cookie = `${WAITING_ROOM_TICKET_COOKIE}=${issued.cookieValue}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=${TICKET_COOKIE_MAX_AGE_SECONDS}`;
  return { statusCode: 302, location, setCookie: [cookie], ticket: issued.ticket, kept: false };
}

/** Only a path on this site (not `//host`, not a backslash trick, not the join itself); else `/`. */
export function safeNext(next: string | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.includes('\\') || hasControlCharacter(next))
    return '/';
  if (next === WAITING_ROOM_JOIN_PATH || next.startsWith(`${WAITING_ROOM_JOIN_PATH}?`)) return '/';
  return next;
}

function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}
