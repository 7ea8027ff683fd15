/**
 * `saleday flags`: the levers for people on call.
 *   flags get [--json]
 *   flags set --level 2 --ttl 15m --reason "…" [--actor me]
 *   flags breaker open|close <dependency> --ttl 10m --reason "…"
 *   flags clear --reason "…"
 * With `--redis-url` they run the controller's own cycle against that Redis (the rehearsal, the
 * tests); otherwise they invoke the deployed flag controller Lambda, found through the sale stack.
 * Every change is an override with an expiry (capped at controller.maxOverrideSeconds).
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { InvalidArgumentError, type Command } from 'commander';
import { leverActor, leverDurationSeconds, REDIS_URL_OPTION_HELP } from '../support/lever-options';
import {
  ClearCommandSchema,
  OverrideCommandSchema,
  type ControllerCommand,
} from '../../lambda/flag-controller/controller-commands';
import { commandProblems, controllerSettingsFromConfig } from '../../lambda/flag-controller/controller-settings';
import { saleStackName } from '../../contracts/config/names';
import type { SaledayConfig } from '../../contracts/config/schema';
import { configFor } from '../cli-config';
import { FlagsLeverError, LambdaLevers, RedisLevers, type FlagsLevers, type LeverOutcome } from '../flags/flags-levers';
import { formatFlags } from '../flags/format-flags';
import { formatDuration } from '../flags/parse-duration';

export interface FlagsCommandIo {
  /** Where results go. @default process.stdout */
  write(text: string): void;
  /** @default () => new Date() */
  now(): Date;
}

interface LeverOptions {
  redisUrl?: string;
  json?: boolean;
  ttl?: number;
  reason?: string;
  actor?: string;
  level?: number;
}

const defaultIo: FlagsCommandIo = { write: (text) => process.stdout.write(text), now: () => new Date() };

export function registerFlagsCommand(program: Command, io: FlagsCommandIo = defaultIo): void {
  const flags = program
    .command('flags')
    .description('Read and pull the degradation and breaker levers (overrides with an expiry).');

  withCommon(
    flags
      .command('get')
      .description('Show the level, open breakers, the override and its time left, the version and the last reasons.'),
  ).action((options: LeverOptions, command: Command) =>
    withLevers(command, options, io, async (levers, config) => {
      const doc = await levers.get();
      const shedByLevel = new Map(config.degradation.map((d) => [d.level, d.shed]));
      io.write(options.json ? `${JSON.stringify(doc, null, 2)}\n` : formatFlags(doc, { now: io.now(), shedByLevel }));
    }),
  );

  withChange(
    flags
      .command('set')
      .description('Force the degradation level for a while (0 forces normal service).')
      .requiredOption('--level <n>', 'degradation level: 0 or a level of the config', integer('--level')),
  ).action((options: LeverOptions, command: Command) =>
    withLevers(command, options, io, (levers, config) =>
      change(levers, config, { action: 'override', level: options.level, ...who(options) }, options, io),
    ),
  );

  withChange(
    flags
      .command('breaker')
      .description('Force the breaker of a dependency open or closed for a while.')
      .argument('<state>', 'open or close', (value: string) => {
        if (value !== 'open' && value !== 'close')
          throw new InvalidArgumentError(`got ${JSON.stringify(value)}; expected open or close`);
        return value;
      })
      .argument('<dependency>', 'a dependency some route declares (e.g. payments)'),
  ).action((state: 'open' | 'close', dependency: string, options: LeverOptions, command: Command) =>
    withLevers(command, options, io, (levers, config) =>
      change(
        levers,
        config,
        { action: 'override', breakers: { [dependency]: state === 'open' }, ...who(options) },
        options,
        io,
      ),
    ),
  );

  withCommon(
    flags
      .command('clear')
      .description('Remove the override: the flags follow the alarms again.')
      .requiredOption('--reason <text>', 'why (recorded in the flags document and announced)')
      .option('--actor <name>', 'who asks (default: $SALEDAY_ACTOR or the login name)'),
  ).action((options: LeverOptions, command: Command) =>
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

function withCommon(command: Command): Command {
  return command
    .option('--redis-url <url>', REDIS_URL_OPTION_HELP)
    .option('--json', 'print the flags document as JSON');
}

function withChange(command: Command): Command {
  return withCommon(
    command
      .requiredOption('--ttl <duration>', 'how long the override lasts: 90s, 15m, 2h, 1h30m', leverDurationSeconds)
      .requiredOption('--reason <text>', 'why (recorded in the flags document and announced)')
      .option('--actor <name>', 'who asks (default: $SALEDAY_ACTOR or the login name)'),
  );
}

function integer(flag: string) {
  return (value: string) => {
    if (!/^\d+$/.test(value.trim()))
      throw new InvalidArgumentError(`${flag}: got ${JSON.stringify(value)}; expected a whole number`);
    return Number(value);
  };
}

function who(options: LeverOptions) {
  return { ttlSeconds: options.ttl ?? 0, reason: options.reason ?? '', actor: leverActor(options) };
}

async function withLevers(
  command: Command,
  options: LeverOptions,
  io: FlagsCommandIo,
  use: (levers: FlagsLevers, config: SaledayConfig) => Promise<void>,
): Promise<void> {
  const config = configFor(command);
  const levers: FlagsLevers = options.redisUrl
    ? new RedisLevers(options.redisUrl, controllerSettingsFromConfig(config), io.now)
    : new LambdaLevers(
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
  levers: FlagsLevers,
  config: SaledayConfig,
  command: ControllerCommand,
  options: LeverOptions,
  io: FlagsCommandIo,
): Promise<void> {
  const settings = controllerSettingsFromConfig(config);
  const dependencies = [...new Set(config.routes.flatMap((r) => r.dependencies))].sort();
  const shape = (command.action === 'override' ? OverrideCommandSchema : ClearCommandSchema).safeParse(command);
  const problems = shape.success
    ? commandProblems(settings, command, dependencies)
    : shape.error.issues.map((i) => `${i.path.join('.') || 'command'}: ${i.message}`);
  if (command.action === 'override' && command.ttlSeconds > settings.controller.maxOverrideSeconds) {
    io.write(
      `note: --ttl ${formatDuration(command.ttlSeconds)} is above controller.maxOverrideSeconds; the override lasts ${formatDuration(settings.controller.maxOverrideSeconds)}\n`,
    );
  }
  if (problems.length > 0)
    throw new FlagsLeverError(
      `the command does not fit the sale ${config.saleName}:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  const result: LeverOutcome = await levers.apply(command);
  if (options.json) {
    io.write(`${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  io.write(
    result.outcome === 'unchanged'
      ? 'Nothing changed.\n'
      : `${result.changes.map((c) => `changed: ${c}`).join('\n')}\n`,
  );
  io.write(
    formatFlags(result.document, {
      now: io.now(),
      shedByLevel: new Map(config.degradation.map((d) => [d.level, d.shed])),
      historyLines: 0,
    }),
  );
}
