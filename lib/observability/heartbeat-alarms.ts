/**
 * Alarms that notice silence. The configured alarms treat missing data as not breaching (no traffic
 * is no incident), so if the gates die or their metric lines stop, those alarms go OK. These watch
 * for the silence itself, treating missing data as breaching, and page the operators through the
 * alarm topic; they have no effect on the degradation level.
 *
 * - healthy-hosts: fewer healthy targets than the fleet's floor (fleet.baselineTasks, the minimum in
 *   force at every hour; the raised floor around windows is the plan, which scaling may still be
 *   reaching).
 * - gate-heartbeat: no gate published its per-second records for three minutes. The gates publish them
 *   with or without traffic, so the alarm is meaningful whenever the fleet runs, which is always (its
 *   floor is at least one task), and needs no schedule of the sale windows.
 * - controller-errors: the flag controller failed in two of the last three minutes.
 * - controller-heartbeat: the flag controller was not invoked for three minutes (its one-minute tick
 *   stopped, e.g. the rule was disabled).
 *
 * Named outside the sale's alarm prefix, so their state changes do not wake the flag controller.
 */
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { SaledayConfig } from '../../contracts/config/schema';
import type { SaleMetrics } from './sale-metrics';
import { watchAlarmName } from './watch-alarm-name';

/** What the heartbeats read of the sale config: the name and the fleet's floor (fleet.baselineTasks). */
export type HeartbeatAlarmsConfig = Pick<SaledayConfig, 'saleName'> & {
  readonly fleet: Pick<SaledayConfig['fleet'], 'baselineTasks'>;
};

export interface HeartbeatAlarmsProps {
  readonly config: HeartbeatAlarmsConfig;
  /** Where each alarm's metric comes from. */
  readonly metrics: SaleMetrics;
  /** Notified on alarm and on recovery. */
  readonly topic: sns.ITopic;
}

export type HeartbeatName = 'healthy-hosts' | 'gate-heartbeat' | 'controller-errors' | 'controller-heartbeat';

export function heartbeatAlarmName(config: Pick<SaledayConfig, 'saleName'>, name: HeartbeatName): string {
  return watchAlarmName(config, name);
}

export class HeartbeatAlarms extends Construct {
  /** healthy-hosts, gate-heartbeat, controller-errors and controller-heartbeat, in that order. */
  public readonly alarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: HeartbeatAlarmsProps) {
    super(scope, id);
    const { config, metrics } = props;
    const action = new cloudwatchActions.SnsAction(props.topic);
    const alarm = (
      name: HeartbeatName,
      description: string,
      options: Omit<cloudwatch.AlarmProps, 'alarmName' | 'alarmDescription'>,
    ) => {
      const created = new cloudwatch.Alarm(this, name, {
        ...options,
        alarmName: heartbeatAlarmName(config, name),
        alarmDescription: `saleday ${config.saleName}: ${description}`,
      });
      created.addAlarmAction(action);
      created.addOkAction(action);
      return created;
    };
    this.alarms = [
      alarm(
        'healthy-hosts',
        `fewer than ${config.fleet.baselineTasks} healthy targets behind the load balancer (or no data)`,
        {
          metric: metrics.gatewayHealthyHosts(),
          threshold: config.fleet.baselineTasks,
          comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
          evaluationPeriods: 3,
          datapointsToAlarm: 3,
          treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        },
      ),
      alarm('gate-heartbeat', 'no gate has published its metrics (gates down, or their metric lines lost)', {
        metric: metrics.gateRecordsPublished(),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      }),
      alarm('controller-errors', 'the flag controller is failing (the level and breakers are not being managed)', {
        metric: metrics.controllerErrors(),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        // Not invoked means no errors to count; controller-heartbeat watches for that.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      alarm('controller-heartbeat', 'the flag controller has not run (its one-minute tick stopped)', {
        metric: metrics.controllerInvocations(),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      }),
    ];
  }
}
