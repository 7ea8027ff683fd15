import { parseControllerEvent } from '../../../lambda/flag-controller/controller-event';

describe('parseControllerEvent', () => {
  it('reads a composite alarm state change (the AWS documentation example shape)', () => {
    const event = {
      version: '0',
      id: 'd3dfc86d-384d-24c8-0345-9f7986db0b80',
      'detail-type': 'CloudWatch Alarm State Change',
      source: 'aws.cloudwatch',
      account: '123456789012',
      time: '2022-07-22T15:57:45Z',
      region: 'us-east-1',
      resources: ['arn:aws:cloudwatch:us-east-1:123456789012:alarm:ServiceAggregatedAlarm'],
      detail: {
        alarmName: 'ServiceAggregatedAlarm',
        state: {
          actionsSuppressedBy: 'WaitPeriod',
          value: 'ALARM',
          reason:
            'arn:aws:cloudwatch:…:alarm:SuppressionDemo.EventBridge.FirstChild transitioned to ALARM at Friday 22 July, 2022 15:57:45 UTC',
          reasonData: '{}',
          timestamp: '2022-07-22T15:57:45.394+0000',
        },
        previousState: {
          value: 'OK',
          reason: 'arn:aws:cloudwatch:…',
          reasonData: '{}',
          timestamp: '2022-07-22T15:56:14.552+0000',
        },
        configuration: {
          alarmRule: 'ALARM(FirstChild) OR ALARM(SecondChild)',
          actionsSuppressor: 'ServiceMaintenanceAlarm',
          actionsSuppressorWaitPeriod: 120,
          actionsSuppressorExtensionPeriod: 180,
        },
      },
    };
    expect(parseControllerEvent(event)).toEqual({
      ok: true,
      event: {
        kind: 'alarm-event',
        eventId: event.id,
        alarmName: 'ServiceAggregatedAlarm',
        state: 'ALARM',
        previousState: 'OK',
        time: event.time,
      },
    });
  });

  it('reads a scheduled event and the commands', () => {
    expect(
      parseControllerEvent({
        version: '0',
        id: 'x',
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        time: '2026-11-27T09:00:00Z',
        detail: {},
      }),
    ).toMatchObject({ ok: true, event: { kind: 'schedule' } });
    expect(parseControllerEvent({ action: 'get' })).toEqual({ ok: true, event: { kind: 'get' } });
    expect(parseControllerEvent({ action: 'clear', reason: 'done', actor: 'bob' })).toMatchObject({
      ok: true,
      event: { kind: 'command', command: { action: 'clear' } },
    });
    expect(
      parseControllerEvent({
        action: 'override',
        breakers: { payments: true },
        ttlSeconds: 60,
        reason: 'down',
        actor: 'bob',
      }),
    ).toMatchObject({ ok: true });
  });

  it.each([
    [[], 'expected an object'],
    [{ action: 'override', level: 2, ttlSeconds: 0, reason: 'r', actor: 'a' }, 'ttlSeconds'],
    [{ action: 'override', breakers: { Payments: true }, ttlSeconds: 60, reason: 'r', actor: 'a' }, 'breakers'],
    [{ action: 'override', level: 2, ttlSeconds: 60, reason: ' ', actor: 'a' }, 'reason'],
    [{ action: 'get', extra: 1 }, 'extra'],
  ])('names the problem in %j', (event, fragment) => {
    const parsed = parseControllerEvent(event);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.problems.join('\n')).toContain(fragment);
  });
});
