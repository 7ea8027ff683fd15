/**
 * The AWS clients preflight talks to. Checks take them as parameters (tests pass mocked ones);
 * `createPreflightClients` builds real ones for the sale's region, with the edge pieces
 * (CloudFront, the edge stack and its WebACL) in us-east-1 where they live.
 */
import { EDGE_REGION } from '../../contracts/edge-region';
import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { SNSClient } from '@aws-sdk/client-sns';
import { WAFV2Client } from '@aws-sdk/client-wafv2';

export interface PreflightClients {
  /** CloudFormation in the sale's region (the sale stack). */
  readonly cloudFormation: CloudFormationClient;
  /** CloudFormation in us-east-1 (the edge stack). */
  readonly edgeCloudFormation: CloudFormationClient;
  readonly ecs: ECSClient;
  readonly autoScaling: ApplicationAutoScalingClient;
  readonly elastiCache: ElastiCacheClient;
  readonly cloudWatch: CloudWatchClient;
  /** WAFv2 in the sale's region (the ALB's REGIONAL WebACL). */
  readonly wafv2: WAFV2Client;
  readonly cloudFront: CloudFrontClient;
  readonly serviceQuotas: ServiceQuotasClient;
  readonly lambda: LambdaClient;
  /** SNS in the sale's region (the alarm topic's subscriptions). */
  readonly sns: SNSClient;
}

export { EDGE_REGION };

export function createPreflightClients(region: string): PreflightClients {
  return {
    cloudFormation: new CloudFormationClient({ region }),
    edgeCloudFormation: new CloudFormationClient({ region: EDGE_REGION }),
    ecs: new ECSClient({ region }),
    autoScaling: new ApplicationAutoScalingClient({ region }),
    elastiCache: new ElastiCacheClient({ region }),
    cloudWatch: new CloudWatchClient({ region }),
    wafv2: new WAFV2Client({ region }),
    cloudFront: new CloudFrontClient({ region: EDGE_REGION }),
    serviceQuotas: new ServiceQuotasClient({ region }),
    lambda: new LambdaClient({ region }),
    sns: new SNSClient({ region }),
  };
}

export function destroyPreflightClients(clients: PreflightClients): void {
  for (const client of Object.values(clients) as { destroy(): void }[]) client.destroy();
}
