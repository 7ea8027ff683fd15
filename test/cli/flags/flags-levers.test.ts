import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { Command } from 'commander';
import { initialFlags } from '../../../contracts/flags/flags-document';
import { registerFlagsCommand } from '../../../cli/commands/flags';
import { findFlagControllerFunction, isFlagsLeverError, LambdaLevers } from '../../../cli/flags/flags-levers';
import { formatDuration, parseDurationSeconds } from '../../../cli/flags/parse-duration';

const CONFIG = join(__dirname, '../../../saleday.config.json');
const NOW = new Date('2026-11-27T09:00:00.000Z');
const FUNCTION = 'Saleday-winter-flash-Sale-FlagController1A2B3C-xyz';
const cloudFormation = mockClient(CloudFormationClient);
const lambda = mockClient(LambdaClient);

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)) as never;
const payloadOf = (call: number) =>
  JSON.parse(
    new TextDecoder().decode(lambda.commandCalls(InvokeCommand)[call].args[0].input.Payload as Uint8Array),
  ) as unknown;

beforeEach(() => {
  cloudFormation.reset();
  lambda.reset();
  cloudFormation.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'Saleday-winter-flash-Sale',
        StackStatus: 'UPDATE_COMPLETE',
        CreationTime: NOW,
        Outputs: [
          { OutputKey: 'ClusterName', OutputValue: 'c' },
          { OutputKey: 'FlagControllerFunctionName', OutputValue: FUNCTION },
        ],
      },
    ],
  });
});

async function saleday(args: string[]): Promise<string> {
  let printed = '';
  const program = new Command('saleday')
    .option('-c, --config <file>')
    .exitOverride()
    .configureOutput({ writeErr: () => undefined });
  registerFlagsCommand(program, { write: (text) => (printed += text), now: () => NOW });
  await program.parseAsync(['--config', CONFIG, 'flags', ...args], { from: 'user' });
  return printed;
}

describe('saleday flags (against AWS: invoking the controller Lambda)', () => {
  it('finds the function through the sale stack and reads the flags with {action: get}', async () => {
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      Payload: encode({ outcome: 'read', document: { ...initialFlags(NOW), version: 4, level: 1 } }),
    });
    const out = await saleday(['get']);
    expect(out).toContain('Flags version 4');
    expect(out).toContain('Degradation level: 1 (sheds low)');
    expect(cloudFormation.commandCalls(DescribeStacksCommand)[0].args[0].input).toEqual({
      StackName: 'Saleday-winter-flash-Sale',
    });
    expect(lambda.commandCalls(InvokeCommand)[0].args[0].input).toMatchObject({
      FunctionName: FUNCTION,
      InvocationType: 'RequestResponse',
    });
    expect(payloadOf(0)).toEqual({ action: 'get' });
    expect(await lambda.call(0).thisValue.config.region()).toBe('eu-west-1');
  });

  it("sends an override with the ttl in seconds and prints the controller's answer", async () => {
    const document = { ...initialFlags(NOW), version: 5, level: 2 };
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      Payload: encode({ outcome: 'written', document, changes: ['level 0 → 2: override by alice'], attempts: 1 }),
    });
    const out = await saleday(['set', '--level', '2', '--ttl', '1h30m', '--reason', 'TV spot', '--actor', 'alice']);
    expect(payloadOf(0)).toEqual({ action: 'override', level: 2, ttlSeconds: 5400, reason: 'TV spot', actor: 'alice' });
    expect(out).toContain('changed: level 0 → 2: override by alice');
    await saleday(['breaker', 'open', 'payments', '--ttl', '10m', '--reason', 'down', '--actor', 'bob']);
    expect(payloadOf(1)).toEqual({
      action: 'override',
      breakers: { payments: true },
      ttlSeconds: 600,
      reason: 'down',
      actor: 'bob',
    });
    await saleday(['clear', '--reason', 'over', '--actor', 'bob']);
    expect(payloadOf(2)).toEqual({ action: 'clear', reason: 'over', actor: 'bob' });
  });

  it('reports a function error with its type and message', async () => {
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: encode({
        errorType: 'FlagsWriteConflictError',
        errorMessage: 'gave up after 5 compare-and-set attempts',
      }),
    });
    const error = await saleday(['get']).catch((e: unknown) => e);
    expect(isFlagsLeverError(error)).toBe(true);
    expect((error as Error).message).toBe(
      `the flag controller ${FUNCTION} failed: FlagsWriteConflictError: gave up after 5 compare-and-set attempts`,
    );
  });

  it('reports the problems of a command the controller skipped', async () => {
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      Payload: encode({
        outcome: 'skipped',
        problems: ['level: got 3; expected 0 or a configured degradation level (1, 2)'],
      }),
    });
    const levers = new LambdaLevers(
      new LambdaClient({ region: 'eu-west-1' }),
      new CloudFormationClient({ region: 'eu-west-1' }),
      'Saleday-winter-flash-Sale',
    );
    await expect(
      levers.apply({ action: 'override', level: 3, ttlSeconds: 60, reason: 'x', actor: 'a' }),
    ).rejects.toThrow(/refused the command:\n {2}- level: got 3/);
    await levers.close();
  });

  it('names the stack and the output when the function cannot be found', async () => {
    const client = new CloudFormationClient({ region: 'eu-west-1' });
    cloudFormation
      .on(DescribeStacksCommand)
      .resolves({ Stacks: [{ StackName: 's', StackStatus: 'CREATE_COMPLETE', CreationTime: NOW, Outputs: [] }] });
    await expect(findFlagControllerFunction(client, 's')).rejects.toThrow(
      'stack s has no output FlagControllerFunctionName; expected the sale stack deployed by saleday',
    );
    cloudFormation.on(DescribeStacksCommand).rejects(new Error('Stack with id s does not exist'));
    await expect(findFlagControllerFunction(client, 's')).rejects.toThrow(/cannot describe stack s .*does not exist/);
  });
});

describe('durations', () => {
  it.each([
    ['90s', 90],
    ['15m', 900],
    ['2h', 7200],
    ['1h30m', 5400],
    ['600', 600],
    ['0m', undefined],
    ['', undefined],
    ['15 minutes', undefined],
    ['-5m', undefined],
  ])('reads %j as %p seconds', (text, seconds) => {
    expect(parseDurationSeconds(text)).toBe(seconds);
  });

  it.each([
    [45, '45s'],
    [750, '12m 30s'],
    [900, '15m'],
    [3900, '1h 5m'],
    [14400, '4h'],
  ])('prints %p s as %p', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});
