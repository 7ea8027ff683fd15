/**
 * Alarms on the edge: the CloudFront distribution's 5xx error rate and a spike in requests the edge
 * WebACL blocks. CloudFront and CLOUDFRONT-scope WAF metrics exist only in us-east-1, and an alarm
 * can only watch metrics and notify a topic of its own region, so these live in a us-east-1 stack
 * with a topic of their own that e-mails the same operators as the sale's alarm topic.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Construct } from 'constructs';
import type { SaledayConfig } from '../../contracts/config/schema';
import { AlarmTopic } from './alarm-topic';
import { watchAlarmName } from './watch-alarm-name';

/**
 * What the edge alarms read of the sale config: the name, the alb-5xx-rate alarm and the SLA error
 * rate (edge5xxThresholdPercent), and the on-call address of their own topic.
 */
export type EdgeAlarmsConfig = Pick<SaledayConfig, 'saleName' | 'alarms' | 'sla' | 'notifications'>;

export interface EdgeAlarmsProps {
  readonly config: EdgeAlarmsConfig;
  /** The CloudFront distribution watched. */
  readonly distributionId: string;
  /** The CLOUDFRONT-scope WebACL watched. */
  readonly webAclName: string;
}

/** A spike: at least this share of the edge's requests blocked by the WebACL in a minute. */
export const BLOCKED_SHARE_SPIKE = 0.25;

export type EdgeAlarmName = 'edge-5xx-rate' | 'edge-blocked-spike';

export function edgeAlarmName(config: Pick<SaledayConfig, 'saleName'>, name: EdgeAlarmName): string {
  return watchAlarmName(config, name);
}

/**
 * The CloudFront 5xx threshold in percent: the configured alb-5xx-rate threshold (what the sale
 * already treats as too many errors), or the SLA error rate when no such alarm is configured.
 */
export function edge5xxThresholdPercent(config: Pick<SaledayConfig, 'alarms' | 'sla'>): number {
  const gateway = config.alarms.find((a) => a.metric === 'alb-5xx-rate');
  return 100 * (gateway?.threshold ?? config.sla.errorRate);
}

export class EdgeAlarms extends Construct {
  /** A us-east-1 topic of their own (an alarm notifies only a topic of its region). */
  public readonly topic: AlarmTopic;
  /** edge-5xx-rate and edge-blocked-spike, in that order. */
  public readonly alarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: EdgeAlarmsProps) {
    super(scope, id);
    const { config } = props;
    this.topic = new AlarmTopic(this, 'Topic', { config });
    const action = new cloudwatchActions.SnsAction(this.topic.topic);
    const oneMinute = Duration.minutes(1);

    const edge5xx = new cloudwatch.Metric({
      namespace: 'AWS/CloudFront',
      metricName: '5xxErrorRate',
      dimensionsMap: { DistributionId: props.distributionId, Region: 'Global' },
      statistic: 'Average',
      period: oneMinute,
    });
    const waf = (metricName: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/WAFV2',
        metricName,
        dimensionsMap: { WebACL: props.webAclName, Rule: 'ALL' },
        statistic: 'Sum',
        period: oneMinute,
      });
    const blockedShare = new cloudwatch.MathExpression({
      expression: 'FILL(blocked, 0) / (FILL(blocked, 0) + FILL(allowed, 0))',
      usingMetrics: { blocked: waf('BlockedRequests'), allowed: waf('AllowedRequests') },
      period: oneMinute,
      label: 'blocked share of edge requests',
    });

    const alarm = (
      name: EdgeAlarmName,
      description: string,
      options: Omit<cloudwatch.AlarmProps, 'alarmName' | 'alarmDescription'>,
    ) => {
      const created = new cloudwatch.Alarm(this, name, {
        ...options,
        alarmName: edgeAlarmName(config, name),
        alarmDescription: `saleday ${config.saleName}: ${description}`,
      });
      created.addAlarmAction(action);
      created.addOkAction(action);
      return created;
    };
    const thresholdPercent = edge5xxThresholdPercent(config);
    this.alarms = [
      alarm('edge-5xx-rate', `CloudFront answers more than ${thresholdPercent}% 5xx`, {
        metric: edge5xx,
        threshold: thresholdPercent,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        // CloudFront publishes no rate without requests: no traffic is no incident.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      alarm(
        'edge-blocked-spike',
        `the edge WebACL blocks at least ${BLOCKED_SHARE_SPIKE * 100}% of requests (an attack or a rule blocking shoppers)`,
        {
          metric: blockedShare,
          threshold: BLOCKED_SHARE_SPIKE,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 3,
          datapointsToAlarm: 2,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        },
      ),
    ];
  }
}
