import { App, Stack } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { cloudFrontPathPattern } from '../../../lib/edge/sale-distribution';
import { retentionFromDays, WafLogging } from '../../../lib/edge/waf-logging';
import { ipRateRule, literalPrefix, routePathsStatement, userKeyAggregate } from '../../../lib/edge/waf-rules';

describe('literalPrefix', () => {
  it.each([
    ['/api/checkout', '/api/checkout', true],
    ['/assets/*', '/assets/', false],
    ['/api/products/:id', '/api/products/', false],
    ['/*', '/', false],
    ['/:slug', '/', false],
  ])('%s → %s (exact %s)', (path, literal, exact) => {
    expect(literalPrefix(path)).toEqual({ literal, exact });
  });
});

describe('routePathsStatement', () => {
  it('matches a prefix route without an Or, read as the gate reads paths', () => {
    expect(routePathsStatement([{ name: 'pay', path: '/API/Pay/*' }])).toEqual({
      byteMatchStatement: {
        fieldToMatch: { uriPath: {} },
        positionalConstraint: 'STARTS_WITH',
        searchString: '/api/pay/',
        textTransformations: [
          { priority: 0, type: 'URL_DECODE' },
          { priority: 1, type: 'NORMALIZE_PATH' },
          { priority: 2, type: 'LOWERCASE' },
        ],
      },
    });
  });

  it('ors several routes in order', () => {
    const statement = routePathsStatement([
      { name: 'checkout', path: '/api/checkout' },
      { name: 'pay', path: '/api/pay/*' },
    ]);
    expect(statement.orStatement).toBeDefined();
    const statements = (
      statement.orStatement as {
        statements: { byteMatchStatement: { searchString: string; positionalConstraint: string } }[];
      }
    ).statements;
    expect(
      statements.map((s) => [s.byteMatchStatement.positionalConstraint, s.byteMatchStatement.searchString]),
    ).toEqual([
      ['EXACTLY', '/api/checkout'],
      ['EXACTLY', '/api/checkout/'],
      ['STARTS_WITH', '/api/checkout#'],
      ['STARTS_WITH', '/api/pay/'],
    ]);
  });

  it('refuses an empty route list', () => {
    expect(() => routePathsStatement([])).toThrow('routePathsStatement: expected at least one route');
  });
});

describe('userKeyAggregate', () => {
  it.each([
    [{ header: 'x-user-id' }, { header: { name: 'x-user-id', textTransformations: [{ priority: 0, type: 'NONE' }] } }],
    [{ cookie: 'sid' }, { cookie: { name: 'sid', textTransformations: [{ priority: 0, type: 'NONE' }] } }],
  ])('%j', (where, expected) => {
    expect(userKeyAggregate({ proof: 'none', secretEnv: 'S', trustedProxyHops: 2, ...where })).toEqual(expected);
  });
});

it('ipRateRule blocks on the source IP with the window', () => {
  expect(ipRateRule({ name: 'r', priority: 3, limit: 100, windowSeconds: 60 })).toMatchObject({
    priority: 3,
    action: { block: {} },
    statement: { rateBasedStatement: { aggregateKeyType: 'IP', limit: 100, evaluationWindowSec: 60 } },
  });
});

describe('WAF logging', () => {
  it.each([
    [1, logs.RetentionDays.ONE_DAY],
    [30, logs.RetentionDays.ONE_MONTH],
    [31, logs.RetentionDays.TWO_MONTHS],
    [365, logs.RetentionDays.ONE_YEAR],
  ])('keeps %d days as %d', (days, expected) => {
    expect(retentionFromDays(days)).toBe(expected);
  });

  it('refuses a log group name WAF would reject', () => {
    const stack = new Stack(new App(), 'S', { env: { account: '111111111111', region: 'us-east-1' } });
    expect(() => new WafLogging(stack, 'L', { webAclArn: 'arn', logGroupName: 'waf-logs', retentionDays: 30 })).toThrow(
      'WafLogging logGroupName: got "waf-logs"; expected a name starting with aws-waf-logs-',
    );
  });
});

describe('cloudFrontPathPattern', () => {
  it.each([
    ['/api/products/:id', '/api/products/*'],
    ['/api/:shop/items/:id', '/api/*/items/*'],
    ['/assets/*', '/assets/*'],
    ['/api/checkout', '/api/checkout'],
    ['/:a*', '/*'],
  ])('%s → %s', (path, pattern) => {
    expect(cloudFrontPathPattern(path)).toBe(pattern);
  });
});
