/**
 * Scale before the sale, not during it: the fleet's floor is raised to the planned task count
 * `warmUpMinutes` before every window and restored `coolDownMinutes` after it, on one-shot crons in
 * the window's own time zone. Target tracking on CPU and on ALB requests per target handles
 * whatever the plan missed, up to `maxTasks`. The template's own minimum is the floor in force
 * when it is synthesized (see `floorAt`), so a mid-sale deploy does not lower it.
 */
import { Duration, TimeZone } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import type { SaledayConfig } from '../config/schema';
import { oneShotCron, windowScalingTimes, zonedToInstant } from './window-schedule';

export interface SaleScalingProps {
  readonly config: SaledayConfig;
  readonly service: ecs.FargateService;
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
export function floorAt(config: Pick<SaledayConfig, 'windows' | 'fleet'>, now: Date): number {
  const inRaisedWindow = config.windows.some((window) => {
    const raiseAt = zonedToInstant(window.start, window.timeZone) - window.warmUpMinutes * 60_000;
    const restoreAt = zonedToInstant(window.end, window.timeZone) + window.coolDownMinutes * 60_000;
    return now.getTime() >= raiseAt && now.getTime() < restoreAt;
  });
  return inRaisedWindow ? config.fleet.plannedTasks : config.fleet.baselineTasks;
}

export class SaleScaling extends Construct {
  public readonly scalableTaskCount: ecs.ScalableTaskCount;

  constructor(scope: Construct, id: string, props: SaleScalingProps) {
    super(scope, id);
    const { config } = props;
    const { fleet } = config;

    this.scalableTaskCount = props.service.autoScaleTaskCount({ minCapacity: floorAt(config, props.now ?? new Date()), maxCapacity: fleet.maxTasks });

    for (const window of config.windows) {
      const times = windowScalingTimes(window);
      const timeZone = TimeZone.of(window.timeZone);
      this.scalableTaskCount.scaleOnSchedule(`${window.name}-warm-up`, {
        schedule: appscaling.Schedule.cron(oneShotCron(times.raiseAt)),
        timeZone,
        minCapacity: fleet.plannedTasks,
        maxCapacity: fleet.maxTasks,
      });
      this.scalableTaskCount.scaleOnSchedule(`${window.name}-cool-down`, {
        schedule: appscaling.Schedule.cron(oneShotCron(times.restoreAt)),
        timeZone,
        minCapacity: fleet.baselineTasks,
        maxCapacity: fleet.maxTasks,
      });
    }

    this.scalableTaskCount.scaleOnCpuUtilization('Cpu', {
      targetUtilizationPercent: fleet.targetCpuPercent,
      scaleOutCooldown: Duration.seconds(60),
      scaleInCooldown: Duration.minutes(5),
    });
    this.scalableTaskCount.scaleOnRequestCount('RequestsPerTarget', {
      requestsPerTarget: fleet.requestsPerTarget,
      targetGroup: props.targetGroup,
      scaleOutCooldown: Duration.seconds(60),
      scaleInCooldown: Duration.minutes(5),
    });
  }
}
