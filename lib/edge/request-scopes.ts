/**
 * The request classes the edge rules act on, from the config's routes: critical paths (priority
 * critical), static assets (cache static, served from CloudFront's cache), HTML page loads (where
 * a browser can run a Challenge), and whether a request carries a user key at all.
 */
import type { CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import type { IdentityConfig, RouteConfig } from '../../contracts/config/schema';
import { literalPrefix, routePathsStatement } from './waf-rules';

type Statement = CfnWebACL.StatementProperty;
type Routes = readonly Pick<RouteConfig, 'name' | 'path' | 'priority' | 'cache'>[];

export function criticalRoutes<R extends Pick<RouteConfig, 'priority'>>(routes: readonly R[]): R[] {
  return routes.filter((r) => r.priority === 'critical');
}

export function staticRoutes<R extends Pick<RouteConfig, 'cache'>>(routes: readonly R[]): R[] {
  return routes.filter((r) => r.cache === 'static');
}

export function notStatement(statement: Statement): Statement {
  return { notStatement: { statement } };
}

export function andStatement(...statements: Statement[]): Statement {
  return { andStatement: { statements } };
}

/** Every path but the static-asset routes; undefined (no scope-down) when there are none. */
export function nonStaticStatement(routes: Routes): Statement | undefined {
  const assets = staticRoutes(routes);
  return assets.length === 0 ? undefined : notStatement(routePathsStatement(assets));
}

/**
 * A browser loading a page: GET with `text/html` in Accept. Only such requests can answer a
 * Challenge or CAPTCHA interstitial; an XHR or fetch call that gets one just fails.
 */
export function htmlRequestStatement(): Statement {
  return andStatement(
    {
      byteMatchStatement: {
        fieldToMatch: { method: {} },
        positionalConstraint: 'EXACTLY',
        searchString: 'GET',
        textTransformations: [{ priority: 0, type: 'NONE' }],
      },
    },
    {
      byteMatchStatement: {
        fieldToMatch: { singleHeader: { Name: 'accept' } },
        positionalConstraint: 'CONTAINS',
        searchString: 'text/html',
        textTransformations: [{ priority: 0, type: 'LOWERCASE' }],
      },
    },
  );
}

/** The request carries a non-empty user key (the identity header or cookie). */
export function identityPresentStatement(identity: IdentityConfig): Statement {
  const fieldToMatch: CfnWebACL.FieldToMatchProperty = identity.header
    ? { singleHeader: { Name: identity.header } }
    : {
        cookies: {
          matchPattern: { includedCookies: [identity.cookie!] },
          matchScope: 'VALUE',
          oversizeHandling: 'MATCH',
        },
      };
  return {
    sizeConstraintStatement: {
      fieldToMatch,
      comparisonOperator: 'GT',
      size: 0,
      textTransformations: [{ priority: 0, type: 'NONE' }],
    },
  };
}

/** Matches a label an earlier rule of the same WebACL added (its name, without the namespace). */
export function labelStatement(label: string): Statement {
  return { labelMatchStatement: { scope: 'LABEL', key: label } };
}

/**
 * The URIs the anti-DDoS group must not challenge: requests that cannot run a silent browser
 * challenge (static assets, the shop's non-critical `/api` calls from scripts or apps). Critical
 * routes are never exempt: during an attack a checkout must show a valid aws-waf-token. Each
 * pattern admits only plain segments (no `%`, no `.`/`..` segment, no doubled slash, no query), so
 * `/api/cart/../checkout` or `/api/cart%2F..%2Fcheckout` is not exempt either.
 */
export function antiDdosExemptUriPatterns(routes: Routes): string[] {
  const exempt = routes.filter(
    (r) => r.priority !== 'critical' && (r.cache === 'static' || /^\/api(\/|$)/.test(r.path)),
  );
  // A pattern broad enough to cover a critical path (`/api/:any` beside `/api/checkout`) is dropped.
  const criticalSamples = criticalRoutes(routes).map((r) => r.path.replace(/:[A-Za-z0-9_]+/g, 'x').replace(/\*$/, 'x'));
  return exempt
    .map((route) => {
      const { literal, exact } = literalPrefix(route.path);
      const escaped = literal.replace(/\/$/, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      return exact ? `^${escaped}$` : `^${escaped}(/[A-Za-z0-9_~-][A-Za-z0-9_.~-]*)*/?$`;
    })
    .filter((pattern) => !criticalSamples.some((sample) => new RegExp(pattern).test(sample)));
}
