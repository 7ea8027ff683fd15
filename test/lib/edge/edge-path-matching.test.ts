/**
 * The edge rules read a path the way the gate does: every tricky spelling of checkout the gate
 * routes to checkout meets the WAF's critical-path rules, and nothing else does.
 */
import { Template } from 'aws-cdk-lib/assertions';
import type { SaledayConfig } from '../../../contracts/config/schema';
import { EDGE_RULE_NAMES } from '../../../lib/edge/edge-web-acl';
import { EdgeStack } from '../../../lib/stacks/edge-stack';
import { exampleConfig, TEST_ACCOUNT, testApp } from '../stacks/test-app';
import { TRICKY_CHECKOUT_PATHS } from '../../support/tricky-paths';
import { applyTransformation, statementMatches, type WafRequest } from './waf-statement-evaluator';

type Rule = { Name: string; Statement: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any

function edgeRules(config: SaledayConfig): Rule[] {
  const stack = new EdgeStack(testApp(), 'Edge', { env: { account: TEST_ACCOUNT, region: 'us-east-1' }, config });
  const acl = Object.values(Template.fromStack(stack).findResources('AWS::WAFv2::WebACL'))[0]!;
  return acl.Properties.Rules as Rule[];
}

const config = exampleConfig((raw) => {
  raw.waf.antiDdos = true;
  // Paths are under test here: a header user key is what the evaluator models (the example's is a cookie).
  raw.identity = { header: 'x-user-id', proof: 'none', secretEnv: 'SALEDAY_IDENTITY_SECRET', trustedProxyHops: 2 };
});
const criticalNames = new Set(config.routes.filter((r) => r.priority === 'critical').map((r) => r.name));
const rules = edgeRules(config);
const rule = (name: string) => rules.find((r) => r.Name === name)!;
const scopeOf = (name: string) => rule(name).Statement.RateBasedStatement.ScopeDownStatement;
const checkoutPost = (target: string, headers: Record<string, string> = { 'x-user-id': 'u1' }): WafRequest => ({
  target,
  method: 'POST',
  headers,
});

describe('the evaluator models the AWS transformations', () => {
  it.each([
    ['URL_DECODE', '/api/%63heckout%2Fx', '/api/checkout/x'],
    ['URL_DECODE', '/a/%zz', '/a/%zz'],
    ['NORMALIZE_PATH', '/api//./cart/../checkout', '/api/checkout'],
    ['NORMALIZE_PATH', '/../api', '/../api'],
    ['LOWERCASE', '/API/Checkout', '/api/checkout'],
  ])('%s %s → %s', (type, input, output) => {
    expect(applyTransformation(type, input)).toBe(output);
  });
});

describe.each(TRICKY_CHECKOUT_PATHS)('$target (the gate routes it to $expectRoute)', ({ target, expectRoute }) => {
  const critical = criticalNames.has(expectRoute);

  it(`is ${critical ? '' : 'not '}in the critical per-IP and per-user-key rules' scope`, () => {
    expect(statementMatches(scopeOf(EDGE_RULE_NAMES.criticalPerIp), checkoutPost(target))).toBe(critical);
    expect(statementMatches(scopeOf(EDGE_RULE_NAMES.criticalPerUserKey), checkoutPost(target))).toBe(critical);
  });

  it(`is ${critical ? '' : 'not '}refused without a user key, and never with one`, () => {
    const statement = rule(EDGE_RULE_NAMES.criticalWithoutIdentity).Statement;
    expect(statementMatches(statement, checkoutPost(target, {}))).toBe(critical);
    expect(statementMatches(statement, checkoutPost(target, { 'x-user-id': '' }))).toBe(critical);
    expect(statementMatches(statement, checkoutPost(target))).toBe(false);
  });

  it('is counted by the per-IP rule (not a static asset)', () => {
    expect(statementMatches(scopeOf(EDGE_RULE_NAMES.perIp), checkoutPost(target))).toBe(true);
  });

  it('is never exempt from the anti-DDoS challenge', () => {
    const group = rule('AWSManagedRulesAntiDDoSRuleSet').Statement.ManagedRuleGroupStatement;
    const exempt = group.ManagedRuleGroupConfigs[0].AWSManagedRulesAntiDDoSRuleSet.ClientSideActionConfig.Challenge
      .ExemptUriRegularExpressions as { RegexString: string }[];
    expect(exempt.length).toBeGreaterThan(0);
    for (const { RegexString } of exempt) expect(new RegExp(RegexString).test(target)).toBe(false);
  });
});

describe('the non-static scope of the per-IP rule', () => {
  const scope = () => scopeOf(EDGE_RULE_NAMES.perIp);

  it.each(['/assets/app.3f2a.js', '/assets/img/logo.png', '/assets%2Flogo.png'])(
    'leaves the static asset %s out',
    (target) => {
      expect(statementMatches(scope(), { target, method: 'GET' })).toBe(false);
    },
  );

  it.each(['/', '/sale', '/api/products/42', '/assets/../api/cart'])('counts %s', (target) => {
    expect(statementMatches(scope(), { target, method: 'GET' })).toBe(true);
  });
});

describe('the anti-DDoS exemptions', () => {
  it('exempt static assets and non-critical API calls, in their plain spelling only', () => {
    const group = rule('AWSManagedRulesAntiDDoSRuleSet').Statement.ManagedRuleGroupStatement;
    const exempt = (
      group.ManagedRuleGroupConfigs[0].AWSManagedRulesAntiDDoSRuleSet.ClientSideActionConfig.Challenge
        .ExemptUriRegularExpressions as { RegexString: string }[]
    ).map((r) => new RegExp(r.RegexString));
    const isExempt = (target: string) => exempt.some((r) => r.test(target));
    expect(
      ['/assets/app.3f2a.js', '/api/cart', '/api/products', '/api/products/42', '/api/recommendations'].filter(
        (t) => !isExempt(t),
      ),
    ).toEqual([]);
    expect(
      ['/', '/sale', '/api/products/../checkout', '/api/cart%2F..%2Fcheckout', '/api/products//x'].filter(isExempt),
    ).toEqual([]);
  });

  it('drop a pattern that would cover a critical route', () => {
    const wide = exampleConfig((raw) => {
      raw.waf.antiDdos = true;
      raw.routes.push({ name: 'api-any', path: '/api/:anything', priority: 'normal' });
    });
    const group = edgeRules(wide).find((r) => r.Name === 'AWSManagedRulesAntiDDoSRuleSet')!.Statement
      .ManagedRuleGroupStatement;
    const exempt = group.ManagedRuleGroupConfigs[0].AWSManagedRulesAntiDDoSRuleSet.ClientSideActionConfig.Challenge
      .ExemptUriRegularExpressions as { RegexString: string }[];
    expect(exempt.some((r) => new RegExp(r.RegexString).test('/api/checkout'))).toBe(false);
    expect(exempt.some((r) => new RegExp(r.RegexString).test('/api/cart'))).toBe(true);
  });
});
