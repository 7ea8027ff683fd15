/**
 * The CLOUDFRONT-scope WebACL: the first filter every request meets. It must live in a us-east-1
 * stack (CDK does not check this, so we do). Rules, in evaluation order: operators' block lists,
 * AWS IP reputation and anonymous-IP lists, the common and known-bad-inputs rule sets, optional
 * anti-DDoS and Bot Control (both cost extra per request), then saleday's own rules on the critical
 * paths, per IP and per user key (edge-rate-rules.ts). Only blocked, challenged, CAPTCHA'd and
 * counted requests are logged.
 */
import { Stack, Token } from 'aws-cdk-lib';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import type { SaledayConfig } from '../../contracts/config/schema';
import { EDGE_REGION } from '../../contracts/edge-region';
import { EDGE_RATE_RULE_NAMES, edgeRateRules } from './edge-rate-rules';
import { antiDdosExemptUriPatterns, nonStaticStatement } from './request-scopes';
import { WafLogging } from './waf-logging';
import { ipSetBlockRule, managedRuleGroupRule, wafVisibility } from './waf-rules';

/** The only region where CLOUDFRONT-scope WebACLs exist. */
export const CLOUDFRONT_WAF_REGION = EDGE_REGION;

/**
 * What the edge WebACL reads of the sale config: the name, the routes (critical and static paths),
 * where the user key travels (identity) and the waf section (limits, rule groups, log retention).
 */
export type EdgeWebAclConfig = Pick<SaledayConfig, 'saleName' | 'routes' | 'identity' | 'waf'>;

export interface EdgeWebAclProps {
  readonly config: EdgeWebAclConfig;
}

/** Rule names, also the CloudWatch `Rule` dimension the dashboard reads. */
export const EDGE_RULE_NAMES = {
  operatorBlockList: 'operator-block-list',
  ...EDGE_RATE_RULE_NAMES,
} as const;

export function edgeWebAclName(config: Pick<SaledayConfig, 'saleName'>): string {
  return `saleday-${config.saleName}-edge`;
}

export class EdgeWebAcl extends Construct {
  /** The CLOUDFRONT-scope WebACL the distribution uses. */
  public readonly webAcl: wafv2.CfnWebACL;
  /** Operators add IPv4 CIDRs here (console or CLI) to block them at once; starts empty. */
  public readonly blockedIpv4: wafv2.CfnIPSet;
  /** Operators add IPv6 CIDRs here to block them at once; starts empty. */
  public readonly blockedIpv6: wafv2.CfnIPSet;
  /** The WebACL's logs (acted-on requests only). */
  public readonly logging: WafLogging;
  /** The WebACL's name (edgeWebAclName()), also its CloudWatch `WebACL` dimension. */
  public readonly webAclName: string;
  /** Names of the managed rule groups in the ACL, in order. */
  public readonly managedRuleGroups: readonly string[];

  constructor(scope: Construct, id: string, props: EdgeWebAclProps) {
    super(scope, id);
    const { config } = props;
    const region = Stack.of(this).region;
    if (Token.isUnresolved(region) || region !== CLOUDFRONT_WAF_REGION) {
      throw new Error(
        `EdgeWebAcl: got a stack in region ${Token.isUnresolved(region) ? '(unresolved)' : region}; expected ${CLOUDFRONT_WAF_REGION}, the only region where CLOUDFRONT-scope WebACLs exist`,
      );
    }
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
      ipSetBlockRule(EDGE_RULE_NAMES.operatorBlockList, priority++, [
        this.blockedIpv4.attrArn,
        this.blockedIpv6.attrArn,
      ]),
      ...this.managedRuleGroups.map((name) =>
        managedRuleGroupRule(name, priority++, managedGroupConfig(name, config), managedGroupScopeDown(name, config)),
      ),
    ];
    rules.push(...edgeRateRules(config, priority));

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

function managedGroupConfig(
  name: string,
  config: Pick<SaledayConfig, 'routes' | 'waf'>,
): wafv2.CfnWebACL.ManagedRuleGroupConfigProperty[] | undefined {
  if (name === 'AWSManagedRulesBotControlRuleSet') {
    // COMMON: self-identifying bots; TARGETED adds fingerprinting and challenges, priced far higher.
    const targeted = config.waf.botControl === 'targeted';
    return [
      {
        awsManagedRulesBotControlRuleSet: {
          inspectionLevel: targeted ? 'TARGETED' : 'COMMON',
          ...(targeted ? { enableMachineLearning: true } : {}),
        },
      },
    ];
  }
  if (name === 'AWSManagedRulesAntiDDoSRuleSet') {
    // Silent browser challenges for suspicious requests, except where no browser can run one;
    // checkout is never exempt (see antiDdosExemptUriPatterns).
    const exempt = antiDdosExemptUriPatterns(config.routes);
    return [
      {
        awsManagedRulesAntiDDoSRuleSet: {
          sensitivityToBlock: 'LOW',
          clientSideActionConfig: {
            challenge: {
              usageOfAction: 'ENABLED',
              sensitivity: 'HIGH',
              ...(exempt.length > 0
                ? { exemptUriRegularExpressions: exempt.map((regexString) => ({ regexString })) }
                : {}),
            },
          },
        },
      },
    ];
  }
  return undefined;
}

/** Bot Control is billed per request it inspects: static assets are left out. */
function managedGroupScopeDown(
  name: string,
  config: Pick<SaledayConfig, 'routes'>,
): wafv2.CfnWebACL.StatementProperty | undefined {
  return name === 'AWSManagedRulesBotControlRuleSet' ? nonStaticStatement(config.routes) : undefined;
}
