/**
 * A critical route's gate timeout must outlast the app's worst case: otherwise the gate answers 504
 * while the app may still be completing a paid order, and a client retrying without the same
 * Idempotency-Key buys twice. Checked when the app declares its worst case (`app.checkoutWorstCaseMs`;
 * the reference storefront prints its own as `checkoutWorstCaseMs` in its listening line).
 */
import type { z } from 'zod';

interface TimeoutsToCheck {
  app: { checkoutWorstCaseMs?: number };
  routes: readonly { name: string; priority: string; timeoutMs: number }[];
}

export function checkCriticalRouteTimeouts(config: TimeoutsToCheck, ctx: z.RefinementCtx): void {
  const worstCaseMs = config.app.checkoutWorstCaseMs;
  if (worstCaseMs === undefined) return;
  config.routes.forEach((route, index) => {
    if (route.priority !== 'critical' || route.timeoutMs >= worstCaseMs) return;
    ctx.addIssue({
      code: 'custom',
      path: ['routes', index, 'timeoutMs'],
      input: route.timeoutMs,
      message:
        `expected at least app.checkoutWorstCaseMs (${worstCaseMs} ms) for critical route ${route.name}: with ${route.timeoutMs} ms ` +
        'the gate could answer 504 while the app is still completing a paid order',
    });
  });
}
