/**
 * The waiting room's signing keys as Secrets Manager keeps them and the gate's environment
 * (SALEDAY_WAITING_ROOM_SECRETS) receives them. Two spellings mean the same thing:
 * `kid:secret[,kid:secret]`, or a JSON object `{"kid": "secret", …}` (what CDK generates).
 * The FIRST key is the current one (it signs new tickets and passes); the others are only
 * accepted, so a rotation adds a key second, rolls the fleet, then moves it first.
 * This file imports nothing of the project.
 */

export const WAITING_ROOM_SECRETS_ENV = 'SALEDAY_WAITING_ROOM_SECRETS';

/** The key id CDK generates the first secret under. */
export const WAITING_ROOM_FIRST_KEY_ID = 'k1';

export interface WaitingRoomSigningKeys {
  /** Key id that signs new tickets and passes. */
  current: string;
  /** Every accepted key, the current one first. */
  keys: ReadonlyMap<string, string>;
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const MIN_SECRET_LENGTH = 16;

export class WaitingRoomSecretsError extends Error {
  readonly code = 'SALEDAY_WAITING_ROOM_SECRETS';
  constructor(message: string) {
    super(message);
    this.name = 'WaitingRoomSecretsError';
  }
}

export function isWaitingRoomSecretsError(error: unknown): error is WaitingRoomSecretsError {
  return error instanceof WaitingRoomSecretsError;
}

/** Parses either spelling; messages name an entry by position, never its text (it holds a secret). */
export function parseWaitingRoomSigningKeys(
  text: string | undefined,
  source = WAITING_ROOM_SECRETS_ENV,
): WaitingRoomSigningKeys {
  const trimmed = (text ?? '').trim();
  const pairs = trimmed.startsWith('{') ? jsonPairs(trimmed, source) : colonPairs(trimmed, source);
  if (pairs.length === 0)
    throw new WaitingRoomSecretsError(`${source}: got no key; expected kid:secret[,kid:secret] or {"kid": "secret"}`);
  const keys = new Map<string, string>();
  pairs.forEach(([kid, secret], index) => {
    if (!KEY_ID.test(kid) || secret.length < MIN_SECRET_LENGTH) {
      throw new WaitingRoomSecretsError(
        `${source}: entry ${index + 1} of ${pairs.length} is not valid; expected a key id of 1-32 letters, digits, _ or - and a secret of at least ${MIN_SECRET_LENGTH} characters`,
      );
    }
    if (keys.has(kid))
      throw new WaitingRoomSecretsError(`${source}: key id ${kid} appears twice; expected each key id once`);
    keys.set(kid, secret);
  });
  return { current: pairs[0]![0], keys };
}

/** The `kid:secret,…` spelling of a key set (the current key first). */
export function formatWaitingRoomSigningKeys(keys: WaitingRoomSigningKeys): string {
  const ordered = [
    [keys.current, keys.keys.get(keys.current)] as const,
    ...[...keys.keys].filter(([kid]) => kid !== keys.current),
  ];
  return ordered.map(([kid, secret]) => `${kid}:${secret}`).join(',');
}

function colonPairs(text: string, source: string): [string, string][] {
  const entries = text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  return entries.map((entry, index) => {
    const colon = entry.indexOf(':');
    if (colon <= 0)
      throw new WaitingRoomSecretsError(
        `${source}: entry ${index + 1} of ${entries.length} has no key id; expected kid:secret`,
      );
    return [entry.slice(0, colon), entry.slice(colon + 1)];
  });
}

function jsonPairs(text: string, source: string): [string, string][] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new WaitingRoomSecretsError(`${source}: starts with { but is not JSON; expected {"kid": "secret", …}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new WaitingRoomSecretsError(`${source}: expected a JSON object of key id to secret`);
  return Object.entries(parsed).map(([kid, secret], index, all) => {
    if (typeof secret !== 'string')
      throw new WaitingRoomSecretsError(
        `${source}: entry ${index + 1} of ${all.length} is not a string; expected {"kid": "secret"}`,
      );
    return [kid, secret];
  });
}
