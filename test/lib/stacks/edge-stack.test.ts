import { Match, Template } from 'aws-cdk-lib/assertions';
import { EDGE_STACK_OUTPUTS } from '../../../contracts/config/names';
import type { SaledayConfig } from '../../../contracts/config/schema';
import { EdgeStack } from '../../../lib/stacks/edge-stack';
import { exampleConfig, TEST_ACCOUNT, testApp } from './test-app';

function edgeTemplate(config: SaledayConfig): { stack: EdgeStack; template: Template } {
  const stack = new EdgeStack(testApp(), 'Edge', { env: { account: TEST_ACCOUNT, region: 'us-east-1' }, config });
  return { stack, template: Template.fromStack(stack) };
}

type Rule = {
  Name: string;
  Priority: number;
  Statement: Record<string, unknown>;
  Action?: unknown;
  OverrideAction?: unknown;
};
function rulesOf(template: Template): Rule[] {
  const acls = Object.values(template.findResources('AWS::WAFv2::WebACL'));
  expect(acls).toHaveLength(1);
  return acls[0]!.Properties.Rules as Rule[];
}

describe('edge stack with the example config', () => {
  let stack: EdgeStack;
  let template: Template;
  let rules: Rule[];
  const config = exampleConfig();

  beforeAll(() => {
    ({ stack, template } = edgeTemplate(config));
    rules = rulesOf(template);
  });

  it('lives in us-east-1 with a CLOUDFRONT-scope WebACL that allows by default', () => {
    expect(stack.region).toBe('us-east-1');
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'CLOUDFRONT',
      Name: 'saleday-winter-flash-edge',
      DefaultAction: { Allow: {} },
    });
  });

  it('evaluates the AWS managed groups (not the opt-in ones) after the operator block list', () => {
    expect(rules.map((r) => r.Name)).toEqual([
      'operator-block-list',
      'AWSManagedRulesAmazonIpReputationList',
      'AWSManagedRulesAnonymousIpList',
      'AWSManagedRulesCommonRuleSet',
      'AWSManagedRulesKnownBadInputsRuleSet',
      'critical-without-user-key',
      'rate-per-ip-critical',
      'rate-per-ip',
      'rate-per-ip-challenge-pages',
      'rate-per-ip-block',
      'rate-per-user-key',
      'rate-per-user-key-critical',
    ]);
    expect(rules.map((r) => r.Priority)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    for (const rule of rules.filter((r) => r.Name.startsWith('AWSManaged'))) {
      expect(rule).toMatchObject({
        OverrideAction: { None: {} },
        Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: rule.Name } },
      });
    }
  });

  it('blocks the operator IP sets (IPv4 and IPv6, CLOUDFRONT scope, empty at first)', () => {
    template.resourceCountIs('AWS::WAFv2::IPSet', 2);
    template.hasResourceProperties('AWS::WAFv2::IPSet', {
      Scope: 'CLOUDFRONT',
      IPAddressVersion: 'IPV4',
      Addresses: [],
    });
    template.hasResourceProperties('AWS::WAFv2::IPSet', {
      Scope: 'CLOUDFRONT',
      IPAddressVersion: 'IPV6',
      Addresses: [],
    });
    const block = rules.find((r) => r.Name === 'operator-block-list')!;
    expect(block.Action).toEqual({ Block: {} });
    expect(block.Statement).toEqual({
      OrStatement: {
        Statements: [
          {
            IPSetReferenceStatement: {
              Arn: { 'Fn::GetAtt': [stack.getLogicalId(stack.edgeWebAcl.blockedIpv4), 'Arn'] },
            },
          },
          {
            IPSetReferenceStatement: {
              Arn: { 'Fn::GetAtt': [stack.getLogicalId(stack.edgeWebAcl.blockedIpv6), 'Arn'] },
            },
          },
        ],
      },
    });
  });

  const pathTransformations = [
    { Priority: 0, Type: 'URL_DECODE' },
    { Priority: 1, Type: 'NORMALIZE_PATH' },
    { Priority: 2, Type: 'LOWERCASE' },
  ];
  const pathMatch = (constraint: string, search: string) => ({
    ByteMatchStatement: {
      FieldToMatch: { UriPath: {} },
      PositionalConstraint: constraint,
      SearchString: search,
      TextTransformations: pathTransformations,
    },
  });
  const checkoutPath = {
    OrStatement: {
      Statements: [
        pathMatch('EXACTLY', '/api/checkout'),
        pathMatch('EXACTLY', '/api/checkout/'),
        pathMatch('STARTS_WITH', '/api/checkout#'),
      ],
    },
  };
  const notStatic = {
    NotStatement: {
      Statement: {
        ByteMatchStatement: {
          FieldToMatch: { UriPath: {} },
          PositionalConstraint: 'STARTS_WITH',
          SearchString: '/assets/',
          TextTransformations: pathTransformations,
        },
      },
    },
  };

  it('blocks a critical request that carries no session cookie at all', () => {
    const sessionCookie = {
      Cookies: {
        MatchPattern: { IncludedCookies: ['saleday-session'] },
        MatchScope: 'VALUE',
        OversizeHandling: 'MATCH',
      },
    };
    expect(rules.find((r) => r.Name === 'critical-without-user-key')).toMatchObject({
      Action: { Block: {} },
      Statement: {
        AndStatement: {
          Statements: [
            checkoutPath,
            {
              NotStatement: {
                Statement: {
                  SizeConstraintStatement: { FieldToMatch: sessionCookie, ComparisonOperator: 'GT', Size: 0 },
                },
              },
            },
          ],
        },
      },
    });
  });

  it('rate-limits per IP on the critical paths, tightly, whatever the user key', () => {
    expect(rules.find((r) => r.Name === 'rate-per-ip-critical')).toMatchObject({
      Action: { Block: {} },
      Statement: {
        RateBasedStatement: {
          AggregateKeyType: 'IP',
          Limit: 50,
          EvaluationWindowSec: 300,
          ScopeDownStatement: checkoutPath,
        },
      },
    });
  });

  it('counts per IP on every non-static path, sized for a carrier NAT, and labels requests over it', () => {
    expect(config.waf.perIpLimit).toBe(10_000);
    expect(rules.find((r) => r.Name === 'rate-per-ip')).toMatchObject({
      Action: { Count: {} },
      RuleLabels: [{ Name: 'saleday:rate-per-ip:over-limit' }],
      Statement: {
        RateBasedStatement: {
          AggregateKeyType: 'IP',
          Limit: 10_000,
          EvaluationWindowSec: 300,
          ScopeDownStatement: notStatic,
        },
      },
    });
  });

  it('challenges page loads over the per-IP limit and blocks every other request over it', () => {
    const overLimit = { LabelMatchStatement: { Scope: 'LABEL', Key: 'saleday:rate-per-ip:over-limit' } };
    const html = {
      AndStatement: {
        Statements: [
          {
            ByteMatchStatement: { FieldToMatch: { Method: {} }, PositionalConstraint: 'EXACTLY', SearchString: 'GET' },
          },
          {
            ByteMatchStatement: {
              FieldToMatch: { SingleHeader: { Name: 'accept' } },
              PositionalConstraint: 'CONTAINS',
              SearchString: 'text/html',
              TextTransformations: [{ Priority: 0, Type: 'LOWERCASE' }],
            },
          },
        ],
      },
    };
    expect(rules.find((r) => r.Name === 'rate-per-ip-challenge-pages')).toMatchObject({
      Action: { Challenge: {} },
      Statement: { AndStatement: { Statements: [overLimit, html] } },
    });
    expect(rules.find((r) => r.Name === 'rate-per-ip-block')).toMatchObject({
      Action: { Block: {} },
      Statement: { AndStatement: { Statements: [overLimit, { NotStatement: { Statement: html } }] } },
    });
  });

  it('rate-limits per (IP, user key) on non-static paths, keyed on the configured session cookie', () => {
    const userKey = [
      { IP: {} },
      { Cookie: { Name: 'saleday-session', TextTransformations: [{ Priority: 0, Type: 'NONE' }] } },
    ];
    expect(rules.find((r) => r.Name === 'rate-per-user-key')).toMatchObject({
      Action: { Block: {} },
      Statement: {
        RateBasedStatement: {
          AggregateKeyType: 'CUSTOM_KEYS',
          CustomKeys: userKey,
          Limit: 1500,
          EvaluationWindowSec: 300,
          ScopeDownStatement: notStatic,
        },
      },
    });
  });

  it('rate-limits per (IP, user key) much tighter on the critical (checkout) path', () => {
    expect(rules.find((r) => r.Name === 'rate-per-user-key-critical')).toMatchObject({
      Action: { Block: {} },
      Statement: {
        RateBasedStatement: {
          AggregateKeyType: 'CUSTOM_KEYS',
          CustomKeys: [{ IP: {} }, expect.anything()],
          Limit: 100,
          ScopeDownStatement: checkoutPath,
        },
      },
    });
  });

  it('logs only the requests a rule blocked, challenged, CAPTCHA-ed or counted', () => {
    template.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
      LoggingFilter: {
        DefaultBehavior: 'DROP',
        Filters: [
          {
            Behavior: 'KEEP',
            Requirement: 'MEETS_ANY',
            Conditions: ['BLOCK', 'CAPTCHA', 'CHALLENGE', 'COUNT'].map((Action) => ({ ActionCondition: { Action } })),
          },
        ],
      },
    });
  });

  it('logs to an aws-waf-logs- log group with the configured retention, in this region', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: 'aws-waf-logs-saleday-winter-flash-edge',
      RetentionInDays: 30,
    });
    template.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
      ResourceArn: { 'Fn::GetAtt': [stack.getLogicalId(stack.edgeWebAcl.webAcl), 'Arn'] },
      LogDestinationConfigs: [
        {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              `:logs:us-east-1:${TEST_ACCOUNT}:log-group:aws-waf-logs-saleday-winter-flash-edge`,
            ],
          ],
        },
      ],
      RedactedFields: Match.arrayWith([{ SingleHeader: { Name: 'authorization' } }]),
    });
  });

  it('outputs the WebACL ARN', () => {
    template.hasOutput(EDGE_STACK_OUTPUTS.edgeWebAclArn, {
      Value: { 'Fn::GetAtt': [stack.getLogicalId(stack.edgeWebAcl.webAcl), 'Arn'] },
    });
  });
});

