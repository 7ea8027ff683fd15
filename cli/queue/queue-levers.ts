/**
 * The two ways `saleday queue` pulls the waiting room's levers, behind one interface:
 * - against a Redis (`--redis-url`: the rehearsal, a tunnel to ElastiCache, the tests) through the
 *   controller's own cycle, without measurements or the edge store (the deployed controller
 *   copies the room to the KeyValueStore on its next tick);
 * - against AWS, by invoking the deployed waiting-room controller (found through the sale stack's
 *   outputs), which runs the same cycle and publishes to the edge at once.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type Redis from 'ioredis';
import { WAITING_ROOM_STACK_OUTPUTS } from '../../contracts/config/waiting-room-outputs';
import { RedisRoomStore } from '../../gate/waiting-room/redis-room-store';
import { createRedisConnection } from '../../guard/redis/redis-connection';
import type { QueueCommand } from '../../lambda/waiting-room-controller/queue-commands';
import { closedRoomState, roomControlOf } from '../../lambda/waiting-room-controller/room-control';
import type { RoomControllerResult } from '../../lambda/waiting-room-controller/room-controller';
import {
  roomPolicyOf,
  type RoomControllerSettings,
} from '../../lambda/waiting-room-controller/room-controller-settings';
import { readDegradationLevel, readIssuedCount } from '../../lambda/waiting-room-controller/room-redis';
import { summarizeRoom, type RoomSummary } from '../../lambda/waiting-room-controller/room-summary';
import { runRoomCycle } from '../../lambda/waiting-room-controller/run-room-cycle';
import { ConnectionAttempts, explainRedisFailure } from '../flags/redis-reachability';

export interface QueueStatus {
  summary: RoomSummary;
  /** The room record's version (0: nothing written yet). */
  version: number;
  /** The controller's bookkeeping: the levers in force. */
  control: unknown;
}

export interface QueueLeverOutcome extends QueueStatus {
  outcome: 'written' | 'unchanged';
  changes: string[];
}

export interface QueueLevers {
  status(): Promise<QueueStatus>;
  apply(command: QueueCommand): Promise<QueueLeverOutcome>;
  close(): Promise<void>;
}

export class QueueLeverError extends Error {
  readonly code = 'SALEDAY_QUEUE_LEVER_FAILED';
  constructor(message: string) {
    super(message);
    this.name = 'QueueLeverError';
  }
}

export function isQueueLeverError(error: unknown): error is QueueLeverError {
  return error instanceof QueueLeverError;
}

export class RedisQueueLevers implements QueueLevers {
  private readonly client: Redis;
  private readonly attempts: ConnectionAttempts;
  private readonly store: RedisRoomStore;

  constructor(
    private readonly url: string,
    private readonly settings: RoomControllerSettings,
    private readonly now: () => number = Date.now,
  ) {
    this.client = createRedisConnection({
      url,
      connectionName: 'saleday-cli-queue',
      connectTimeoutMs: 3000,
      commandTimeoutMs: 2000,
      disconnectTimeoutMs: 200,
    });
    this.attempts = new ConnectionAttempts(this.client);
    this.store = new RedisRoomStore({ redis: this.client, saleName: settings.saleName });
  }

  async status(): Promise<QueueStatus> {
    return this.explained(async () => {
      const record = await this.store.read();
      const state = record?.state ?? closedRoomState(this.settings.room, 'k1');
      const issued = await readIssuedCount(this.client, this.settings.saleName);
      return {
        summary: summarizeRoom(state, issued, this.now()),
        version: record?.version ?? 0,
        control: roomControlOf(record?.control, state.ratePerSecond),
      };
    });
  }

