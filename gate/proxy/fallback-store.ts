/**
 * Fallback answers for routes that declare one: `static` (the body from the config) or
 * `last-good` (the last successful 200 body of the route, kept in memory, bounded in size).
 */
import type { RouteConfig } from '../../contracts/config/schema';

export interface FallbackAnswer {
  status: number;
  contentType: string;
  body: Buffer;
}

export interface FallbackStore {
  /** The answer to give instead of proxying, or undefined when the route has none (yet). */
  answerFor(route: RouteConfig): FallbackAnswer | undefined;
  /** Whether the gate should keep copies of this route's successful bodies. */
  wantsLastGood(route: RouteConfig): boolean;
  rememberLastGood(route: RouteConfig, contentType: string, body: Buffer): void;
}

export function createFallbackStore(routes: readonly RouteConfig[]): FallbackStore {
  const staticAnswers = new Map<string, FallbackAnswer>();
  for (const route of routes) {
    if (route.fallback?.kind !== 'static') continue;
    const body = route.fallback.body;
    const isText = typeof body === 'string';
    staticAnswers.set(route.name, {
      status: route.fallback.status,
      contentType: isText ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
      body: Buffer.from(isText ? body : JSON.stringify(body ?? null)),
    });
  }
  const lastGood = new Map<string, FallbackAnswer>();
  return {
    answerFor(route) {
      if (!route.fallback) return undefined;
      return route.fallback.kind === 'static' ? staticAnswers.get(route.name) : lastGood.get(route.name);
    },
    wantsLastGood: (route) => route.fallback?.kind === 'last-good',
    rememberLastGood(route, contentType, body) {
      if (route.fallback?.kind !== 'last-good') return;
      lastGood.set(route.name, { status: route.fallback.status, contentType, body });
    },
  };
}
