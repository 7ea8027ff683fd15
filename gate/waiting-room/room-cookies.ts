/**
 * The ticket and pass cookie values (contracts/waiting-room.ts), signed and checked with the same
 * HMAC the edge function uses, so a cookie minted here is accepted there and the other way round.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  WAITING_ROOM_IDENTITY_HASH_LENGTH,
  WAITING_ROOM_KEY_ID_PATTERN,
  WAITING_ROOM_PASS_VERSION,
  WAITING_ROOM_TICKET_VERSION,
} from '../../contracts/waiting-room';

export interface WaitingRoomTicket {
  number: number;
  issuedAtMs: number;
  identityHash: string;
  kid: string;
}

export interface WaitingRoomPass {
  number: number;
  expiresAtMs: number;
  capAtMs: number;
  identityHash: string;
  kid: string;
}

/** Why a cookie value was refused, in a word the gate can log and count. */
export type CookieRefusal = 'missing' | 'malformed' | 'unknown-key' | 'bad-signature';
export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: CookieRefusal };

/** The secret of a key id, or undefined when that key is not (or no longer) known. */
export type SecretOf = (kid: string) => string | undefined;

const NUMBER = /^\d{1,15}$/;
const IDENTITY_HASH = new RegExp(`^[A-Za-z0-9_-]{${WAITING_ROOM_IDENTITY_HASH_LENGTH}}$`);

export function signPayload(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

/** The identity binding of a ticket or pass: keyed, so the cookie does not reveal an IP address. */
export function identityHash(secret: string, identity: string): string {
  return signPayload(secret, `id:${identity}`).slice(0, WAITING_ROOM_IDENTITY_HASH_LENGTH);
}

export function encodeTicket(ticket: WaitingRoomTicket, secret: string): string {
  checkCommon(ticket.kid, ticket.identityHash, [ticket.number, ticket.issuedAtMs]);
  const payload = [WAITING_ROOM_TICKET_VERSION, ticket.number, ticket.issuedAtMs, ticket.identityHash, ticket.kid].join(
    ':',
  );
  return `${payload}.${signPayload(secret, payload)}`;
}

export function encodePass(pass: WaitingRoomPass, secret: string): string {
  checkCommon(pass.kid, pass.identityHash, [pass.number, pass.expiresAtMs, pass.capAtMs]);
  const payload = [
    WAITING_ROOM_PASS_VERSION,
    pass.number,
    pass.expiresAtMs,
    pass.capAtMs,
    pass.identityHash,
    pass.kid,
  ].join(':');
  return `${payload}.${signPayload(secret, payload)}`;
}

export function decodeTicket(value: string | undefined, secretOf: SecretOf): Decoded<WaitingRoomTicket> {
  const fields = verifiedFields(value, WAITING_ROOM_TICKET_VERSION, 5, secretOf);
  if (!fields.ok) return fields;
  const [, number, issuedAtMs, hash, kid] = fields.value;
  return { ok: true, value: { number: Number(number), issuedAtMs: Number(issuedAtMs), identityHash: hash, kid } };
}

export function decodePass(value: string | undefined, secretOf: SecretOf): Decoded<WaitingRoomPass> {
  const fields = verifiedFields(value, WAITING_ROOM_PASS_VERSION, 6, secretOf);
  if (!fields.ok) return fields;
  const [, number, expiresAtMs, capAtMs, hash, kid] = fields.value;
  return {
    ok: true,
    value: {
      number: Number(number),
      expiresAtMs: Number(expiresAtMs),
      capAtMs: Number(capAtMs),
      identityHash: hash,
      kid,
    },
  };
}

function verifiedFields(
  value: string | undefined,
  version: string,
  count: number,
  secretOf: SecretOf,
): Decoded<string[]> {
  if (!value) return { ok: false, reason: 'missing' };
  const dot = value.lastIndexOf('.');
  if (dot < 0) return { ok: false, reason: 'malformed' };
  const payload = value.slice(0, dot);
  const fields = payload.split(':');
  const kid = fields[count - 1] ?? '';
  const numbersOk = fields.slice(1, count - 2).every((f) => NUMBER.test(f));
  if (
    fields.length !== count ||
    fields[0] !== version ||
    !numbersOk ||
    !IDENTITY_HASH.test(fields[count - 2]) ||
    !WAITING_ROOM_KEY_ID_PATTERN.test(kid)
  ) {
    return { ok: false, reason: 'malformed' };
  }
  const secret = secretOf(kid);
  if (secret === undefined) return { ok: false, reason: 'unknown-key' };
  const expected = Buffer.from(signPayload(secret, payload));
  const given = Buffer.from(value.slice(dot + 1));
  if (expected.length !== given.length || !timingSafeEqual(expected, given))
    return { ok: false, reason: 'bad-signature' };
  return { ok: true, value: fields };
}

function checkCommon(kid: string, hash: string, numbers: number[]): void {
  if (!WAITING_ROOM_KEY_ID_PATTERN.test(kid))
    throw new RangeError(`waiting room key id: got ${JSON.stringify(kid)}; expected 1-32 letters, digits, _ or -`);
  if (!IDENTITY_HASH.test(hash))
    throw new RangeError(
      `waiting room identity hash: got ${JSON.stringify(hash)}; expected ${WAITING_ROOM_IDENTITY_HASH_LENGTH} base64url characters`,
    );
  for (const n of numbers) {
    if (!Number.isSafeInteger(n) || n < 0 || !NUMBER.test(String(n)))
      throw new RangeError(`waiting room cookie field: got ${n}; expected a whole number from 0 to 15 digits`);
  }
}
