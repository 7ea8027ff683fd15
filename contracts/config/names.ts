/**
 * Names shared by the stacks, the controller, the rehearsal and preflight, so each finds what the
 * others created without configuration of its own.
 */
import type { AlarmConfig, SaledayConfig } from './schema';

export function edgeStackName(config: Pick<SaledayConfig, 'saleName'>): string {
  return `Saleday-${config.saleName}-Edge`;
}

export function saleStackName(config: Pick<SaledayConfig, 'saleName'>): string {
  return `Saleday-${config.saleName}-Sale`;
}

/** The CloudWatch alarm name of a configured alarm; the controller maps names back to effects. */
export function cloudWatchAlarmName(config: Pick<SaledayConfig, 'saleName'>, alarm: Pick<AlarmConfig, 'name'>): string {
  return `saleday-${config.saleName}-${alarm.name}`;
}

/** Prefix shared by every alarm of this sale (DescribeAlarms AlarmNamePrefix, EventBridge prefix match). */
export function alarmNamePrefix(config: Pick<SaledayConfig, 'saleName'>): string {
  return `saleday-${config.saleName}-`;
}

/** CloudFormation output keys of the sale stack that the CLI reads. */
export const SALE_STACK_OUTPUTS = {
  flagControllerFunctionName: 'FlagControllerFunctionName',
  clusterName: 'ClusterName',
  serviceName: 'ServiceName',
  replicationGroupId: 'ReplicationGroupId',
  regionalWebAclArn: 'RegionalWebAclArn',
  loadBalancerArn: 'LoadBalancerArn',
  distributionDomainName: 'DistributionDomainName',
  distributionId: 'DistributionId',
  alarmTopicArn: 'AlarmTopicArn',
} as const;

export const EDGE_STACK_OUTPUTS = {
  edgeWebAclArn: 'EdgeWebAclArn',
} as const;
