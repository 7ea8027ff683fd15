/**
 * The CLOUDFRONT-scope WebACL: the first filter every request meets. It must live in a us-east-1
 * stack (CDK does not check this, so we do). Rules, in evaluation order: operators' block lists,
 * AWS IP reputation and anonymous-IP lists, the common and known-bad-inputs rule sets, optional Bot
 * Control and anti-DDoS (both cost extra per request), then the rate limits per IP, per user key,
 * and per user key on the critical (checkout) paths with a much lower limit.
 */
import { Stack, Token } from 'aws-cdk-lib';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import type { SaledayConfig } from '../config/schema';
import { WafLogging } from './waf-logging';
import { ipRateRule, ipSetBlockRule, managedRuleGroupRule, routePathsStatement, userKeyRateRule, wafVisibility } from './waf-rules';

export const CLOUDFRONT_WAF_REGION = 'us-east-1';

export interface EdgeWebAclProps {
  readonly config: SaledayConfig;
}

/** Rule names, also the CloudWatch `Rule` dimension the dashboard reads. */
export const EDGE_RULE_NAMES = {
  operatorBlockList: 'operator-block-list',
  perIp: 'rate-per-ip',
  perUserKey: 'rate-per-user-key',
  criticalPerUserKey: 'rate-per-user-key-critical',
} as const;

export function edgeWebAclName(config: Pick<SaledayConfig, 'saleName'>): string {
  return `saleday-${config.saleName}-edge`;
}

export class EdgeWebAcl extends Construct {
  public readonly webAcl: wafv2.CfnWebACL;
  /** Operators add IPv4 CIDRs here (console or CLI) to block them at once; starts empty. */
  public readonly blockedIpv4: wafv2.CfnIPSet;
  public readonly blockedIpv6: wafv2.CfnIPSet;
  public readonly logging: WafLogging;
  public readonly webAclName: string;
  /** Names of the managed rule groups in the ACL, in order. */
  public readonly managedRuleGroups: readonly string[];

  constructor(scope: Construct, id: string, props: EdgeWebAclProps) {
    super(scope, id);
    const { config } = props;
    const region = Stack.of(this).region;
    if (Token.isUnresolved(region) || region !== CLOUDFRONT_WAF_REGION) {
      throw new Error(`EdgeWebAcl: got a stack in region ${Token.isUnresolved(region) ? '(unresolved)' : region}; expected ${CLOUDFRONT_WAF_REGION}, the only region where CLOUDFRONT-scope WebACLs exist`);
    }
    const criticalRoutes = config.routes.filter((r) => r.priority === 'critical');
    this.webAclName = edgeWebAclName(config);

    this.blockedIpv4 = new wafv2.CfnIPSet(this, 'BlockedIpv4', {
      scope: 'CLOUDFRONT',
      ipAddressVersion: 'IPV4',
      addresses: [],
      description: `saleday ${config.saleName}: IPv4 ranges operators block at the edge`,
    });
    this.blockedIpv6 = new wafv2.CfnIPSet(this, 'BlockedIpv6', {
      scope: 'CLOUDFRONT',
      ipAddressVersion: 'IPV6',
      addresses: [],
      description: `saleday ${config.saleName}: IPv6 ranges operators block at the edge`,
    });

    this.managedRuleGroups = [
      'AWSManagedRulesAmazonIpReputationList',
      'AWSManagedRulesAnonymousIpList',
      'AWSManagedRulesCommonRuleSet',
      'AWSManagedRulesKnownBadInputsRuleSet',
      ...(config.waf.antiDdos ? ['AWSManagedRulesAntiDDoSRuleSet'] : []),
      ...(config.waf.botControl ? ['AWSManagedRulesBotControlRuleSet'] : []),
    ];
    let priority = 0;
    const rules: wafv2.CfnWebACL.RuleProperty[] = [
      ipSetBlockRule(EDGE_RULE_NAMES.operatorBlockList, priority++, [this.blockedIpv4.attrArn, this.blockedIpv6.attrArn]),
      ...this.managedRuleGroups.map((name) => managedRuleGroupRule(name, priority++, managedGroupConfig(name))),
      ipRateRule({ name: EDGE_RULE_NAMES.perIp, priority: priority++, limit: config.waf.perIpLimit, windowSeconds: config.waf.windowSeconds }),
      userKeyRateRule({
        name: EDGE_RULE_NAMES.perUserKey,
        priority: priority++,
        limit: config.waf.perUserKeyLimit,
        windowSeconds: config.waf.windowSeconds,
        identity: config.identity,
      }),
      userKeyRateRule({
        name: EDGE_RULE_NAMES.criticalPerUserKey,
        priority: priority++,
        limit: config.waf.checkoutPerUserKeyLimit,
        windowSeconds: config.waf.windowSeconds,
        identity: config.identity,
        scopeDown: routePathsStatement(criticalRoutes),
      }),
    ];

    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: this.webAclName,
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      description: `saleday ${config.saleName}: edge protection in front of CloudFront`,
      visibilityConfig: wafVisibility(this.webAclName),
      rules,
    });

    this.logging = new WafLogging(this, 'Logging', {
      webAclArn: this.webAcl.attrArn,
      logGroupName: `aws-waf-logs-saleday-${config.saleName}-edge`,
      retentionDays: config.waf.logRetentionDays,
    });
  }
}

function managedGroupConfig(name: string): wafv2.CfnWebACL.ManagedRuleGroupConfigProperty[] | undefined {
  if (name === 'AWSManagedRulesBotControlRuleSet') {
    // COMMON: verified bots and obvious automation; TARGETED (ML, challenges) costs far more per request.
    return [{ awsManagedRulesBotControlRuleSet: { inspectionLevel: 'COMMON' } }];
  }
  if (name === 'AWSManagedRulesAntiDDoSRuleSet') {
    // Silent browser challenges for suspicious requests, except API calls that cannot run one.
    return [
      {
        awsManagedRulesAntiDDoSRuleSet: {
          sensitivityToBlock: 'LOW',
          clientSideActionConfig: {
            challenge: {
              usageOfAction: 'ENABLED',
              sensitivity: 'HIGH',
              exemptUriRegularExpressions: [{ regexString: '^/api/' }],
            },
          },
        },
      },
    ];
  }
  return undefined;
}
