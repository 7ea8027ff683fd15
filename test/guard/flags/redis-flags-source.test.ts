import Redis from 'ioredis';
import { FLAGS_CHANNEL, FLAGS_KEY, type FlagsDocument } from '../../../contracts/flags/flags-document';
import { isFlagsDocumentRejectedError, isFlagsUnavailableError } from '../../../guard/flags/flags-errors';
import { RedisFlagsSource } from '../../../guard/flags/redis-flags-source';
import { isInvalidOptionsError } from '../../../guard/errors';
import { startRedisServer, type RedisServerHandle } from '../../support/redis-server';

// The key and channel are fixed by the contract, so these tests use a private redis-server they
// may kill and restart, never the shared one.

const POLL_MS = 150;

function flagsDoc(version: number, level = 0, openBreakers: string[] = []): FlagsDocument {
  const at = new Date(1_700_000_000_000 + version * 1000).toISOString();
  return {
    version,
    level,
    breakers: Object.fromEntries(openBreakers.map((name) => [name, { open: true, since: at, reason: 'test' }])),
    updatedAt: at,
    reason: `test v${version}`,
    override: null,
    history: [],
  };
}

async function waitFor(what: string, condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('RedisFlagsSource against a real Redis', () => {
  let server: RedisServerHandle;
  let writer: Redis;
  let source: RedisFlagsSource;
  let errors: unknown[];
  let changes: number[];

  const newWriter = (url: string) => {
    const w = new Redis(url, { maxRetriesPerRequest: 1 });
    w.on('error', () => undefined);
    return w;
  };
  /** The controller's write: SET then PUBLISH (either may be "missed" by the test). */
  const write = async (doc: FlagsDocument | string, { set = true, publish = true } = {}) => {
    const text = typeof doc === 'string' ? doc : JSON.stringify(doc);
    if (set) await writer.set(FLAGS_KEY, text);
    if (publish) await writer.publish(FLAGS_CHANNEL, text);
  };

  beforeEach(async () => {
    server = await startRedisServer();
    writer = newWriter(server.url);
    errors = [];
    changes = [];
    source = new RedisFlagsSource({ url: server.url, pollMs: POLL_MS, onError: (e) => errors.push(e) });
    source.onChange((doc) => changes.push(doc.version));
  });

  afterEach(async () => {
    await source.close();
    writer.disconnect();
    await server.kill();
  });

  it('reads the stored document on start', async () => {
    await write(flagsDoc(3, 2, ['payments']), { publish: false });
    await source.start();
    expect(source.current()).toMatchObject({ version: 3, level: 2, breakers: { payments: { open: true } } });
    expect(changes).toEqual([3]);
  });

  it('starts on the initial document when the key is empty', async () => {
    await source.start();
    expect(source.current()).toMatchObject({ version: 0, level: 0, breakers: {} });
    expect(changes).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('applies a newer published document, ignores older and malformed ones without losing the last good one', async () => {
    await source.start();
    await waitFor('subscription', () => source.status().subscribed);
    await write(flagsDoc(5, 1), { set: false });
    await waitFor('v5', () => source.current().version === 5);
    await write(flagsDoc(4, 3), { set: false });
    await write(flagsDoc(5, 3), { set: false });
    await write('{"version": 9, "level": "high"', { set: false });
    await write(JSON.stringify({ ...flagsDoc(10, 2), level: 42 }), { set: false });
    await write(flagsDoc(6, 2), { set: false }); // a marker: once it is applied, everything before was handled
    await waitFor('v6', () => source.current().version === 6);
    expect(changes).toEqual([5, 6]);
    expect(source.current().level).toBe(2);
    expect(source.status()).toMatchObject({ rejected: 2, ignoredOlder: 1 });
    expect(errors.filter(isFlagsDocumentRejectedError).map((e) => e.via)).toEqual(['message', 'message']);
  });

  it('rejects a malformed stored document on poll and keeps the last good one', async () => {
    await write(flagsDoc(2, 1), { publish: false });
    await source.start();
    await write('not json', { publish: false });
    await waitFor('a rejected poll', () => errors.some(isFlagsDocumentRejectedError));
    expect(source.current()).toMatchObject({ version: 2, level: 1 });
  });

  it('a missed message is caught by the next poll within pollMs', async () => {
    await source.start();
    await write(flagsDoc(7, 2), { publish: false });
    // without a message only the poll can bring it: a poll interval plus one read, with slack for a loaded machine
    await waitFor('v7 by poll', () => source.current().version === 7, POLL_MS * 10);
  });

  it('keeps the last-known document while Redis is down, and picks up a new one after it comes back', async () => {
    await write(flagsDoc(8, 2, ['recommender']), { publish: false });
    await source.start();
    expect(source.current().version).toBe(8);
    writer.disconnect();
    await server.kill();
    await waitFor('a failed read', () => errors.some(isFlagsUnavailableError), POLL_MS * 10);
    await pause(POLL_MS * 3);
    expect(source.current()).toMatchObject({ version: 8, level: 2, breakers: { recommender: { open: true } } });
    expect(source.status().subscribed).toBe(false);

    server = await server.restart(); // same port, empty
    writer = newWriter(server.url);
    await waitFor('resubscribed', () => source.status().subscribed, 5000);
    await pause(POLL_MS * 2);
    expect(source.current().version).toBe(8); // an empty key is not a document
    await write(flagsDoc(9, 0), { set: false }); // only announced: proves the channel is back
    await waitFor('v9 by message', () => source.current().version === 9);
    await write(flagsDoc(10, 1), { publish: false }); // only stored: proves polling is back
    await waitFor('v10 by poll', () => source.current().version === 10, POLL_MS * 10);
    expect(changes).toEqual([8, 9, 10]);
  });

  it('applies the next document whatever its version once it found the key missing (the store lost its memory)', async () => {
    await write(flagsDoc(50, 2), { publish: false });
    await source.start();
    expect(source.current()).toMatchObject({ version: 50, level: 2 });
    await writer.del(FLAGS_KEY);
    await waitFor('a read that finds no key', () => source.status().missingPolls > 0, POLL_MS * 10);
    expect(source.current().level).toBe(2); // static stability: nothing to obey instead yet
    // A controller that counts from 1 again (or whose clock is behind) is still obeyed.
    await write(flagsDoc(1, 0), { publish: false });
    await waitFor('v1 by poll', () => source.current().version === 1, POLL_MS * 10);
    expect(source.current().level).toBe(0);
    // Back to the normal order: an older document is ignored again.
    await write(flagsDoc(0, 3), { set: false });
    await write(flagsDoc(2, 1), { set: false });
    await waitFor('v2', () => source.current().version === 2);
    expect(changes).toEqual([50, 1, 2]);
  });

  it('says once per episode when the key has been missing for more than missingKeyPolls reads', async () => {
    await source.close();
    const events: Array<{ missing: boolean; polls: number }> = [];
    source = new RedisFlagsSource({
      url: server.url,
      pollMs: 20,
      missingKeyPolls: 2,
      onKeyMissing: (e) => events.push({ missing: e.missing, polls: e.polls }),
    });
    await source.start();
    await waitFor('many reads without a key', () => source.status().missingPolls >= 8, 5000);
    expect(events).toEqual([{ missing: true, polls: 3 }]);
    expect(source.status().keyMissing).toBe(true);
    await write(flagsDoc(3, 1), { publish: false });
    await waitFor('the key back', () => source.status().missingPolls === 0, 5000);
    expect(events).toEqual([
      { missing: true, polls: 3 },
      { missing: false, polls: expect.any(Number) },
    ]);
    expect(source.status().keyMissing).toBe(false);
    await writer.del(FLAGS_KEY);
    await waitFor('a second episode', () => events.length === 3, 5000);
    expect(events[2]).toEqual({ missing: true, polls: 3 });
  });

  it('a listener that throws does not stop the others', async () => {
    const seen: number[] = [];
    source.onChange(() => {
      throw new Error('boom');
    });
    source.onChange((doc) => seen.push(doc.version));
    await write(flagsDoc(1), { publish: false });
    await source.start();
    expect(seen).toEqual([1]);
  });

  it('stops polling and leaves no connection on close', async () => {
    await source.start();
    await source.close();
    await write(flagsDoc(11));
    await pause(POLL_MS * 2);
    expect(source.current().version).toBe(0);
    const clients = (await writer.client('LIST')) as string;
    expect(clients).not.toContain('saleday-flags');
  });
});

describe('RedisFlagsSource options', () => {
  it.each([
    ['url', { pollMs: 100 }],
    ['url', { url: 'not a url', pollMs: 100 }],
    ['pollMs', { url: 'redis://127.0.0.1:1', pollMs: 0 }],
    ['readTimeoutMs', { url: 'redis://127.0.0.1:1', pollMs: 100, readTimeoutMs: -1 }],
    ['missingKeyPolls', { url: 'redis://127.0.0.1:1', pollMs: 100, missingKeyPolls: 0 }],
  ])('rejects a bad %s at construction', (option, options) => {
    let caught: unknown;
    try {
      new RedisFlagsSource(options);
    } catch (error) {
      caught = error;
    }
    expect(isInvalidOptionsError(caught) && caught.option).toBe(option);
  });

  it('needs only a URL: the poll interval and the rest have defaults', async () => {
    const source = new RedisFlagsSource({ url: 'redis://127.0.0.1:1' });
    expect(source.current().version).toBe(0);
    await source.close();
  });

  it('start resolves after a failed first read when Redis is unreachable, on the initial document', async () => {
    const errors: unknown[] = [];
    const source = new RedisFlagsSource({
      url: 'redis://127.0.0.1:1',
      pollMs: 100,
      readTimeoutMs: 200,
      onError: (e) => errors.push(e),
    });
    await source.start();
    expect(source.current().version).toBe(0);
    expect(errors.some(isFlagsUnavailableError)).toBe(true);
    await source.close();
  });
});
