/**
 * The coming window's scheduled actions exist with the planned capacity: a warm-up action at
 * start − warmUpMinutes raising the floor to at least fleet.plannedTasks (ceiling at least
 * fleet.maxTasks), and a cool-down action at end + coolDownMinutes. Actions are matched by when
 * they fire (their one-shot cron or at() in their time zone), not by name.
 */
import { DescribeScheduledActionsCommand, type ScheduledAction } from '@aws-sdk/client-application-auto-scaling';
import { SALE_STACK_OUTPUTS } from '../../contracts/config/names';
import type { SaleWindow } from '../../contracts/config/schema';
import { zonedToInstant } from '../../contracts/config/window-schedule';
import { failed, passed, type CheckResult } from './check-result';
import type { PreflightContext } from './preflight-context';

export const SCHEDULED_SCALING_CHECK = 'Scheduled scaling for the coming window';

/** The first window not yet over (cool-down included), or undefined when all are past. */
export function comingWindow(windows: readonly SaleWindow[], now: Date): SaleWindow | undefined {
  return [...windows]
    .sort((a, b) => zonedToInstant(a.start, a.timeZone) - zonedToInstant(b.start, b.timeZone))
    .find((w) => zonedToInstant(w.end, w.timeZone) + w.coolDownMinutes * 60_000 > now.getTime());
}

/** When a one-shot schedule fires, as epoch ms; undefined for recurring or unreadable schedules. */
export function scheduleInstant(schedule: string | undefined, timeZone: string | undefined): number | undefined {
  if (!schedule) return undefined;
  const zone = timeZone || 'UTC';
  const at = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(:\d{2})?\)$/.exec(schedule.trim());
  if (at) return zonedToInstant(at[1]!, zone);
  const cron = /^cron\((\S+) (\S+) (\S+) (\S+) \S+ (\S+)\)$/.exec(schedule.trim());
  if (!cron) return undefined;
  const [minute, hour, day, month, year] = cron.slice(1).map((f) => (/^\d+$/.test(f!) ? Number(f) : NaN));
  if ([minute, hour, day, month, year].some((n) => Number.isNaN(n))) return undefined;
  const pad = (n: number) => String(n).padStart(2, '0');
  return zonedToInstant(`${year}-${pad(month!)}-${pad(day!)}T${pad(hour!)}:${pad(minute!)}`, zone);
}

export async function checkScheduledScaling(ctx: PreflightContext): Promise<CheckResult> {
  const window = comingWindow(ctx.config.windows, ctx.now);
  if (!window)
    return failed(SCHEDULED_SCALING_CHECK, 'every configured window has ended; add the next one to the config');
  const name = `${SCHEDULED_SCALING_CHECK} (${window.name})`;
  const cluster = ctx.sale.get(SALE_STACK_OUTPUTS.clusterName);
  const service = ctx.sale.get(SALE_STACK_OUTPUTS.serviceName);
  const actions = await describeAllScheduledActions(ctx, `service/${cluster}/${service}`);
  const raiseAt = zonedToInstant(window.start, window.timeZone) - window.warmUpMinutes * 60_000;
  const restoreAt = zonedToInstant(window.end, window.timeZone) + window.coolDownMinutes * 60_000;
  const firingAt = (instant: number) => actions.filter((a) => scheduleInstant(a.Schedule, a.Timezone) === instant);
  const { plannedTasks, maxTasks } = ctx.config.fleet;
  const iso = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ' UTC';

  const raises = firingAt(raiseAt);
  if (raises.length === 0)
    return failed(
      name,
      `no scheduled action raises the fleet at ${iso(raiseAt)} (start − ${window.warmUpMinutes} min)`,
    );
  const raise = raises.find(
    (a) =>
      (a.ScalableTargetAction?.MinCapacity ?? 0) >= plannedTasks &&
      (a.ScalableTargetAction?.MaxCapacity ?? 0) >= maxTasks,
  );
  if (!raise) {
    const found = raises[0]!.ScalableTargetAction;
    return failed(
      name,
      `warm-up action ${raises[0]!.ScheduledActionName} sets min ${found?.MinCapacity ?? '-'}/max ${found?.MaxCapacity ?? '-'}, plan needs min ${plannedTasks}/max ${maxTasks}`,
    );
  }
  if (firingAt(restoreAt).length === 0)
    return failed(
      name,
      `no scheduled action restores the baseline at ${iso(restoreAt)} (end + ${window.coolDownMinutes} min)`,
    );
  return passed(
    name,
    `min ${raise.ScalableTargetAction!.MinCapacity}/max ${raise.ScalableTargetAction!.MaxCapacity} from ${iso(raiseAt)}, baseline again at ${iso(restoreAt)}`,
  );
}

async function describeAllScheduledActions(ctx: PreflightContext, resourceId: string): Promise<ScheduledAction[]> {
  const actions: ScheduledAction[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ctx.clients.autoScaling.send(
      new DescribeScheduledActionsCommand({
        ServiceNamespace: 'ecs',
        ResourceId: resourceId,
        ScalableDimension: 'ecs:service:DesiredCount',
        NextToken: nextToken,
      }),
    );
    actions.push(...(page.ScheduledActions ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  return actions;
}
