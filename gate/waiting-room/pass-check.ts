/**
 * The gate's defence in depth: while the room is open, a protected request must carry a pass that
 * is signed, unexpired and bound to the identity the gate established for this request. The edge
 * cannot check the binding (it does not see the proven identity); this is where a pass farmed by
 * one identity and handed to another is refused.
 */
import { WAITING_ROOM_PASS_COOKIE } from '../../contracts/waiting-room';
import { decodePass, identityHash, type CookieRefusal, type SecretOf, type WaitingRoomPass } from './room-cookies';

export type PassRefusal = CookieRefusal | 'expired' | 'other-identity';
export type PassCheck = { ok: true; pass: WaitingRoomPass } | { ok: false; reason: PassRefusal };

export function checkPass(input: {
  cookieHeader: string | undefined;
  identity: string;
  secretOf: SecretOf;
  nowMs: number;
}): PassCheck {
  const decoded = decodePass(cookieValue(input.cookieHeader, WAITING_ROOM_PASS_COOKIE), input.secretOf);
  if (!decoded.ok) return decoded;
  const pass = decoded.value;
  if (pass.expiresAtMs <= input.nowMs) return { ok: false, reason: 'expired' };
  const secret = input.secretOf(pass.kid) as string; // decodePass found it
  if (identityHash(secret, input.identity) !== pass.identityHash) return { ok: false, reason: 'other-identity' };
  return { ok: true, pass };
}

/** The value of cookie `name` in a Cookie header (the first one, as browsers send the most specific first). */
export function cookieValue(cookieHeader: string | undefined, name: string): string | undefined {
  if (!cookieHeader) return undefined;
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
