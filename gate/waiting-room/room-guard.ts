/**
 * The gate's decision for one request while a waiting room may be open: let it through, or refuse
 * it and name the join to send the visitor to. HTTP-agnostic: the gate maps a refusal to a 302
 * for page loads (GET/HEAD) and to a 403 with the join location for the rest.
 */
import { parseWaitingRoomSigningKeys } from '../../contracts/waiting-room-secrets';
import { GATE_PATH_PREFIX, HEALTH_PATH } from '../../contracts/reserved-paths';
import {
  WAITING_ROOM_JOIN_NEXT_PARAM,
  WAITING_ROOM_JOIN_PATH,
  type WaitingRoomState,
} from '../../contracts/waiting-room';
import { checkPass, type PassRefusal } from './pass-check';
import type { SecretOf, WaitingRoomPass } from './room-cookies';

export type RoomVerdict =
  | { admit: true; why: 'room-closed' | 'unprotected'; pass?: undefined }
  | { admit: true; why: 'pass'; pass: WaitingRoomPass }
  | { admit: false; reason: PassRefusal; joinLocation: string };

export interface RoomGuardRequest {
  /** The path without the query. */
  path: string;
  /** Path and query, to come back to after joining. */
  url: string;
  cookieHeader: string | undefined;
  /** The gate's identity of this request (`u:<key>` or `ip:<addr>`). */
  identity: string;
}

export function guardRoom(input: {
  state: WaitingRoomState | undefined;
  request: RoomGuardRequest;
  secretOf: SecretOf;
  nowMs: number;
  /** Paths the room does not cover (static assets, say). @default none beyond the gate's own */
  isUnprotected?: (path: string) => boolean;
}): RoomVerdict {
  const { state, request } = input;
  if (!state?.open) return { admit: true, why: 'room-closed' };
  if (request.path === HEALTH_PATH || request.path.startsWith(GATE_PATH_PREFIX) || input.isUnprotected?.(request.path))
    return { admit: true, why: 'unprotected' };
  const check = checkPass({
    cookieHeader: request.cookieHeader,
    identity: request.identity,
    secretOf: input.secretOf,
    nowMs: input.nowMs,
  });
  if (check.ok) return { admit: true, why: 'pass', pass: check.pass };
  return {
    admit: false,
    reason: check.reason,
    joinLocation: `${WAITING_ROOM_JOIN_PATH}?${WAITING_ROOM_JOIN_NEXT_PARAM}=${encodeURIComponent(request.url)}`,
  };
}

/** The gate's signing secrets from its environment: `kid:secret` pairs separated by commas. */
export function parseSigningSecrets(
  text: string | undefined,
  variable = 'SALEDAY_WAITING_ROOM_SECRETS',
): Map<string, string> {
  // Secrets Manager hands ECS the JSON spelling CDK generates; the current key comes first either way.
  if ((text ?? '').trim().startsWith('{')) return new Map(parseWaitingRoomSigningKeys(text, variable).keys);
  const secrets = new Map<string, string>();
  const pairs = (text ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  pairs.forEach((pair, index) => {
    const colon = pair.indexOf(':');
    const kid = pair.slice(0, colon);
    const secret = pair.slice(colon + 1);
    if (colon <= 0 || !/^[A-Za-z0-9_-]{1,32}$/.test(kid) || secret.length < 16) {
      // The message names the entry, never its text: it would hold a secret.
      throw new RangeError(
        `${variable}: entry ${index + 1} of ${pairs.length} is not valid; expected kid:secret with a key id of 1-32 letters, digits, _ or - and a secret of at least 16 characters`,
      );
    }
    secrets.set(kid, secret);
  });
  return secrets;
}
