/**
 * WAFv2 rule building blocks shared by the edge (CloudFront) and the gateway (ALB) WebACLs, so a
 * user-key rate limit means the same thing at both layers.
 */
import type { CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import type { IdentityConfig, RouteConfig } from '../../contracts/config/schema';

type Rule = CfnWebACL.RuleProperty;
type Statement = CfnWebACL.StatementProperty;

function visibility(metricName: string): CfnWebACL.VisibilityConfigProperty {
  return { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName };
}

/** An AWS managed rule group with its own actions (count/block as AWS defines them). */
export function managedRuleGroupRule(
  name: string,
  priority: number,
  managedRuleGroupConfigs?: CfnWebACL.ManagedRuleGroupConfigProperty[],
  scopeDownStatement?: Statement,
): Rule {
  return {
    name,
    priority,
    overrideAction: { none: {} },
    statement: { managedRuleGroupStatement: { vendorName: 'AWS', name, managedRuleGroupConfigs, scopeDownStatement } },
    visibilityConfig: visibility(name),
  };
}

export interface RateRuleOptions {
  readonly name: string;
  readonly priority: number;
  readonly limit: number;
  readonly windowSeconds: number;
  /** Only requests matching this count towards the limit. @default every request */
  readonly scopeDown?: Statement;
  /** What happens above the limit. @default { block: {} } */
  readonly action?: CfnWebACL.RuleActionProperty;
  /** Labels added to a request above the limit (with a count action, later rules act on them). @default none */
  readonly labels?: readonly string[];
}

/** Acts on a source IP (the TCP peer, which a client cannot spoof) above `limit` per window. */
export function ipRateRule(options: RateRuleOptions): Rule {
  return rateRule(options, { aggregateKeyType: 'IP' });
}

/**
 * Acts on one user key (header or cookie, as the identity config says) above `limit` per window.
 * AWS WAF counts a request only when every key component is present, so a request without the
 * key is never counted here: the per-IP rules and the no-identity rule cover those. With `perIp`
 * the key is (source IP, user key), so a forged copy of someone's key sent from elsewhere cannot
 * use up that user's quota.
 */
export function userKeyRateRule(options: RateRuleOptions & { identity: IdentityConfig; perIp: boolean }): Rule {
  const customKeys = [...(options.perIp ? [{ ip: {} }] : []), userKeyAggregate(options.identity)];
  return rateRule(options, { aggregateKeyType: 'CUSTOM_KEYS', customKeys });
}

export function userKeyAggregate(identity: IdentityConfig): CfnWebACL.RateBasedStatementCustomKeyProperty {
  const textTransformations = [{ priority: 0, type: 'NONE' }];
  if (identity.header) return { header: { name: identity.header, textTransformations } };
  if (identity.cookie) return { cookie: { name: identity.cookie, textTransformations } };
  throw new Error('identity: expected a header or a cookie carrying the user key');
}

function rateRule(options: RateRuleOptions, key: Omit<CfnWebACL.RateBasedStatementProperty, 'limit'>): Rule {
  return {
    name: options.name,
    priority: options.priority,
    action: options.action ?? { block: {} },
    ...(options.labels ? { ruleLabels: options.labels.map((name) => ({ name })) } : {}),
    statement: {
      rateBasedStatement: {
        ...key,
        limit: options.limit,
        evaluationWindowSec: options.windowSeconds,
        scopeDownStatement: options.scopeDown,
      },
    },
    visibilityConfig: visibility(options.name),
  };
}

/**
 * How every path match reads the URI path: decoded once, then with doubled slashes and `.`/`..`
 * segments resolved and lower-cased, as the gate does before its case-insensitive route table sees
 * the path (gate/proxy/request-target.ts), so `/api//checkout`, `/api/%63heckout`, `/api/./checkout`
 * and `/API/Checkout` meet the checkout rules.
 */
export const PATH_TRANSFORMATIONS: readonly CfnWebACL.TextTransformationProperty[] = [
  { priority: 0, type: 'URL_DECODE' },
  { priority: 1, type: 'NORMALIZE_PATH' },
  { priority: 2, type: 'LOWERCASE' },
];

/**
 * Matches the URI paths of the given routes as the gate routes them: an exact path exactly, with
 * one trailing slash, or followed by a `#fragment` (the gate drops it); a `/prefix/*` or a path
 * with `:parameters` by its literal prefix.
 */
export function routePathsStatement(routes: readonly Pick<RouteConfig, 'name' | 'path'>[]): Statement {
  if (routes.length === 0) throw new Error('routePathsStatement: expected at least one route');
  const statements = routes.flatMap((route): Statement[] => {
    const { literal, exact } = literalPrefix(route.path.toLowerCase());
    if (!exact) return [pathMatch('STARTS_WITH', literal)];
    return [
      pathMatch('EXACTLY', literal),
      pathMatch('EXACTLY', `${literal}/`),
      pathMatch('STARTS_WITH', `${literal}#`),
    ];
  });
  return statements.length === 1 ? statements[0]! : { orStatement: { statements } };
}

function pathMatch(positionalConstraint: 'EXACTLY' | 'STARTS_WITH', searchString: string): Statement {
  return {
    byteMatchStatement: {
      fieldToMatch: { uriPath: {} },
      positionalConstraint,
      searchString,
      textTransformations: [...PATH_TRANSFORMATIONS],
    },
  };
}

/** `/api/checkout` → exact; `/assets/*` → `/assets/`; `/api/products/:id` → `/api/products/`. */
export function literalPrefix(path: string): { literal: string; exact: boolean } {
  const wildcard = path.search(/[*:]/);
  if (wildcard === -1) return { literal: path, exact: true };
  return { literal: path.slice(0, wildcard) || '/', exact: false };
}

/** Blocks every address in the operators' IP sets (filled by hand during an attack). */
export function ipSetBlockRule(name: string, priority: number, ipSetArns: readonly string[]): Rule {
  const statements = ipSetArns.map((arn): Statement => ({ ipSetReferenceStatement: { arn } }));
  return {
    name,
    priority,
    action: { block: {} },
    statement: statements.length === 1 ? statements[0]! : { orStatement: { statements } },
    visibilityConfig: visibility(name),
  };
}

export { visibility as wafVisibility };
