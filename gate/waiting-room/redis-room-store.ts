/**
 * Reads and writes the room record in Redis. A write names the version it replaces and succeeds
 * only if that is still the stored one (one Lua script), so two controllers racing never lose an
 * update silently and an older decision never overwrites a newer one.
 */
import type Redis from 'ioredis';
import { parseRoomRecord, type RoomRecord } from './room-record';

/** `<prefix>:{wr:<sale>}:state`: the same hash tag as the ticket counter. */
export function roomStateKey(saleName: string, keyPrefix = 'saleday'): string {
  if (/[{}]/.test(keyPrefix) || /[{}]/.test(saleName))
    throw new RangeError(
      `waiting room key: got prefix ${JSON.stringify(keyPrefix)} and sale ${JSON.stringify(saleName)}; expected no braces (they would move the hash tag)`,
    );
  return `${keyPrefix}:{wr:${saleName}}:state`;
}

// KEYS[1] record; ARGV[1] expected version (0: none yet); ARGV[2] new record. Returns {1, new version} or {0, stored version}.
const COMPARE_AND_SET = `
local current = redis.call('GET', KEYS[1])
local version = 0
if current then version = cjson.decode(current).version end
if version ~= tonumber(ARGV[1]) then return {0, version} end
redis.call('SET', KEYS[1], ARGV[2])
return {1, cjson.decode(ARGV[2]).version}
`;

export type WriteOutcome = { written: true; version: number } | { written: false; storedVersion: number };

export class RedisRoomStore {
  readonly key: string;

  constructor(private readonly options: { redis: Redis; saleName: string; keyPrefix?: string }) {
    this.key = roomStateKey(options.saleName, options.keyPrefix);
  }

  /** The stored record, or undefined when there is none yet; throws RoomRecordRejectedError on a malformed one. */
  async read(): Promise<RoomRecord | undefined> {
    const text = await this.options.redis.get(this.key);
    return text === null ? undefined : parseRoomRecord(text);
  }

  /** Writes `record` as version `replacing + 1` if `replacing` is still the stored version (0 for the first write). */
  async write(record: Omit<RoomRecord, 'version'>, replacing: number): Promise<WriteOutcome> {
    const version = replacing + 1;
    const text = JSON.stringify({ ...record, version });
    parseRoomRecord(text); // never store what a reader would reject
    const [written, stored] = (await this.options.redis.eval(
      COMPARE_AND_SET,
      1,
      this.key,
      String(replacing),
      text,
    )) as [number, number];
    return written === 1 ? { written: true, version } : { written: false, storedVersion: Number(stored) };
  }
}
