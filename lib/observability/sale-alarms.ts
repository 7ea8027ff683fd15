/**
 * The alarms of the config, one CloudWatch alarm each, named with cloudWatchAlarmName() so the flag
 * controller maps a state change back to its effect. Every alarm notifies the topic (on alarm and
 * on recovery); the controller reacts through EventBridge, not through the topic.
 */
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { cloudWatchAlarmName } from '../../contracts/config/names';
import type { SaledayConfig } from '../../contracts/config/schema';
import { SaleMetrics } from './sale-metrics';

/** What the alarms read of the sale config: the name (alarm names) and the configured alarms. */
export type SaleAlarmsConfig = Pick<SaledayConfig, 'saleName' | 'alarms'>;

export interface SaleAlarmsProps {
  readonly config: SaleAlarmsConfig;
  /** Where each alarm's metric comes from. */
  readonly metrics: SaleMetrics;
  /** Notified on alarm and on recovery. */
  readonly topic: sns.ITopic;
}

export class SaleAlarms extends Construct {
  /** By configured alarm name. */
  public readonly alarms: ReadonlyMap<string, cloudwatch.Alarm>;

  constructor(scope: Construct, id: string, props: SaleAlarmsProps) {
    super(scope, id);
    const { config, metrics } = props;
    const action = new cloudwatchActions.SnsAction(props.topic);
    const alarms = new Map<string, cloudwatch.Alarm>();
    for (const alarmConfig of config.alarms) {
      const alarm = new cloudwatch.Alarm(this, alarmConfig.name, {
        alarmName: cloudWatchAlarmName(config, alarmConfig),
        alarmDescription: `saleday ${config.saleName}: ${alarmConfig.metric} ${alarmConfig.comparison} than ${alarmConfig.threshold}; effect ${JSON.stringify(alarmConfig.effect)}`,
        metric: metrics.forAlarm(alarmConfig),
        threshold: SaleMetrics.thresholdFor(alarmConfig),
        comparisonOperator:
          alarmConfig.comparison === 'greater'
            ? cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD
            : cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: alarmConfig.evaluationPeriods,
        datapointsToAlarm: alarmConfig.datapointsToAlarm,
        // No traffic is not an incident (and a quiet class publishes nothing).
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      alarms.set(alarmConfig.name, alarm);
    }
    this.alarms = alarms;
  }
}
