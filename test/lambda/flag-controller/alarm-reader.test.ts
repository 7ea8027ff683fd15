import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { readAlarmStates } from '../../../lambda/flag-controller/alarm-reader';

const cloudWatch = mockClient(CloudWatchClient);
const client = new CloudWatchClient({ region: 'eu-west-1' });
const T = new Date('2026-11-27T09:00:00Z');

beforeEach(() => cloudWatch.reset());

describe('readAlarmStates', () => {
  it('follows NextToken and reads metric and composite alarms', async () => {
    cloudWatch
      .on(DescribeAlarmsCommand)
      .resolvesOnce({
        MetricAlarms: [{ AlarmName: 'a', StateValue: 'ALARM', StateTransitionedTimestamp: T }],
        NextToken: 't2',
      })
      .resolvesOnce({
        MetricAlarms: [{ AlarmName: 'b', StateValue: 'OK', StateUpdatedTimestamp: T }],
        CompositeAlarms: [{ AlarmName: 'c', StateValue: 'INSUFFICIENT_DATA', StateTransitionedTimestamp: T }],
      });
    const states = await readAlarmStates(client, { alarmNamePrefix: 'saleday-winter-flash-' });
    expect(states).toEqual([
      { name: 'a', state: 'ALARM', updatedAt: T },
      { name: 'b', state: 'OK', updatedAt: T },
      { name: 'c', state: 'INSUFFICIENT_DATA', updatedAt: T },
    ]);
    const calls = cloudWatch.commandCalls(DescribeAlarmsCommand).map((c) => c.args[0].input);
    expect(calls).toEqual([
      {
        AlarmNamePrefix: 'saleday-winter-flash-',
        AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
        MaxRecords: 100,
        NextToken: undefined,
      },
      {
        AlarmNamePrefix: 'saleday-winter-flash-',
        AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
        MaxRecords: 100,
        NextToken: 't2',
      },
    ]);
  });

  it('asks for at most 100 names per request, and none for an empty list', async () => {
    cloudWatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
    const names = Array.from({ length: 150 }, (_, i) => `alarm-${i}`);
    await readAlarmStates(client, { alarmNames: names });
    const calls = cloudWatch.commandCalls(DescribeAlarmsCommand).map((c) => c.args[0].input.AlarmNames?.length);
    expect(calls).toEqual([100, 50]);
    cloudWatch.resetHistory();
    expect(await readAlarmStates(client, { alarmNames: [] })).toEqual([]);
    expect(cloudWatch.commandCalls(DescribeAlarmsCommand)).toHaveLength(0);
  });

  it('skips entries without a name or a known state', async () => {
    cloudWatch
      .on(DescribeAlarmsCommand)
      .resolves({ MetricAlarms: [{ StateValue: 'ALARM' }, { AlarmName: 'x', StateValue: 'WEIRD' as never }] });
    expect(await readAlarmStates(client, { alarmNames: ['x'] })).toEqual([]);
  });

  it('lets an API error through (the invocation fails and EventBridge retries it)', async () => {
    cloudWatch.on(DescribeAlarmsCommand).rejects(new Error('Throttling: Rate exceeded'));
    await expect(readAlarmStates(client, { alarmNames: ['x'] })).rejects.toThrow(/Throttling/);
  });
});
