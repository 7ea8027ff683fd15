import { join } from 'node:path';
import { Command } from 'commander';
import type Redis from 'ioredis';
import {
  FLAGS_CHANNEL,
  FLAGS_KEY,
  openBreakers,
  parseFlagsDocument,
  type FlagsDocument,
} from '../../../contracts/flags/flags-document';
import { createRedisConnection } from '../../../guard/redis/redis-connection';
import { registerFlagsCommand } from '../../../cli/commands/flags';
import { isFlagsLeverError } from '../../../cli/flags/flags-levers';
import { startRedisServer, type RedisServerHandle } from '../../support/redis-server';

// The flags key is fixed, so this file owns a private redis-server.
const CONFIG = join(__dirname, '../../../saleday.config.json');
const NOW = new Date('2026-11-27T09:00:00.000Z');
let redis: RedisServerHandle;
let admin: Redis;
let subscriber: Redis;
const announced: FlagsDocument[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
  admin = createRedisConnection({ url: redis.url });
  subscriber = createRedisConnection({ url: redis.url });
  subscriber.on('message', (_c: string, message: string) => {
    const doc = parseFlagsDocument(message);
    if (doc) announced.push(doc);
  });
  await subscriber.subscribe(FLAGS_CHANNEL);
});

afterAll(async () => {
  await subscriber.quit();
  await admin.quit();
  await redis.kill();
});

beforeEach(async () => {
  await admin.del(FLAGS_KEY);
  announced.length = 0;
});

/** Runs `saleday --config … flags <args> --redis-url <private redis>` and returns what it printed. */
async function saleday(args: string[], now = NOW): Promise<string> {
  let printed = '';
  const program = new Command('saleday')
    .option('-c, --config <file>')
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  registerFlagsCommand(program, { write: (text) => (printed += text), now: () => now });
  await program.parseAsync(['--config', CONFIG, 'flags', ...args, '--redis-url', redis.url], { from: 'user' });
  return printed;
}

async function stored(): Promise<FlagsDocument | undefined> {
  return parseFlagsDocument(await admin.get(FLAGS_KEY));
}

