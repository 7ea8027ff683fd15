/**
 * Both WebACLs guard the sale: the REGIONAL one on the ALB (WAFv2 GetWebACLForResource) and the
 * CLOUDFRONT one on the distribution (its config's WebACLId, which holds the WAFv2 ACL's ARN).
 */
import { GetDistributionConfigCommand } from '@aws-sdk/client-cloudfront';
import { GetWebACLForResourceCommand } from '@aws-sdk/client-wafv2';
import { EDGE_STACK_OUTPUTS, SALE_STACK_OUTPUTS } from '../../contracts/config/names';
import { failed, passed, type CheckResult } from './check-result';
import type { PreflightContext } from './preflight-context';

export const REGIONAL_WEB_ACL_CHECK = 'Regional WebACL on the ALB';
export const EDGE_WEB_ACL_CHECK = 'Edge WebACL on CloudFront';

export async function checkRegionalWebAcl(ctx: PreflightContext): Promise<CheckResult> {
  const loadBalancerArn = ctx.sale.get(SALE_STACK_OUTPUTS.loadBalancerArn);
  const expected = ctx.sale.get(SALE_STACK_OUTPUTS.regionalWebAclArn);
  const response = await ctx.clients.wafv2.send(new GetWebACLForResourceCommand({ ResourceArn: loadBalancerArn }));
  const actual = response.WebACL?.ARN;
  if (!actual) return failed(REGIONAL_WEB_ACL_CHECK, 'no WebACL is associated with the load balancer');
  if (actual !== expected)
    return failed(REGIONAL_WEB_ACL_CHECK, `the load balancer has ${actual}, expected the sale's ${expected}`);
  return passed(REGIONAL_WEB_ACL_CHECK, response.WebACL?.Name ?? actual);
}

export async function checkEdgeWebAcl(ctx: PreflightContext): Promise<CheckResult> {
  const distributionId = ctx.sale.get(SALE_STACK_OUTPUTS.distributionId);
  const expected = ctx.edge.get(EDGE_STACK_OUTPUTS.edgeWebAclArn);
  const response = await ctx.clients.cloudFront.send(new GetDistributionConfigCommand({ Id: distributionId }));
  const actual = response.DistributionConfig?.WebACLId;
  if (!actual) return failed(EDGE_WEB_ACL_CHECK, `distribution ${distributionId} has no WebACL`);
  if (actual !== expected)
    return failed(EDGE_WEB_ACL_CHECK, `distribution ${distributionId} has ${actual}, expected the sale's ${expected}`);
  if (response.DistributionConfig?.Enabled === false)
    return failed(EDGE_WEB_ACL_CHECK, `distribution ${distributionId} is disabled`);
  return passed(EDGE_WEB_ACL_CHECK, `${distributionId} → ${actual.split('/').slice(-2, -1)[0] ?? actual}`);
}
