/**
 * How the fleet's containers send stdout/stderr to CloudWatch Logs, where the gate's EMF metric
 * lines become metrics. The mode is set explicitly rather than left to the account's default.
 *
 * Non-blocking, with a large buffer: in blocking mode a slow CloudWatch Logs endpoint makes every
 * write to stdout wait (node writes to a pipe synchronously), which would stall the gate's request
 * path and turn a logging hiccup into an outage; non-blocking never stalls the gate and drops lines
 * only once the buffer is full, so the buffer is sized to hold many minutes of the gate's metric and
 * log lines. Lines lost that way show up as missing data, which the heartbeat alarms treat as
 * breaching (see lib/observability/heartbeat-alarms.ts).
 */
import { Size } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as logs from 'aws-cdk-lib/aws-logs';

/** In-memory buffer of the awslogs driver in non-blocking mode, per container. */
export const LOG_BUFFER_SIZE = Size.mebibytes(25);

export function containerLogging(logGroup: logs.ILogGroup, streamPrefix: string): ecs.LogDriver {
  return ecs.LogDrivers.awsLogs({
    logGroup,
    streamPrefix,
    mode: ecs.AwsLogDriverMode.NON_BLOCKING,
    maxBufferSize: LOG_BUFFER_SIZE,
  });
}
