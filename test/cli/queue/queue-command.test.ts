/** `saleday queue …` end to end through commander, against a private real redis-server, on a fixed clock. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import type Redis from 'ioredis';
import { registerQueueCommand } from '../../../cli/commands/queue';
import { isQueueLeverError } from '../../../cli/queue/queue-levers';
import { RedisRoomStore } from '../../../gate/waiting-room/redis-room-store';
import { ticketCounterKey } from '../../../gate/waiting-room/ticket-issuer';
import { createRedisConnection } from '../../../guard/redis/redis-connection';
import { startRedisServer, type RedisServerHandle } from '../../support/redis-server';

const EXAMPLE = join(__dirname, '../../../saleday.config.json');
const NOW = new Date('2026-11-27T09:00:00.000Z');
const dir = mkdtempSync(join(tmpdir(), 'saleday-queue-'));
const example = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as Record<string, unknown> & { saleName: string };
const CONFIG = join(dir, 'with-room.json');
writeFileSync(
  CONFIG,
  JSON.stringify({ ...example, waitingRoom: { enabled: true, minRatePerSecond: 1, maxRatePerSecond: 100 } }),
);
let redis: RedisServerHandle;
let admin: Redis;

beforeAll(async () => {
  redis = await startRedisServer();
  admin = createRedisConnection({ url: redis.url });
});

afterAll(async () => {
  await admin.quit();
  await redis.kill();
});

beforeEach(() => admin.flushall());

/** Runs `saleday --config … queue <args> --redis-url <private redis>` and returns what it printed. */
async function saleday(
  args: string[],
  options: { now?: Date; config?: string; redis?: boolean } = {},
): Promise<string> {
  let printed = '';
  const program = new Command('saleday')
    .option('-c, --config <file>')
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, writeOut: () => undefined });
  program.commands.forEach((c) => c.exitOverride());
  registerQueueCommand(program, { write: (text) => (printed += text), now: () => options.now ?? NOW });
  for (const command of program.commands)
    [command, ...command.commands].forEach((c) =>
      c.exitOverride().configureOutput({ writeErr: () => undefined, writeOut: () => undefined }),
    );
  await program.parseAsync(
    [
      '--config',
      options.config ?? CONFIG,
      'queue',
      ...args,
      ...(options.redis === false ? [] : ['--redis-url', redis.url]),
    ],
    { from: 'user' },
  );
  return printed;
}

const stored = () => new RedisRoomStore({ redis: admin, saleName: example.saleName }).read();

describe('saleday queue (against a Redis)', () => {
  it('shows a closed room before anything is written', async () => {
    const out = await saleday(['status']);
    expect(out).toContain('Waiting room: closed (nothing written yet)');
    expect(out).toContain('Open/close lever: none');
  });

  it('opens the room for a while with a reason, and status shows the line and the lever with its time left', async () => {
    await admin.set(ticketCounterKey(example.saleName), '40');
    const out = await saleday([
      'open',
      '--for',
      '30m',
      '--reason',
      'drop sold out in seconds last time',
      '--actor',
      'ana',
    ]);
    expect(out).toContain('changed: room opened (by hand: drop sold out in seconds last time, ana)');
    expect((await stored())?.state).toMatchObject({ open: true, ticket0: 40, ratePerSecond: 20 });
    await admin.set(ticketCounterKey(example.saleName), '100');
    const status = await saleday(['status'], { now: new Date(NOW.getTime() + 60_000) });
    // 60 s at 20/s admitted everyone from ticket 40 to 99: nobody waits.
    expect(status).toContain('Waiting room: open (version 1)');
    expect(status).toContain('Waiting: 0 of 100 tickets issued');
    expect(status).toContain('Admission rate: 20/s (1200 per minute)');
    expect(status).toContain('Open/close lever: open for 29m more (drop sold out in seconds last time, ana)');
  });

  it('sets the rate by hand, pauses with 0, and clears the levers', async () => {
    await saleday(['open', '--for', '1h', '--reason', 'r', '--actor', 'ana']);
    expect(await saleday(['rate', '12.5', '--for', '15m', '--reason', 'payments slow', '--actor', 'ana'])).toContain(
      'changed: rate 12.5/s by hand (payments slow, ana)',
    );
    expect((await stored())?.state.ratePerSecond).toBe(12.5);
    await admin.set(ticketCounterKey(example.saleName), '30');
    const paused = await saleday(['rate', '0', '--for', '5m', '--reason', 'hold the line', '--actor', 'ana']);
    expect(paused).toContain('Estimated wait, last in line: unknown (admission paused)');
    const cleared = await saleday(['clear', '--reason', 'back to the controller', '--actor', 'ana']);
    expect(cleared).toContain('changed: levers cleared by ana: back to the controller');
    expect(cleared).toContain('Rate lever: none');
  });

  it('says the wait is not estimated yet after an opening, and estimates it once a rate is set by hand', async () => {
    await saleday(['open', '--for', '1h', '--reason', 'r', '--actor', 'ana']);
    expect((await stored())?.state.estimateRatePerSecond).toBe(0);
    await admin.set(ticketCounterKey(example.saleName), '400');
    const opened = await saleday(['status']);
    expect(opened).toContain(
      'Estimated wait, last in line: not yet (the controller is measuring how fast the line moves)',
    );
    const set = await saleday(['rate', '10', '--for', '15m', '--reason', 'steady', '--actor', 'ana']);
    expect(set).toContain('Estimated wait, last in line: 40s');
  });

  it('closes the room by hand even while a line waits', async () => {
    await saleday(['open', '--for', '1h', '--reason', 'r', '--actor', 'ana']);
    await admin.set(ticketCounterKey(example.saleName), '5000');
    const out = await saleday(['close', '--for', '10m', '--reason', 'false alarm', '--actor', 'bo']);
    expect(out).toContain('changed: room closed (by hand: false alarm, bo)');
    expect((await stored())?.state.open).toBe(false);
  });

  it('prints JSON with --json', async () => {
    const out = JSON.parse(await saleday(['status', '--json'])) as { summary: { open: boolean }; version: number };
    expect(out).toMatchObject({ summary: { open: false }, version: 0 });
  });
});

