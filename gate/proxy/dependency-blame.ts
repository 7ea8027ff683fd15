/**
 * Which dependencies a failed answer is blamed on. An app that knows which of its dependencies
 * failed names it in `saleday-failed-dependency` on its 5xx; when that is one of the route's own
 * dependencies, only its breaker hears of the failure (an inventory outage must not open the
 * payments breaker). Without the header, or naming something else, every dependency of the route
 * is blamed, as the gate cannot tell. The header is for the gate only: it is removed from the answer.
 */
import { FAILED_DEPENDENCY_HEADER } from '../../contracts/request-headers';
import type { RouteConfig } from '../../contracts/config/schema';

export type BreakerBlame = 'route' | 'named';

export interface DependencyOutcome {
  /** Whether this dependency's breaker hears of a failure. */
  failedDependency(dependency: string): boolean;
  /** The latency a success reports (slow successes count as failures); 0 when the app times its dependencies itself. */
  successLatencyMs: number;
}

/**
 * How one answer feeds the breakers of a route's dependencies. With `route` blame an unnamed
 * failure counts against every dependency (the gate cannot tell); with `named` blame only a
 * dependency the app names, and a slow answer is the app's own business (admission handles it).
 */
export function dependencyOutcome(
  blame: BreakerBlame,
  failed: boolean,
  latencyMs: number,
  blamed: string | undefined,
): DependencyOutcome {
  const failedDependency = (dependency: string): boolean =>
    failed && (blamed === undefined ? blame === 'route' : blamed === dependency);
  return { failedDependency, successLatencyMs: blame === 'named' ? 0 : latencyMs };
}

/** The one dependency the app blamed (and removes the header from `headers`), or undefined for all of them. */
export function takeBlamedDependency(
  route: RouteConfig,
  status: number,
  headers: Record<string, string | string[]>,
): string | undefined {
  const named = headers[FAILED_DEPENDENCY_HEADER];
  if (named === undefined) return undefined;
  delete headers[FAILED_DEPENDENCY_HEADER];
  if (status < 500 || Array.isArray(named)) return undefined;
  const dependency = named.trim();
  return route.dependencies.includes(dependency) ? dependency : undefined;
}
