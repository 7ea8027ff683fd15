/**
 * Reads the current state of the sale's alarms from CloudWatch. Events arrive late, twice or out
 * of order, so the controller never trusts an event's state: it asks CloudWatch every cycle.
 */
import { CloudWatchClient, DescribeAlarmsCommand, type DescribeAlarmsCommandInput } from '@aws-sdk/client-cloudwatch';
import type { AlarmState, AlarmStateValue } from './decide';

/** DescribeAlarms accepts at most 100 names per request. */
const NAMES_PER_REQUEST = 100;

export type AlarmSelection = { alarmNames: readonly string[] } | { alarmNamePrefix: string };

export async function readAlarmStates(client: CloudWatchClient, selection: AlarmSelection): Promise<AlarmState[]> {
  const requests: DescribeAlarmsCommandInput[] =
    'alarmNamePrefix' in selection
      ? [{ AlarmNamePrefix: selection.alarmNamePrefix }]
      : chunk(selection.alarmNames, NAMES_PER_REQUEST).map((names) => ({ AlarmNames: names }));
  const states: AlarmState[] = [];
  for (const request of requests) {
    let nextToken: string | undefined;
    do {
      // Without AlarmTypes, DescribeAlarms returns metric alarms only.
      const page = await client.send(
        new DescribeAlarmsCommand({
          ...request,
          AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
          NextToken: nextToken,
          MaxRecords: 100,
        }),
      );
      for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
        const state = toStateValue(alarm.StateValue);
        if (!alarm.AlarmName || !state) continue;
        // StateTransitionedTimestamp is when the state value last changed; StateUpdatedTimestamp also moves on re-evaluation.
        const updatedAt = alarm.StateTransitionedTimestamp ?? alarm.StateUpdatedTimestamp ?? new Date(0);
        states.push({ name: alarm.AlarmName, state, updatedAt });
      }
      nextToken = page.NextToken;
    } while (nextToken);
  }
  return states;
}

function toStateValue(value: string | undefined): AlarmStateValue | undefined {
  return value === 'OK' || value === 'ALARM' || value === 'INSUFFICIENT_DATA' ? value : undefined;
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