describe('saleday queue refuses bad input, saying what was expected', () => {
  async function failure(args: string[], options?: Parameters<typeof saleday>[1]): Promise<Error> {
    try {
      await saleday(args, options);
    } catch (error) {
      return error as Error;
    }
    throw new Error(`expected saleday queue ${args.join(' ')} to fail`);
  }

  it.each([
    [
      'a negative rate',
      ['rate', '-5', '--for', '5m', '--reason', 'r'],
      /rate: got "-5"; expected a number of tickets admitted per second, 0 or more/,
    ],
    [
      'a rate that is not a number',
      ['rate', 'fast', '--for', '5m', '--reason', 'r'],
      /rate: got "fast"; expected a number of tickets admitted per second, 0 or more/,
    ],
    ['a lever without a reason', ['open', '--for', '5m'], /required option '--reason <text>' not specified/],
    ['a lever without an expiry', ['open', '--reason', 'r'], /required option '--for <duration>' not specified/],
    [
      'an expiry that is not a duration',
      ['open', '--for', 'soon', '--reason', 'r'],
      /got "soon"; expected a duration such as 90s, 15m, 2h or 1h30m/,
    ],
    ['an unknown subcommand', ['explode'], /unknown command 'explode'/],
  ])('%s', async (_name, args, message) => {
    const error = await failure(args);
    expect(error).toBeInstanceOf(CommanderError);
    expect(error.message).toMatch(message);
    expect(await stored()).toBeUndefined();
  });

  it.each([
    [
      'a rate above waitingRoom.maxRatePerSecond',
      ['rate', '500', '--for', '5m', '--reason', 'r'],
      /ratePerSecond: got 500; expected 0 \(pause\) or a rate from waitingRoom.minRatePerSecond \(1\) to maxRatePerSecond \(100\)/,
    ],
    [
      'a lever longer than controller.maxOverrideSeconds',
      ['open', '--for', '9h', '--reason', 'r'],
      /ttlSeconds: got 32400; expected at most 14400 \(controller.maxOverrideSeconds\)/,
    ],
    ['a blank reason', ['close', '--for', '5m', '--reason', '  '], /reason: expected a reason/],
  ])('%s', async (_name, args, message) => {
    const error = await failure(args);
    expect(isQueueLeverError(error)).toBe(true);
    expect(error.message).toMatch(message);
    expect(await stored()).toBeUndefined();
  });

  it('a sale config without a waiting room', async () => {
    const error = await failure(['status'], { config: EXAMPLE });
    expect(error.message).toMatch(/waitingRoom\.enabled: got nothing; expected true/);
  });
});