describe('saleday flags (against a Redis)', () => {
  it('shows the initial flags before anything is written', async () => {
    const out = await saleday(['get']);
    expect(out).toContain('Flags version 0 (nothing written yet)');
    expect(out).toContain('Degradation level: 0 (normal service)');
    expect(out).toContain('Open breakers: none');
    expect(out).toContain('Override: none');
  });

  it('sets the level for a while, publishes it, and shows it with the time left', async () => {
    const out = await saleday([
      'set',
      '--level',
      '2',
      '--ttl',
      '15m',
      '--reason',
      'TV spot at 21:00',
      '--actor',
      'alice',
    ]);
    expect(out).toContain('changed: level 0 → 2: override by alice');
    const doc = await stored();
    expect(doc).toMatchObject({
      version: NOW.getTime(),
      level: 2,
      override: { level: 2, actor: 'alice', reason: 'TV spot at 21:00', expiresAt: '2026-11-27T09:15:00.000Z' },
    });
    await admin.ping();
    for (let i = 0; i < 100 && announced.length === 0; i += 1) await new Promise((r) => setImmediate(r));
    expect(announced.map((d) => d.version)).toEqual([NOW.getTime()]);

    const later = await saleday(['get'], new Date(NOW.getTime() + 150_000));
    expect(later).toContain('Degradation level: 2 (sheds low, normal)');
    expect(later).toContain(
      'Override: level 2 (12m 30s left, until 2026-11-27T09:15:00.000Z); last set by alice: TV spot at 21:00',
    );
    expect(later).toContain(`Flags version ${NOW.getTime()}, updated 2026-11-27T09:00:00.000Z (2m 30s ago)`);
    expect(later).toMatch(/Last changes:\n {2}v1795770000000 2026-11-27T09:00:00.000Z level 2: override by alice/);

    const json = JSON.parse(await saleday(['get', '--json'])) as FlagsDocument;
    expect(json).toEqual(doc);
  });

  it('opens and closes a breaker by hand, on top of a level override', async () => {
    await saleday(['set', '--level', '1', '--ttl', '30m', '--reason', 'warm-up', '--actor', 'alice']);
    const out = await saleday([
      'breaker',
      'open',
      'payments',
      '--ttl',
      '10m',
      '--reason',
      'provider incident',
      '--actor',
      'bob',
    ]);
    expect(out).toContain('changed: breaker payments opened: override by bob');
    expect(out).toContain('Open breakers: payments');
    const doc = (await stored())!;
    expect(doc).toMatchObject({
      version: NOW.getTime() + 1,
      level: 1,
      override: { level: 1, breakers: { payments: true }, actor: 'bob' },
    });

    await saleday(['breaker', 'close', 'payments', '--ttl', '10m', '--reason', 'provider back', '--actor', 'bob']);
    expect(openBreakers((await stored())!)).toEqual([]);
  });

  it('keeps a 15-minute level override when a breaker is opened for 10 minutes, and shows both', async () => {
    await saleday(['set', '--level', '2', '--ttl', '15m', '--reason', 'TV spot', '--actor', 'alice']);
    const out = await saleday(
      ['breaker', 'open', 'payments', '--ttl', '10m', '--reason', 'provider incident', '--actor', 'bob'],
      new Date(NOW.getTime() + 60_000),
    );
    expect(out).toContain(
      'override by bob for 600 s, level 2 until 2026-11-27T09:15:00.000Z, breaker payments open until 2026-11-27T09:11:00.000Z: provider incident',
    );
    expect((await stored())?.override).toMatchObject({
      level: 2,
      levelExpiresAt: '2026-11-27T09:15:00.000Z',
      breakerExpiresAt: { payments: '2026-11-27T09:11:00.000Z' },
      expiresAt: '2026-11-27T09:15:00.000Z',
    });
    const shown = await saleday(['get'], new Date(NOW.getTime() + 120_000));
    expect(shown).toContain(
      'Override: level 2 (13m left, until 2026-11-27T09:15:00.000Z), breaker payments open (9m left, until 2026-11-27T09:11:00.000Z); last set by bob: provider incident',
    );
  });

  it('clears the override, then says there is nothing to clear', async () => {
    await saleday(['set', '--level', '3', '--ttl', '5m', '--reason', 'drill', '--actor', 'alice']);
    const out = await saleday(['clear', '--reason', 'drill over', '--actor', 'carol']);
    expect(out).toContain('changed: override by alice cleared by carol: drill over');
    expect(out).toContain('changed: level 3 → 0');
    expect(await stored()).toMatchObject({ version: NOW.getTime() + 1, level: 0, override: null });
    expect(await saleday(['clear', '--reason', 'again', '--actor', 'carol'])).toContain('Nothing changed.');
    expect((await stored())?.version).toBe(NOW.getTime() + 1);
  });

  it('caps a ttl above controller.maxOverrideSeconds, and says so', async () => {
    const out = await saleday(['set', '--level', '1', '--ttl', '24h', '--reason', 'all day', '--actor', 'alice']);
    expect(out).toContain('note: --ttl 24h is above controller.maxOverrideSeconds; the override lasts 4h');
    expect((await stored())?.override?.expiresAt).toBe('2026-11-27T13:00:00.000Z');
  });

  it.each([
    [
      'a level the sale does not define',
      ['set', '--level', '7', '--ttl', '5m', '--reason', 'x'],
      /level: got 7; expected 0 or a configured degradation level \(1, 2, 3\)/,
    ],
    [
      'an unknown dependency',
      ['breaker', 'open', 'warehouse', '--ttl', '5m', '--reason', 'x'],
      /breakers\.warehouse: unknown dependency; expected one of inventory, payments, recommender/,
    ],
    ['a blank reason', ['clear', '--reason', '   '], /reason: expected a reason/],
  ])('refuses %s and writes nothing', async (_name, args, message) => {
    const error = await saleday(args).catch((e: unknown) => e);
    expect(isFlagsLeverError(error)).toBe(true);
    expect((error as Error).message).toMatch(message);
    expect(await stored()).toBeUndefined();
  });

  it.each([
    [['set', '--level', '2', '--ttl', 'soon', '--reason', 'x'], /expected a duration such as 90s, 15m, 2h or 1h30m/],
    [['set', '--level', 'two', '--ttl', '5m', '--reason', 'x'], /--level: got "two"; expected a whole number/],
    [['breaker', 'half-open', 'payments', '--ttl', '5m', '--reason', 'x'], /expected open or close/],
    [['set', '--level', '2', '--reason', 'x'], /required option '--ttl <duration>' not specified/],
  ])('rejects bad arguments %j before touching Redis', async (args, message) => {
    await expect(saleday(args)).rejects.toThrow(message);
    expect(await stored()).toBeUndefined();
  });
});
