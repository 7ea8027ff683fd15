/** CloudFormation stack outputs: how preflight finds what the stacks created without configuration. */
import { DescribeStacksCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';

export class StackOutputError extends Error {
  readonly code = 'SALEDAY_STACK_OUTPUT';
  constructor(message: string) {
    super(message);
    this.name = 'StackOutputError';
  }
}

export function isStackOutputError(error: unknown): error is StackOutputError {
  return error instanceof StackOutputError;
}

export interface StackOutputs {
  readonly stackName: string;
  /** The output's value, or a StackOutputError naming the stack and the missing key. */
  get(key: string): string;
}

export async function readStackOutputs(client: CloudFormationClient, stackName: string): Promise<StackOutputs> {
  let outputs: Record<string, string>;
  try {
    const response = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = response.Stacks?.[0];
    if (!stack) throw new StackOutputError(`stack ${stackName} not found`);
    outputs = Object.fromEntries(
      (stack.Outputs ?? []).filter((o) => o.OutputKey && o.OutputValue).map((o) => [o.OutputKey!, o.OutputValue!]),
    );
  } catch (error) {
    if (isStackOutputError(error)) throw error;
    throw new StackOutputError(`cannot read stack ${stackName}: ${(error as Error).message}`);
  }
  return {
    stackName,
    get(key) {
      const value = outputs[key];
      if (value === undefined) throw new StackOutputError(`output ${key} missing from stack ${stackName}`);
      return value;
    },
  };
}

/** Stand-in when a stack cannot be read: every check that needs it fails with the same reason. */
export function unreadableStack(stackName: string, reason: string): StackOutputs {
  return {
    stackName,
    get() {
      throw new StackOutputError(reason);
    },
  };
}