  async apply(command: QueueCommand): Promise<QueueLeverOutcome> {
    const result = await this.explained(() =>
      runRoomCycle(
        {
          store: this.store,
          policy: roomPolicyOf(this.settings),
          room: this.settings.room,
          readIssuedCount: () => readIssuedCount(this.client, this.settings.saleName),
          readDegradationLevel: () => readDegradationLevel(this.client),
        },
        command,
        this.now(),
      ),
    );
    return {
      outcome: result.outcome,
      changes: result.changes,
      summary: result.summary,
      version: result.version,
      control: result.control,
    };
  }

  async close(): Promise<void> {
    if (this.attempts.summary() && this.client.status !== 'ready') {
      this.client.disconnect();
      return;
    }
    await this.client.quit().catch(() => this.client.disconnect());
  }

  private async explained<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      const explained = explainRedisFailure(this.url, this.attempts, error);
      throw explained === error ? error : new QueueLeverError((explained as Error).message);
    }
  }
}

export class LambdaQueueLevers implements QueueLevers {
  private functionName: Promise<string> | undefined;

  constructor(
    private readonly lambda: LambdaClient,
    private readonly cloudFormation: CloudFormationClient,
    private readonly stackName: string,
  ) {}

  async status(): Promise<QueueStatus> {
    const result = await this.invoke({ action: 'status' });
    if (result.outcome !== 'status')
      throw new QueueLeverError(`the waiting room controller answered ${result.outcome} to status; expected status`);
    return { summary: result.summary, version: result.version, control: result.control };
  }

  async apply(command: QueueCommand): Promise<QueueLeverOutcome> {
    const result = await this.invoke(command);
    if (result.outcome !== 'written' && result.outcome !== 'unchanged')
      throw new QueueLeverError(
        `the waiting room controller answered ${result.outcome}; expected written or unchanged`,
      );
    return {
      outcome: result.outcome,
      changes: result.changes,
      summary: result.summary,
      version: result.version,
      control: result.control,
    };
  }

  async close(): Promise<void> {
    this.lambda.destroy();
    this.cloudFormation.destroy();
  }

  private async invoke(payload: QueueCommand | { action: 'status' }): Promise<RoomControllerResult> {
    const functionName = await (this.functionName ??= findRoomControllerFunction(this.cloudFormation, this.stackName));
    const response = await this.lambda.send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: 'RequestResponse',
        Payload: new TextEncoder().encode(JSON.stringify(payload)),
      }),
    );
    const text = response.Payload ? new TextDecoder().decode(response.Payload) : '';
    if (response.FunctionError)
      throw new QueueLeverError(`the waiting room controller ${functionName} failed: ${text.slice(0, 500)}`);
    let result: RoomControllerResult;
    try {
      result = JSON.parse(text) as RoomControllerResult;
    } catch {
      throw new QueueLeverError(
        `the waiting room controller ${functionName} answered something that is not JSON: ${text.slice(0, 200)}`,
      );
    }
    if (result.outcome === 'skipped')
      throw new QueueLeverError(
        `the waiting room controller refused the command:\n${result.problems.map((p) => `  - ${p}`).join('\n')}`,
      );
    return result;
  }
}

/** The controller's function name, from the sale stack's output WaitingRoomControllerFunctionName. */
export async function findRoomControllerFunction(client: CloudFormationClient, stackName: string): Promise<string> {
  let stacks;
  try {
    ({ Stacks: stacks } = await client.send(new DescribeStacksCommand({ StackName: stackName })));
  } catch (error) {
    throw new QueueLeverError(
      `cannot describe stack ${stackName} (is the sale deployed in this account and region?): ${(error as Error).message}`,
    );
  }
  const output = stacks?.[0]?.Outputs?.find((o) => o.OutputKey === WAITING_ROOM_STACK_OUTPUTS.controllerFunctionName);
  if (!output?.OutputValue)
    throw new QueueLeverError(
      `stack ${stackName} has no output ${WAITING_ROOM_STACK_OUTPUTS.controllerFunctionName}; expected a sale deployed with waitingRoom.enabled`,
    );
  return output.OutputValue;
}
