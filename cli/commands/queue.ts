/**
 * `saleday queue`: the waiting room's levers for people on call.
 *   queue status [--json]
 *   queue open --for 30m --reason "…" [--actor me]
 *   queue close --for 10m --reason "…"
 *   queue rate <per-second> --for 15m --reason "…"     (0 pauses admission)
 *   queue clear --reason "…"                           (the controller decides again)
 * With `--redis-url` they run the controller's own cycle against that Redis (the rehearsal, the
 * tests); otherwise they invoke the deployed waiting-room controller, found through the sale stack.
 * Every lever expires (at most controller.maxOverrideSeconds) and records who asked and why.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { InvalidArgumentError, type Command } from 'commander';
import { leverActor, leverDurationSeconds, REDIS_URL_OPTION_HELP } from '../support/lever-options';
import { saleStackName } from '../../contracts/config/names';
import type { SaledayConfig } from '../../contracts/config/schema';
import { QueueCommandSchema, type QueueCommand } from '../../lambda/waiting-room-controller/queue-commands';
import { leverProblems } from '../../lambda/waiting-room-controller/room-controller';
import { roomControllerSettingsFromConfig } from '../../lambda/waiting-room-controller/room-controller-settings';
import { configFor } from '../cli-config';
import { formatQueueStatus } from '../queue/format-queue';
import { LambdaQueueLevers, QueueLeverError, RedisQueueLevers, type QueueLevers } from '../queue/queue-levers';

export interface QueueCommandIo {
  write(text: string): void;
  now(): Date;
}

interface QueueOptions {
  redisUrl?: string;
  json?: boolean;
  for?: number;
  reason?: string;
  actor?: string;
}

const defaultIo: QueueCommandIo = { write: (text) => process.stdout.write(text), now: () => new Date() };

export function registerQueueCommand(program: Command, io: QueueCommandIo = defaultIo): void {
  const queue = program
    .command('queue')
    .description('Read and pull the waiting room levers: open, close, or set the admission rate for a while.')
    .showHelpAfterError();

  withCommon(
    queue
      .command('status')
      .description(
        'Show whether the room is open, how many wait, the rate, the estimated wait and the levers in force.',
      ),
  ).action((options: QueueOptions, command: Command) =>
    withLevers(command, options, io, async (levers) => {
      const status = await levers.status();
      io.write(options.json ? `${JSON.stringify(status, null, 2)}\n` : formatQueueStatus(status, io.now().getTime()));
    }),
  );
  for (const action of ['open', 'close'] as const) {
    withLever(
      queue
        .command(action)
        .description(
          action === 'open'
            ? 'Open the room for a while (visitors without a pass queue).'
            : 'Close the room for a while (everyone goes straight in).',
        ),
    ).action((options: QueueOptions, command: Command) =>
      withLevers(command, options, io, (levers, config) =>
        change(levers, config, { action, ...who(options) }, options, io),
      ),
    );
  }
  withLever(
    queue
      .command('rate')
      .description(
        'Set the admission rate for a while (0 pauses admission); the controller carries on from it afterwards.',
      )
      .argument('<per-second>', 'tickets admitted per second: 0 or more', rateArgument),
  ).action((ratePerSecond: number, options: QueueOptions, command: Command) =>
    withLevers(command, options, io, (levers, config) =>
      change(levers, config, { action: 'rate', ratePerSecond, ...who(options) }, options, io),
    ),
  );
  withCommon(
    queue
      .command('clear')
      .description('Remove every lever: the room follows its schedule, the degradation level and the gates again.')
      .requiredOption('--reason <text>', 'why (recorded with the room)')
      .option('--actor <name>', 'who asks (default: $SALEDAY_ACTOR or the login name)'),
  ).action((options: QueueOptions, command: Command) =>
    withLevers(command, options, io, (levers, config) =>
      change(
        levers,
        config,
        { action: 'clear', reason: options.reason ?? '', actor: leverActor(options) },
        options,
        io,
      ),
    ),
  );
}

/** `12`, `0`, `2.5`; anything else (a negative number, a word) is refused with what was expected. */
export function rateArgument(value: string): number {
  const trimmed = value.trim();
  if (!/^\d+(\.\d+)?$/.test(trimmed))
    throw new InvalidArgumentError(
      `rate: got ${JSON.stringify(value)}; expected a number of tickets admitted per second, 0 or more (0 pauses admission)`,
    );
  return Number(trimmed);
}

function withCommon(command: Command): Command {
  return command.option('--redis-url <url>', REDIS_URL_OPTION_HELP).option('--json', 'print the result as JSON');
}

function withLever(command: Command): Command {
  return withCommon(
    command
      .requiredOption('--for <duration>', 'how long the lever lasts: 90s, 15m, 2h, 1h30m', leverDurationSeconds)
      .requiredOption('--reason <text>', 'why (recorded with the room and shown by status)')
      .option('--actor <name>', 'who asks (default: $SALEDAY_ACTOR or the login name)'),
  );
}

function who(options: QueueOptions) {
  return { ttlSeconds: options.for ?? 0, reason: options.reason ?? '', actor: leverActor(options) };
}

async function withLevers(
  command: Command,
  options: QueueOptions,
  io: QueueCommandIo,
  use: (levers: QueueLevers, config: SaledayConfig) => Promise<void>,
): Promise<void> {
  const config = configFor(command);
  if (!config.waitingRoom || (!options.redisUrl && !config.waitingRoom.enabled)) {
    throw new QueueLeverError(
      `waitingRoom.enabled: got ${config.waitingRoom?.enabled ?? 'nothing'}; expected true (deploy the sale with its waiting room first${config.waitingRoom ? ', or use --redis-url for a local room' : ''})`,
    );
  }
  const levers: QueueLevers = options.redisUrl
    ? new RedisQueueLevers(options.redisUrl, roomControllerSettingsFromConfig(config), () => io.now().getTime())
    : new LambdaQueueLevers(
        new LambdaClient({ region: config.app.region }),
        new CloudFormationClient({ region: config.app.region }),
        saleStackName(config),
      );
  try {
    await use(levers, config);
  } finally {
    await levers.close();
  }
}

async function change(
  levers: QueueLevers,
  config: SaledayConfig,
  command: QueueCommand,
  options: QueueOptions,
  io: QueueCommandIo,
): Promise<void> {
  const settings = roomControllerSettingsFromConfig(config);
  const shape = QueueCommandSchema.safeParse(command);
  const problems = shape.success
    ? leverProblems(command, settings.maxLeverSeconds, settings.room)
    : shape.error.issues.map((i) => `${i.path.join('.') || 'command'}: ${i.message}`);
  if (problems.length > 0)
    throw new QueueLeverError(
      `the command does not fit the sale ${config.saleName}:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  const result = await levers.apply(command);
  if (options.json) {
    io.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  io.write(
    result.changes.length === 0 ? 'Nothing changed.\n' : `${result.changes.map((c) => `changed: ${c}`).join('\n')}\n`,
  );
  io.write(formatQueueStatus(result, io.now().getTime()));
}
