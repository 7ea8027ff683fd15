/**
 * The route table: config routes compiled once into matchers, tried in order, first match wins.
 * Patterns are exact (`/api/cart`), with parameters (`/api/products/:id`, one non-empty segment
 * each) or a prefix with a trailing `*` (`/assets/*` matches `/assets` and everything below it;
 * `/*` matches every path). A route with `methods` matches only those methods (HEAD also matches
 * a route that allows GET, as HTTP says a HEAD is a GET without the body).
 *
 * Matching ignores letter case and one trailing slash: an app whose router is case-insensitive or
 * lenient about the slash (Express's default) would serve `/API/Checkout/` as checkout, so the gate
 * classifies it as checkout too. For a stricter app this only ever puts a 404 under checkout's limits.
 */
import { InvalidOptionsError } from '../../guard/errors';
import type { RouteConfig } from '../../contracts/config/schema';

export interface RouteMatch {
  route: RouteConfig;
  params: Record<string, string>;
}

export interface RouteTable {
  match(method: string, path: string): RouteMatch | undefined;
  readonly routes: readonly RouteConfig[];
}

interface CompiledRoute {
  route: RouteConfig;
  methods: ReadonlySet<string> | undefined;
  test: (path: string) => Record<string, string> | undefined;
}

export function compileRouteTable(routes: readonly RouteConfig[]): RouteTable {
  const compiled = routes.map((route, index) => ({
    route,
    methods: methodSet(route),
    test: compilePattern(route.path, `routes[${index}].path`),
  }));
  return {
    routes,
    match(method, path) {
      const key = routingKey(path);
      for (const candidate of compiled) {
        if (candidate.methods && !candidate.methods.has(method)) continue;
        const params = candidate.test(key);
        if (params) return { route: candidate.route, params };
      }
      return undefined;
    },
  };
}

function methodSet(route: RouteConfig): ReadonlySet<string> | undefined {
  if (!route.methods) return undefined;
  const methods = new Set<string>(route.methods);
  if (methods.has('GET')) methods.add('HEAD');
  return methods;
}

/** The path as routes see it: without one trailing slash (but `/` stays `/`). */
function routingKey(path: string): string {
  return path.length > 1 && path.charCodeAt(path.length - 1) === 47 /* / */ ? path.slice(0, -1) : path;
}

const NO_PARAMS: Record<string, string> = Object.freeze({}) as Record<string, string>;

function compilePattern(pattern: string, option: string): CompiledRoute['test'] {
  const star = pattern.indexOf('*');
  if (star !== -1 && star !== pattern.length - 1) {
    throw new InvalidOptionsError(option, pattern, 'a * only as the last character (a prefix pattern)');
  }
  if (!pattern.includes(':') && star === -1) {
    const exact = pattern.length > 1 ? pattern.replace(/\/$/, '').toLowerCase() : pattern;
    return (path) => (path.length === exact.length && path.toLowerCase() === exact ? NO_PARAMS : undefined);
  }
  const isPrefix = star !== -1;
  const body = isPrefix ? pattern.slice(0, -1).replace(/\/$/, '') : pattern;
  const names: string[] = [];
  const source = body
    .split('/')
    .map((segment) => {
      if (segment.startsWith(':')) {
        const name = segment.slice(1);
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
          throw new InvalidOptionsError(option, pattern, 'parameters named like :id');
        names.push(name);
        return '([^/]+)';
      }
      return segment.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
    })
    .join('/');
  const regex = new RegExp(isPrefix ? `^${source}(?:/.*)?$` : `^${source}$`, 'i');
  return (path) => {
    const found = regex.exec(path);
    if (!found) return undefined;
    if (names.length === 0) return NO_PARAMS;
    const params: Record<string, string> = {};
    for (let i = 0; i < names.length; i++) params[names[i]] = found[i + 1];
    return params;
  };
}
