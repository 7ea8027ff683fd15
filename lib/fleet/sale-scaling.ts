/**
 * Scale before the sale, not during it: the fleet's floor is raised to the planned task count
 * `warmUpMinutes` before every window and restored `coolDownMinutes` after it, on one-shot crons in
 * the window's own time zone. Target tracking on CPU and on ALB requests per target handles
 * whatever the plan missed, up to `maxTasks`. The template's own minimum is the floor in force
 * when it is synthesized (see `floorAt`), so a mid-sale deploy does not lower it. Windows over at
 * synthesis get no action (a warning says so).
 */
import { Annotations, Duration, TimeZone } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import type { SaledayConfig } from '../../contracts/config/schema';
import {
  fleetSchedule,
  formatUtcMinute,
  isRaisedAt,
  oneShotCron,
  windowInstants,
} from '../../contracts/config/window-schedule';

/** ALBRequestCountPerTarget counts requests per target per minute; the config states them per second. */
export const SECONDS_PER_MINUTE = 60;

/**
 * What the scaling reads of the sale config: the windows (when to raise and restore the floor) and
 * the fleet's floor, plan, ceiling and target-tracking targets.
 */
export type SaleScalingConfig = Pick<SaledayConfig, 'windows'> & {
  readonly fleet: Pick<
    SaledayConfig['fleet'],
    'baselineTasks' | 'plannedTasks' | 'maxTasks' | 'targetCpuPercent' | 'requestsPerTargetPerSecond'
  >;
};

export interface SaleScalingProps {
  readonly config: SaleScalingConfig;
  /** The service whose desired count is scaled. */
  readonly service: ecs.FargateService;
  /** The target group whose requests per target are tracked. */
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  /**
   * When the template is synthesized. A deploy re-registers the scalable target with the template's
   * minimum, so a deploy inside a raised window must keep the raised floor, not fall back to the
   * baseline.
   * @default now
   */
  readonly now?: Date;
}

/** The floor in force at `now`: the plan between a window's raise and restore, the baseline otherwise. */
export function floorAt(
  config: Pick<SaledayConfig, 'windows'> & {
    readonly fleet: Pick<SaledayConfig['fleet'], 'baselineTasks' | 'plannedTasks'>;
  },
  now: Date,
): number {
  return isRaisedAt(config.windows, now) ? config.fleet.plannedTasks : config.fleet.baselineTasks;
}

export class SaleScaling extends Construct {
  /** The service's scalable target: its scheduled actions and target-tracking policies. */
  public readonly scalableTaskCount: ecs.ScalableTaskCount;

  constructor(scope: Construct, id: string, props: SaleScalingProps) {
    super(scope, id);
    const { config } = props;
    const { fleet } = config;
    const now = props.now ?? new Date();
    if (Number.isNaN(now.getTime())) {
      throw new Error(`SaleScaling now: got an invalid Date; expected the synthesis time`);
    }

    this.scalableTaskCount = props.service.autoScaleTaskCount({
      minCapacity: floorAt(config, now),
      maxCapacity: fleet.maxTasks,
    });

    const schedule = fleetSchedule(config, now);
    for (const window of schedule.over) {
      Annotations.of(this).addWarningV2(
        'saleday:window-over',
        `Sale window ${window.name} is over (its cool-down ended ${formatUtcMinute(windowInstants(window).restoreAt)}): it is left out of the scaling schedule. Remove it from the config.`,
      );
    }
    for (const step of schedule.steps) {
      this.scalableTaskCount.scaleOnSchedule(`${step.window}-${step.kind}`, {
        schedule: appscaling.Schedule.cron(oneShotCron(step.local)),
        timeZone: TimeZone.of(step.timeZone),
        minCapacity: step.minCapacity,
        maxCapacity: step.maxCapacity,
      });
    }

    this.scalableTaskCount.scaleOnCpuUtilization('Cpu', {
      targetUtilizationPercent: fleet.targetCpuPercent,
      scaleOutCooldown: Duration.seconds(60),
      scaleInCooldown: Duration.minutes(5),
    });
    this.scalableTaskCount.scaleOnRequestCount('RequestsPerTarget', {
      requestsPerTarget: Math.round(fleet.requestsPerTargetPerSecond * SECONDS_PER_MINUTE),
      targetGroup: props.targetGroup,
      scaleOutCooldown: Duration.seconds(60),
      scaleInCooldown: Duration.minutes(5),
    });
  }
}
