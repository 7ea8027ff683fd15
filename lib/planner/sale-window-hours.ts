/**
 * Hours the fleet runs at the plan: every window from warm-up to the end of cool-down. Start and
 * end are local times in the same zone, so their difference is taken on the wall clock (a DST
 * change inside a window shifts it by an hour, which is within the planning error).
 */
import type { SaleWindow } from '../../contracts/config/schema';

type WindowTimes = Pick<SaleWindow, 'start' | 'end' | 'warmUpMinutes' | 'coolDownMinutes'>;

export function saleWindowHours(windows: readonly WindowTimes[]): number {
  return windows.reduce((sum, w) => sum + windowMinutes(w) / 60, 0);
}

function windowMinutes(w: WindowTimes): number {
  const wallClockMs = (local: string) => Date.parse(`${local.length === 16 ? `${local}:00` : local}Z`);
  return (wallClockMs(w.end) - wallClockMs(w.start)) / 60_000 + w.warmUpMinutes + w.coolDownMinutes;
}
