/**
 * The two ways the CLI pulls the levers, behind one interface:
 * - against a Redis (`--redis-url`: the rehearsal, a tunnel to ElastiCache, the tests) through the
 *   same cycle the controller runs (decide → compare-and-set → publish);
 * - against AWS, by invoking the deployed flag controller Lambda (found through the sale stack's
 *   outputs), which does the same with the alarms read from CloudWatch.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type Redis from 'ioredis';
import { createRedisConnection } from '../../guard/redis/redis-connection';
import { initialFlags, type FlagsDocument } from '../../contracts/flags/flags-document';
import type { ControllerCommand } from '../../lambda/flag-controller/controller-commands';
import { effectsOf, policyOf, type ControllerSettings } from '../../lambda/flag-controller/controller-settings';
import type { ControllerResult } from '../../lambda/flag-controller/index';
import { RedisFlagsStore } from '../../lambda/flag-controller/redis-flags-store';
import { runControllerCycle } from '../../lambda/flag-controller/run-cycle';
import { SALE_STACK_OUTPUTS } from '../../contracts/config/names';
import { ConnectionAttempts, explainRedisFailure } from './redis-reachability';

export interface LeverOutcome {
  outcome: 'written' | 'unchanged';
  document: FlagsDocument;
  changes: string[];
}

export interface FlagsLevers {
  get(): Promise<FlagsDocument>;
  apply(command: ControllerCommand): Promise<LeverOutcome>;
  close(): Promise<void>;
}

export class FlagsLeverError extends Error {
  readonly code = 'SALEDAY_FLAGS_LEVER_FAILED';
  constructor(message: string) {
    super(message);
    this.name = 'FlagsLeverError';
  }
}

export function isFlagsLeverError(error: unknown): error is FlagsLeverError {
  return error instanceof FlagsLeverError;
}

export class RedisLevers implements FlagsLevers {
  private readonly client: Redis;
  private readonly attempts: ConnectionAttempts;
  private readonly store: RedisFlagsStore;

  constructor(
    private readonly url: string,
    private readonly settings: ControllerSettings,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.client = createRedisConnection({
      url,
      connectionName: 'saleday-cli-flags',
      connectTimeoutMs: 3000,
      commandTimeoutMs: 2000,
      disconnectTimeoutMs: 200,
    });
    this.attempts = new ConnectionAttempts(this.client);
    this.store = new RedisFlagsStore({ client: this.client });
  }

  async get(): Promise<FlagsDocument> {
    return (await this.explained(() => this.store.read())) ?? initialFlags();
  }

  async apply(command: ControllerCommand): Promise<LeverOutcome> {
    // No alarm readings here: the automatic layer stays as the controller left it.
    const result = await this.explained(() =>
      runControllerCycle(
        { store: this.store, effects: effectsOf(this.settings), policy: policyOf(this.settings) },
        { kind: 'command', command },
        this.now(),
      ),
    );
    return { outcome: result.outcome, document: result.document, changes: result.changes };
  }

  async close(): Promise<void> {
    if (this.attempts.summary() && this.client.status !== 'ready') {
      this.client.disconnect(); // nothing to say goodbye to
      return;
    }
    await this.client.quit().catch(() => this.client.disconnect());
  }

  /** A Redis that cannot be reached is named, with what was tried, instead of ioredis' retry-limit message. */
  private async explained<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      const explained = explainRedisFailure(this.url, this.attempts, error);
      throw explained === error ? error : new FlagsLeverError((explained as Error).message);
    }
  }
}

export class LambdaLevers implements FlagsLevers {
  private functionName: Promise<string> | undefined;

  constructor(
    private readonly lambda: LambdaClient,
    private readonly cloudFormation: CloudFormationClient,
    private readonly stackName: string,
  ) {}

  async get(): Promise<FlagsDocument> {
    const result = await this.invoke({ action: 'get' });
    if (result.outcome !== 'read')
      throw new FlagsLeverError(`the flag controller answered ${result.outcome} to get; expected read`);
    return result.document;
  }

  async apply(command: ControllerCommand): Promise<LeverOutcome> {
    const result = await this.invoke(command);
    if (result.outcome !== 'written' && result.outcome !== 'unchanged')
      throw new FlagsLeverError(`the flag controller answered ${result.outcome}; expected written or unchanged`);
    return { outcome: result.outcome, document: result.document, changes: result.changes };
  }

  async close(): Promise<void> {
    this.lambda.destroy();
    this.cloudFormation.destroy();
  }

  private async invoke(payload: ControllerCommand | { action: 'get' }): Promise<ControllerResult> {
    const functionName = await (this.functionName ??= findFlagControllerFunction(this.cloudFormation, this.stackName));
    const response = await this.lambda.send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: 'RequestResponse',
        Payload: new TextEncoder().encode(JSON.stringify(payload)),
      }),
    );
    const text = response.Payload ? new TextDecoder().decode(response.Payload) : '';
    if (response.FunctionError) {
      let message = text;
      try {
        const error = JSON.parse(text) as { errorType?: string; errorMessage?: string };
        message = `${error.errorType ?? 'Error'}: ${error.errorMessage ?? text}`;
      } catch {
        /* not JSON: show it as is */
      }
      throw new FlagsLeverError(`the flag controller ${functionName} failed: ${message}`);
    }
    let result: ControllerResult;
    try {
      result = JSON.parse(text) as ControllerResult;
    } catch {
      throw new FlagsLeverError(
        `the flag controller ${functionName} answered something that is not JSON: ${text.slice(0, 200)}`,
      );
    }
    if (result.outcome === 'skipped')
      throw new FlagsLeverError(
        `the flag controller refused the command:\n${result.problems.map((p) => `  - ${p}`).join('\n')}`,
      );
    return result;
  }
}

/** The controller's function name, from the sale stack's output FlagControllerFunctionName. */
export async function findFlagControllerFunction(client: CloudFormationClient, stackName: string): Promise<string> {
  let stacks;
  try {
    ({ Stacks: stacks } = await client.send(new DescribeStacksCommand({ StackName: stackName })));
  } catch (error) {
    throw new FlagsLeverError(
      `cannot describe stack ${stackName} (is the sale deployed in this account and region?): ${(error as Error).message}`,
    );
  }
  const output = stacks?.[0]?.Outputs?.find((o) => o.OutputKey === SALE_STACK_OUTPUTS.flagControllerFunctionName);
  if (!output?.OutputValue)
    throw new FlagsLeverError(
      `stack ${stackName} has no output ${SALE_STACK_OUTPUTS.flagControllerFunctionName}; expected the sale stack deployed by saleday`,
    );
  return output.OutputValue;
}
