/**
 * Rules across the config's sections: names unique within a list, alarm effects that name a level
 * or a dependency the config defines, degradation levels that only ever add classes, and at least
 * one critical route.
 */
import type { z } from 'zod';

interface ConfigReferences {
  readonly routes: readonly {
    readonly name: string;
    readonly priority: string;
    readonly dependencies: readonly string[];
  }[];
  readonly windows: readonly { readonly name: string }[];
  readonly alarms: readonly {
    readonly name: string;
    readonly effect:
      | { readonly type: 'degrade'; readonly level: number }
      | { readonly type: 'breaker'; readonly dependency: string }
      | { readonly type: 'notify' };
  }[];
  readonly degradation: readonly { readonly level: number; readonly shed: readonly string[] }[];
}

export function checkConfigReferences(c: ConfigReferences, ctx: z.RefinementCtx): void {
  checkUniqueNames(c, ctx);
  checkAlarmEffects(c, ctx);
  checkDegradationGrows(c, ctx);
}

export function checkHasCriticalRoute(c: Pick<ConfigReferences, 'routes'>, ctx: z.RefinementCtx): void {
  if (c.routes.every((r) => r.priority !== 'critical')) {
    ctx.addIssue({
      code: 'custom',
      path: ['routes'],
      input: c.routes.map((r) => r.name),
      message: 'expected at least one critical route (checkout)',
    });
  }
}

function checkUniqueNames(c: ConfigReferences, ctx: z.RefinementCtx): void {
  const unique = (names: string[], path: string) => {
    const seen = new Set<string>();
    names.forEach((n, i) => {
      if (seen.has(n))
        ctx.addIssue({
          code: 'custom',
          path: [path, i, 'name'],
          input: n,
          message: `expected a unique name; ${n} is used twice`,
        });
      seen.add(n);
    });
  };
  unique(
    c.routes.map((r) => r.name),
    'routes',
  );
  unique(
    c.windows.map((w) => w.name),
    'windows',
  );
  unique(
    c.alarms.map((a) => a.name),
    'alarms',
  );
}

function checkAlarmEffects(c: ConfigReferences, ctx: z.RefinementCtx): void {
  const levels = new Set(c.degradation.map((d) => d.level));
  c.alarms.forEach((a, i) => {
    if (a.effect.type === 'degrade' && !levels.has(a.effect.level)) {
      ctx.addIssue({
        code: 'custom',
        path: ['alarms', i, 'effect', 'level'],
        input: a.effect.level,
        message: `expected a level defined in degradation (${[...levels].join(', ')})`,
      });
    }
  });
  const dependencies = new Set(c.routes.flatMap((r) => r.dependencies));
  c.alarms.forEach((a, i) => {
    if (a.effect.type === 'breaker' && !dependencies.has(a.effect.dependency)) {
      ctx.addIssue({
        code: 'custom',
        path: ['alarms', i, 'effect', 'dependency'],
        input: a.effect.dependency,
        message: `expected a dependency some route declares (${[...dependencies].join(', ') || 'none declared'})`,
      });
    }
  });
}

function checkDegradationGrows(c: ConfigReferences, ctx: z.RefinementCtx): void {
  c.degradation.forEach((d, i) => {
    const lower = c.degradation.filter((o) => o.level < d.level);
    for (const o of lower) {
      const missing = o.shed.filter((cls) => !d.shed.includes(cls));
      if (missing.length > 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['degradation', i, 'shed'],
          input: d.shed,
          message: `expected level ${d.level} to shed at least what level ${o.level} sheds (missing ${missing.join(', ')})`,
        });
      }
    }
  });
}
