/**
 * The us-east-1 part of a sale: the CLOUDFRONT-scope WebACL and its logs (both can only exist in
 * us-east-1). The distribution that uses the WebACL lives in the sale stack, next to the load
 * balancer it fronts; see saleday-app.ts for why.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { EDGE_STACK_OUTPUTS } from '../../contracts/config/names';
import type { SaledayConfig } from '../../contracts/config/schema';
import { CLOUDFRONT_WAF_REGION, EdgeWebAcl } from '../edge/edge-web-acl';

export interface EdgeStackProps extends StackProps {
  readonly config: SaledayConfig;
}

export class EdgeStack extends Stack {
  public readonly edgeWebAcl: EdgeWebAcl;

  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    if (props.env?.region !== CLOUDFRONT_WAF_REGION) {
      throw new Error(`EdgeStack env.region: got ${props.env?.region ?? 'nothing'}; expected ${CLOUDFRONT_WAF_REGION}`);
    }
    super(scope, id, props);
    this.edgeWebAcl = new EdgeWebAcl(this, 'EdgeWebAcl', { config: props.config });
    new CfnOutput(this, EDGE_STACK_OUTPUTS.edgeWebAclArn, {
      value: this.edgeWebAcl.webAcl.attrArn,
      description: 'CLOUDFRONT-scope WebACL',
    });
  }
}
