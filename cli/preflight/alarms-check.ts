/** Every alarm of the config exists in CloudWatch under its sale name and is OK. */
import { DescribeAlarmsCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { cloudWatchAlarmName } from '../../contracts/config/names';
import { failed, passed, type CheckResult } from './check-result';
import type { PreflightContext } from './preflight-context';

export const ALARMS_CHECK = 'Sale alarms exist and are OK';

/** DescribeAlarms accepts at most 100 names per call. */
const NAMES_PER_CALL = 100;

export async function checkAlarms(ctx: PreflightContext): Promise<CheckResult> {
  const expected = ctx.config.alarms.map((a) => cloudWatchAlarmName(ctx.config, a));
  if (expected.length === 0) return failed(ALARMS_CHECK, 'the config defines no alarms: nothing would flip the levers');
  const found = new Map<string, MetricAlarm>();
  for (let i = 0; i < expected.length; i += NAMES_PER_CALL) {
    let nextToken: string | undefined;
    do {
      const page = await ctx.clients.cloudWatch.send(
        new DescribeAlarmsCommand({
          AlarmNames: expected.slice(i, i + NAMES_PER_CALL),
          AlarmTypes: ['MetricAlarm'],
          NextToken: nextToken,
        }),
      );
      for (const alarm of page.MetricAlarms ?? []) if (alarm.AlarmName) found.set(alarm.AlarmName, alarm);
      nextToken = page.NextToken;
    } while (nextToken);
  }
  const missing = expected.filter((name) => !found.has(name));
  const notOk = expected.filter((name) => found.has(name) && found.get(name)!.StateValue !== 'OK');
  const problems = [
    ...(missing.length > 0 ? [`missing: ${missing.join(', ')}`] : []),
    ...(notOk.length > 0
      ? [`not OK: ${notOk.map((n) => `${n} (${found.get(n)!.StateValue ?? 'unknown'})`).join(', ')}`]
      : []),
  ];
  if (problems.length > 0) return failed(ALARMS_CHECK, problems.join('; '));
  return passed(ALARMS_CHECK, `${expected.length} alarms OK`);
}
