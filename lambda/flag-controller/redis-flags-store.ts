/**
 * The flags document in Redis (ElastiCache in AWS): one Lua script compares versions, stores and
 * publishes atomically, so two controllers racing, or a retried invocation, never let an older
 * decision overwrite a newer one, and every stored document is announced to the gates exactly once.
 */
import type Redis from 'ioredis';
import { CONTROLLER_SERVICE_NAME } from '../../contracts/metrics/controller-metrics';
import {
  FLAGS_CHANNEL,
  FLAGS_KEY,
  initialFlags,
  parseFlagsDocument,
  type FlagsDocument,
} from '../../contracts/flags/flags-document';
import type { FlagsStore, FlagsWriteResult } from '../../guard/flags/flags-store';
import { createRedisConnection, type RedisConnectionOptions } from '../../guard/redis/redis-connection';

/**
 * KEYS[1] the document key; ARGV[1] the new document JSON, ARGV[2] its version, ARGV[3] the channel.
 * Returns {1, json} when stored, {0, storedJson, storedVersion} when the stored one is as new or newer.
 * A stored value that is not JSON with a numeric version is replaced: it cannot be newer than anything.
 */
const COMPARE_AND_SET_SCRIPT = `
local stored = redis.call('GET', KEYS[1])
if stored then
  local ok, decoded = pcall(cjson.decode, stored)
  if ok and type(decoded) == 'table' and type(decoded['version']) == 'number' and decoded['version'] >= tonumber(ARGV[2]) then
    return {0, stored, tostring(decoded['version'])}
  end
end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('PUBLISH', ARGV[3], ARGV[1])
return {1, ARGV[1]}
`;

export interface RedisFlagsStoreOptions extends Partial<RedisConnectionOptions> {
  /** An existing connection to use (not closed by close()); otherwise `url` is required. */
  client?: Redis;
}

type CompareAndSetReply = [number, string, string?];

export class RedisFlagsStore implements FlagsStore {
  private readonly client: Redis;
  private readonly ownsClient: boolean;

  constructor(options: RedisFlagsStoreOptions) {
    if (options.client) {
      this.client = options.client;
      this.ownsClient = false;
    } else {
      if (!options.url)
        throw new TypeError('RedisFlagsStore: url: got nothing; expected a redis:// or rediss:// URL (or a client)');
      this.client = createRedisConnection({
        connectionName: CONTROLLER_SERVICE_NAME,
        commandTimeoutMs: 2000,
        ...options,
        url: options.url,
      });
      this.ownsClient = true;
    }
    this.client.defineCommand('saledayFlagsCompareAndSet', { numberOfKeys: 1, lua: COMPARE_AND_SET_SCRIPT });
  }

  async read(): Promise<FlagsDocument | undefined> {
    return parseFlagsDocument(await this.client.get(FLAGS_KEY));
  }

  async write(doc: FlagsDocument): Promise<FlagsWriteResult> {
    const json = JSON.stringify(doc);
    const command = (this.client as unknown as Record<string, (...args: unknown[]) => Promise<CompareAndSetReply>>)
      .saledayFlagsCompareAndSet;
    const [stored, text, storedVersion] = await command.call(
      this.client,
      FLAGS_KEY,
      json,
      String(doc.version),
      FLAGS_CHANNEL,
    );
    if (stored === 1) return { written: true, current: doc };
    // A newer document won. If it is not one we can read, stand in a blank one at its version so the
    // caller's next decision (a newer version) replaces it.
    const current = parseFlagsDocument(text) ?? {
      ...initialFlags(),
      version: Number(storedVersion),
      reason: 'unreadable flags document',
    };
    return { written: false, current };
  }

  async close(): Promise<void> {
    if (!this.ownsClient) return;
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }
}