describe('edge stack with the opt-in switches, a cookie user key and two critical routes', () => {
  let rules: Rule[];

  beforeAll(() => {
    const config = exampleConfig((raw) => {
      raw.waf.botControl = 'targeted';
      raw.waf.antiDdos = true;
      raw.waf.criticalAction = 'captcha';
      raw.identity = { cookie: 'session-key' };
      raw.routes.unshift({ name: 'payment', path: '/api/pay/:orderId', priority: 'critical', timeoutMs: 7000 });
    });
    rules = rulesOf(edgeTemplate(config).template);
  });

  it('adds anti-DDoS and Bot Control (TARGETED inspection, static assets left out) before the rate rules', () => {
    const names = rules.map((r) => r.Name);
    expect(names.slice(5, 7)).toEqual(['AWSManagedRulesAntiDDoSRuleSet', 'AWSManagedRulesBotControlRuleSet']);
    expect(rules.find((r) => r.Name === 'AWSManagedRulesBotControlRuleSet')!.Statement).toMatchObject({
      ManagedRuleGroupStatement: {
        ManagedRuleGroupConfigs: [
          { AWSManagedRulesBotControlRuleSet: { InspectionLevel: 'TARGETED', EnableMachineLearning: true } },
        ],
        ScopeDownStatement: {
          NotStatement: { Statement: { ByteMatchStatement: expect.objectContaining({ SearchString: '/assets/' }) } },
        },
      },
    });
    expect(rules.find((r) => r.Name === 'AWSManagedRulesAntiDDoSRuleSet')!.Statement).toMatchObject({
      ManagedRuleGroupStatement: {
        ManagedRuleGroupConfigs: [
          { AWSManagedRulesAntiDDoSRuleSet: { ClientSideActionConfig: { Challenge: { UsageOfAction: 'ENABLED' } } } },
        ],
      },
    });
  });

  it('answers every critical-path rule with a CAPTCHA when criticalAction is captcha', () => {
    for (const name of ['critical-without-user-key', 'rate-per-ip-critical', 'rate-per-user-key-critical']) {
      expect(rules.find((r) => r.Name === name)!.Action).toEqual({ Captcha: {} });
    }
    expect(rules.find((r) => r.Name === 'rate-per-ip-block')!.Action).toEqual({ Block: {} });
  });

  it('looks for the user-key cookie in the no-identity rule', () => {
    expect(rules.find((r) => r.Name === 'critical-without-user-key')!.Statement).toMatchObject({
      AndStatement: {
        Statements: [
          expect.anything(),
          {
            NotStatement: {
              Statement: {
                SizeConstraintStatement: {
                  FieldToMatch: {
                    Cookies: { MatchPattern: { IncludedCookies: ['session-key'] }, MatchScope: 'VALUE' },
                  },
                  ComparisonOperator: 'GT',
                  Size: 0,
                },
              },
            },
          },
        ],
      },
    });
  });

  it('keys the user-key rules on the cookie and scopes the critical one to every critical path', () => {
    const cookieKey = [
      { IP: {} },
      { Cookie: { Name: 'session-key', TextTransformations: [{ Priority: 0, Type: 'NONE' }] } },
    ];
    expect(rules.find((r) => r.Name === 'rate-per-user-key')!.Statement).toMatchObject({
      RateBasedStatement: { CustomKeys: cookieKey },
    });
    expect(rules.find((r) => r.Name === 'rate-per-user-key-critical')!.Statement).toMatchObject({
      RateBasedStatement: {
        CustomKeys: cookieKey,
        ScopeDownStatement: {
          OrStatement: {
            Statements: [
              {
                ByteMatchStatement: expect.objectContaining({
                  PositionalConstraint: 'STARTS_WITH',
                  SearchString: '/api/pay/',
                }),
              },
              {
                ByteMatchStatement: expect.objectContaining({
                  PositionalConstraint: 'EXACTLY',
                  SearchString: '/api/checkout',
                }),
              },
              {
                ByteMatchStatement: expect.objectContaining({
                  PositionalConstraint: 'EXACTLY',
                  SearchString: '/api/checkout/',
                }),
              },
              {
                ByteMatchStatement: expect.objectContaining({
                  PositionalConstraint: 'STARTS_WITH',
                  SearchString: '/api/checkout#',
                }),
              },
            ],
          },
        },
      },
    });
  });
});

it('refuses a region other than us-east-1, where CLOUDFRONT-scope WebACLs cannot exist', () => {
  expect(
    () =>
      new EdgeStack(testApp(), 'Edge', {
        env: { account: TEST_ACCOUNT, region: 'eu-west-1' },
        config: exampleConfig(),
      }),
  ).toThrow('EdgeStack env.region: got eu-west-1; expected us-east-1');
});
