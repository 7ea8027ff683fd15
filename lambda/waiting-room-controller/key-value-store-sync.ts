/**
 * Publishes the room to the edge: the CloudFront KeyValueStore the function reads holds the state
 * document and one key per signing secret. The store is read whole (ListKeys), compared with what
 * it should hold, and changed in one UpdateKeys guarded by the store's ETag, so nothing is written
 * when nothing changed and a concurrent writer makes this attempt fail rather than interleave.
 * The client is given (SigV4A: see index.ts for the signer import).
 */
import {
  ConflictException,
  DescribeKeyValueStoreCommand,
  ListKeysCommand,
  UpdateKeysCommand,
  type CloudFrontKeyValueStoreClient,
} from '@aws-sdk/client-cloudfront-keyvaluestore';
import { WAITING_ROOM_STATE_KEY, waitingRoomSigningKeyName, type WaitingRoomState } from '../../contracts/waiting-room';
import type { WaitingRoomSigningKeys } from '../../contracts/waiting-room-secrets';

/** UpdateKeys takes at most this many puts and deletes together. */
const MAX_KEYS_PER_UPDATE = 50;
const SIGNING_KEY_PREFIX = waitingRoomSigningKeyName('');

export interface EdgeSyncResult {
  /** Keys written (values changed or new) and keys removed; both empty when the store already matched. */
  put: string[];
  deleted: string[];
  /** UpdateKeys attempts (more than one when another writer changed the store in between). */
  attempts: number;
}

/** What the store should hold: the state, and every accepted signing key. */
export function desiredEdgeEntries(state: WaitingRoomState, keys: WaitingRoomSigningKeys): Map<string, string> {
  const entries = new Map<string, string>([[WAITING_ROOM_STATE_KEY, JSON.stringify(state)]]);
  for (const [kid, secret] of keys.keys) entries.set(waitingRoomSigningKeyName(kid), secret);
  return entries;
}

export async function syncEdgeStore(
  client: CloudFrontKeyValueStoreClient,
  kvsArn: string,
  desired: ReadonlyMap<string, string>,
  maxAttempts = 3,
): Promise<EdgeSyncResult> {
  for (let attempt = 1; ; attempt += 1) {
    const { ETag } = await client.send(new DescribeKeyValueStoreCommand({ KvsARN: kvsArn }));
    const stored = await listAll(client, kvsArn);
    const put = [...desired].filter(([key, value]) => stored.get(key) !== value).map(([key]) => key);
    // Only signing keys this controller manages are removed; anything else in the store is left alone.
    const deleted = [...stored.keys()].filter((key) => key.startsWith(SIGNING_KEY_PREFIX) && !desired.has(key));
    if (put.length === 0 && deleted.length === 0) return { put, deleted, attempts: attempt };
    if (put.length + deleted.length > MAX_KEYS_PER_UPDATE) {
      throw new RangeError(
        `waiting room store: ${put.length + deleted.length} keys to change; expected at most ${MAX_KEYS_PER_UPDATE} (UpdateKeys limit): remove old signing keys from the secret`,
      );
    }
    try {
      await client.send(
        new UpdateKeysCommand({
          KvsARN: kvsArn,
          IfMatch: ETag,
          Puts: put.length > 0 ? put.map((key) => ({ Key: key, Value: desired.get(key) })) : undefined,
          Deletes: deleted.length > 0 ? deleted.map((key) => ({ Key: key })) : undefined,
        }),
      );
      return { put, deleted, attempts: attempt };
    } catch (error) {
      if (!(error instanceof ConflictException) || attempt >= maxAttempts) throw error;
    }
  }
}

async function listAll(client: CloudFrontKeyValueStoreClient, kvsArn: string): Promise<Map<string, string>> {
  const stored = new Map<string, string>();
  let nextToken: string | undefined;
  do {
    const page = await client.send(new ListKeysCommand({ KvsARN: kvsArn, NextToken: nextToken, MaxResults: 50 }));
    for (const item of page.Items ?? []) if (item.Key !== undefined) stored.set(item.Key, item.Value ?? '');
    nextToken = page.NextToken;
  } while (nextToken);
  return stored;
}
