/** The AWS path of `saleday queue`: the controller found through the sale stack's output, invoked with the lever, its refusals shown. */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { isQueueLeverError, LambdaQueueLevers } from '../../../cli/queue/queue-levers';

const lambda = mockClient(LambdaClient);
const cloudFormation = mockClient(CloudFormationClient);
const STACK = 'Saleday-black-friday-Sale';
const summary = {
  open: true,
  preQueue: false,
  ratePerSecond: 30,
  waiting: 120,
  admittedPerMinute: 1800,
  estimatedWaitSeconds: 4,
  issuedCount: 900,
  keyId: 'k1',
};

function levers() {
  return new LambdaQueueLevers(
    lambda as unknown as LambdaClient,
    cloudFormation as unknown as CloudFormationClient,
    STACK,
  );
}

function answers(payload: unknown, functionError?: string) {
  lambda.on(InvokeCommand).resolves({
    StatusCode: 200,
    FunctionError: functionError,
    Payload: new TextEncoder().encode(JSON.stringify(payload)) as never,
  });
}

beforeEach(() => {
  lambda.reset();
  cloudFormation.reset();
  cloudFormation.on(DescribeStacksCommand, { StackName: STACK }).resolves({
    Stacks: [
      {
        StackName: STACK,
        CreationTime: new Date(),
        StackStatus: 'UPDATE_COMPLETE',
        Outputs: [{ OutputKey: 'WaitingRoomControllerFunctionName', OutputValue: 'room-controller-fn' }],
      },
    ],
  });
});

it('invokes the controller named by the stack output with the lever and returns its answer', async () => {
  answers({
    outcome: 'written',
    changes: ['room opened (by hand: r, ana)'],
    summary,
    version: 3,
    control: {},
    state: {},
    attempts: 1,
    ticks: 1,
  });
  const result = await levers().apply({ action: 'open', ttlSeconds: 600, reason: 'r', actor: 'ana' });
  expect(result).toMatchObject({ outcome: 'written', version: 3, summary });
  const input = lambda.commandCalls(InvokeCommand)[0]!.args[0].input;
  expect(input.FunctionName).toBe('room-controller-fn');
  expect(JSON.parse(new TextDecoder().decode(input.Payload as Uint8Array))).toEqual({
    action: 'open',
    ttlSeconds: 600,
    reason: 'r',
    actor: 'ana',
  });
});

it('asks for status', async () => {
  answers({ outcome: 'status', summary, version: 3, control: {} });
  expect((await levers().status()).summary).toEqual(summary);
});

it('shows the controller’s refusal with its problems', async () => {
  answers({ outcome: 'skipped', problems: ['ratePerSecond: got 500; expected …'] });
  const error = await levers()
    .apply({ action: 'rate', ratePerSecond: 500, ttlSeconds: 60, reason: 'r', actor: 'a' })
    .catch((e: unknown) => e);
  expect(isQueueLeverError(error)).toBe(true);
  expect((error as Error).message).toContain('refused the command:\n  - ratePerSecond: got 500');
});

it('names a sale deployed without the room', async () => {
  cloudFormation.on(DescribeStacksCommand).resolves({
    Stacks: [{ StackName: STACK, CreationTime: new Date(), StackStatus: 'UPDATE_COMPLETE', Outputs: [] }],
  });
  await expect(levers().status()).rejects.toThrow(
    `stack ${STACK} has no output WaitingRoomControllerFunctionName; expected a sale deployed with waitingRoom.enabled`,
  );
});
