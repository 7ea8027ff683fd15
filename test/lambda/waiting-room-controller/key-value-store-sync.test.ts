/** The KeyValueStore adapter against the SDK client mocked at the API: what it reads, what it sends, and when it sends nothing. */
import {
  CloudFrontKeyValueStoreClient,
  ConflictException,
  DescribeKeyValueStoreCommand,
  ListKeysCommand,
  UpdateKeysCommand,
} from '@aws-sdk/client-cloudfront-keyvaluestore';
import { mockClient } from 'aws-sdk-client-mock';
import { WAITING_ROOM_STATE_KEY, type WaitingRoomState } from '../../../contracts/waiting-room';
import { parseWaitingRoomSigningKeys } from '../../../contracts/waiting-room-secrets';
import { desiredEdgeEntries, syncEdgeStore } from '../../../lambda/waiting-room-controller/key-value-store-sync';
import { closedRoomState } from '../../../lambda/waiting-room-controller/room-control';

const ARN = 'arn:aws:cloudfront::123456789012:key-value-store/0f0e0d0c-1111-2222-3333-444455556666';
const kvs = mockClient(CloudFrontKeyValueStoreClient);
const K1 = 'one-secret-of-twenty-chars';
const K2 = 'two-secret-of-twenty-chars';
const state: WaitingRoomState = closedRoomState(
  { passMinutes: 15, passMaxMinutes: 60, initialRatePerSecond: 20 },
  'k1',
);

function storeHolds(items: Record<string, string>, etag = 'etag-1') {
  kvs.on(DescribeKeyValueStoreCommand).resolves({
    ETag: etag,
    KvsARN: ARN,
    ItemCount: Object.keys(items).length,
    TotalSizeInBytes: 1,
    Created: new Date(),
  });
  kvs.on(ListKeysCommand).resolves({ Items: Object.entries(items).map(([Key, Value]) => ({ Key, Value })) });
}

beforeEach(() => kvs.reset());

describe('desiredEdgeEntries', () => {
  it('holds the state document and one key per accepted signing secret', () => {
    const entries = desiredEdgeEntries(state, parseWaitingRoomSigningKeys(`k1:${K1},k2:${K2}`));
    expect(JSON.parse(entries.get(WAITING_ROOM_STATE_KEY)!)).toEqual(state);
    expect(entries.get('waiting-room.key.k1')).toBe(K1);
    expect(entries.get('waiting-room.key.k2')).toBe(K2);
  });
});

describe('syncEdgeStore', () => {
  it('puts what differs and deletes signing keys no longer accepted, in one UpdateKeys guarded by the ETag', async () => {
    storeHolds(
      {
        [WAITING_ROOM_STATE_KEY]: '{"old":true}',
        'waiting-room.key.k0': 'retired-secret-twenty',
        'waiting-room.key.k1': K1,
        'something-else': 'x',
      },
      'etag-7',
    );
    kvs.on(UpdateKeysCommand).resolves({ ETag: 'etag-8', ItemCount: 3, TotalSizeInBytes: 1 });
    const result = await syncEdgeStore(
      kvs as unknown as CloudFrontKeyValueStoreClient,
      ARN,
      desiredEdgeEntries(state, parseWaitingRoomSigningKeys(`k1:${K1}`)),
    );
    expect(result).toEqual({ put: [WAITING_ROOM_STATE_KEY], deleted: ['waiting-room.key.k0'], attempts: 1 });
    const update = kvs.commandCalls(UpdateKeysCommand)[0]!.args[0].input;
    expect(update).toEqual({
      KvsARN: ARN,
      IfMatch: 'etag-7',
      Puts: [{ Key: WAITING_ROOM_STATE_KEY, Value: JSON.stringify(state) }],
      Deletes: [{ Key: 'waiting-room.key.k0' }],
    });
  });

  it('sends nothing when the store already holds the room', async () => {
    storeHolds({ [WAITING_ROOM_STATE_KEY]: JSON.stringify(state), 'waiting-room.key.k1': K1 });
    const result = await syncEdgeStore(
      kvs as unknown as CloudFrontKeyValueStoreClient,
      ARN,
      desiredEdgeEntries(state, parseWaitingRoomSigningKeys(`k1:${K1}`)),
    );
    expect(result.put).toEqual([]);
    expect(kvs.commandCalls(UpdateKeysCommand)).toHaveLength(0);
  });

  it('reads every page of keys', async () => {
    kvs
      .on(DescribeKeyValueStoreCommand)
      .resolves({ ETag: 'e', KvsARN: ARN, ItemCount: 2, TotalSizeInBytes: 1, Created: new Date() });
    kvs
      .on(ListKeysCommand)
      .resolvesOnce({ Items: [{ Key: WAITING_ROOM_STATE_KEY, Value: JSON.stringify(state) }], NextToken: 'page-2' })
      .resolvesOnce({ Items: [{ Key: 'waiting-room.key.k1', Value: K1 }] });
    const result = await syncEdgeStore(
      kvs as unknown as CloudFrontKeyValueStoreClient,
      ARN,
      desiredEdgeEntries(state, parseWaitingRoomSigningKeys(`k1:${K1}`)),
    );
    expect(result.put).toEqual([]);
    expect(kvs.commandCalls(ListKeysCommand)[1]!.args[0].input.NextToken).toBe('page-2');
  });

  it('starts again from a fresh ETag when another writer changed the store in between', async () => {
    kvs
      .on(DescribeKeyValueStoreCommand)
      .resolvesOnce({ ETag: 'etag-1', KvsARN: ARN, ItemCount: 0, TotalSizeInBytes: 0, Created: new Date() })
      .resolves({ ETag: 'etag-2', KvsARN: ARN, ItemCount: 0, TotalSizeInBytes: 0, Created: new Date() });
    kvs.on(ListKeysCommand).resolves({ Items: [] });
    kvs
      .on(UpdateKeysCommand)
      .rejectsOnce(new ConflictException({ message: 'etag mismatch', $metadata: {} }))
      .resolves({ ETag: 'etag-3', ItemCount: 2, TotalSizeInBytes: 1 });
    const result = await syncEdgeStore(
      kvs as unknown as CloudFrontKeyValueStoreClient,
      ARN,
      desiredEdgeEntries(state, parseWaitingRoomSigningKeys(`k1:${K1}`)),
    );
    expect(result.attempts).toBe(2);
    expect(kvs.commandCalls(UpdateKeysCommand).map((c) => c.args[0].input.IfMatch)).toEqual(['etag-1', 'etag-2']);
  });

  it('gives up after the last attempt and lets the error through', async () => {
    storeHolds({});
    kvs.on(UpdateKeysCommand).rejects(new ConflictException({ message: 'etag mismatch', $metadata: {} }));
    await expect(
      syncEdgeStore(
        kvs as unknown as CloudFrontKeyValueStoreClient,
        ARN,
        desiredEdgeEntries(state, parseWaitingRoomSigningKeys(`k1:${K1}`)),
        2,
      ),
    ).rejects.toThrow('etag mismatch');
    expect(kvs.commandCalls(UpdateKeysCommand)).toHaveLength(2);
  });
});
