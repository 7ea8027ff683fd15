/**
 * The us-east-1 alarms of a sale (lib/observability/edge-alarms.ts). A stack of its own, deployed
 * after the sale stack: the CloudFront alarm needs the distribution's id, and the distribution lives
 * in the sale stack, which itself needs the edge stack's WebACL first (see saleday-app.ts). The id
 * crosses regions the same way the WebACL ARN does, through `crossRegionReferences`.
 */
import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { SaledayConfig } from '../../contracts/config/schema';
import { CLOUDFRONT_WAF_REGION } from '../edge/edge-web-acl';
import { EdgeAlarms } from '../observability/edge-alarms';

export interface EdgeAlarmsStackProps extends StackProps {
  readonly config: SaledayConfig;
  readonly distributionId: string;
  readonly webAclName: string;
}

export function edgeAlarmsStackName(config: Pick<SaledayConfig, 'saleName'>): string {
  return `Saleday-${config.saleName}-EdgeAlarms`;
}

export class EdgeAlarmsStack extends Stack {
  public readonly edgeAlarms: EdgeAlarms;

  constructor(scope: Construct, id: string, props: EdgeAlarmsStackProps) {
    if (props.env?.region !== CLOUDFRONT_WAF_REGION) {
      throw new Error(
        `EdgeAlarmsStack env.region: got ${props.env?.region ?? 'nothing'}; expected ${CLOUDFRONT_WAF_REGION}`,
      );
    }
    super(scope, id, props);
    this.edgeAlarms = new EdgeAlarms(this, 'EdgeAlarms', {
      config: props.config,
      distributionId: props.distributionId,
      webAclName: props.webAclName,
    });
  }
}
