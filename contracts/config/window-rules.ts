/**
 * The rules a sale schedule must follow beyond its shape: dates that exist on the calendar, a
 * window that ends after it starts, and windows whose raised periods (warm-up to the end of
 * cool-down) never touch, because one window's cool-down action would otherwise drop the fleet to
 * its baseline in the middle of the next one. Hooked into contracts/config/schema.ts.
 */
import type { z } from 'zod';
import { formatUtcMinute, windowInstants } from './window-schedule';

type RefinementContext = z.core.$RefinementCtx<unknown>;

const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/** Why a well-formed local date-time does not exist (`2026-02-30T10:00`), or undefined when it does. */
export function calendarProblem(text: string): string | undefined {
  const match = LOCAL_DATE_TIME.exec(text);
  if (!match) return undefined; // the format rule reports it
  const [year, month, day, hour, minute, second] = match.slice(1).map((v) => (v === undefined ? 0 : Number(v))) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12) return `expected a month from 01 to 12, got ${match[2]}`;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > daysInMonth)
    return `expected a date that exists: ${match[1]}-${match[2]} has ${daysInMonth} days`;
  if (hour > 23) return `expected an hour from 00 to 23, got ${match[4]}`;
  if (minute > 59) return `expected minutes from 00 to 59, got ${match[5]}`;
  if (second > 59) return `expected seconds from 00 to 59, got ${match[6]}`;
  return undefined;
}

/** A string refinement: the local date-time exists on the calendar. */
export function checkCalendarDateTime(text: string, ctx: RefinementContext): void {
  const problem = calendarProblem(text);
  if (problem) ctx.addIssue({ code: 'custom', input: text, message: problem });
}

interface WindowTimes {
  readonly name: string;
  readonly start: string;
  readonly end: string;
  readonly timeZone: string;
  readonly warmUpMinutes: number;
  readonly coolDownMinutes: number;
}

/** The window's instants, or undefined while one of its fields is itself refused (reported there). */
function instantsIfValid(window: WindowTimes): ReturnType<typeof windowInstants> | undefined {
  if (!LOCAL_DATE_TIME.test(window.start) || !LOCAL_DATE_TIME.test(window.end)) return undefined;
  if (calendarProblem(window.start) || calendarProblem(window.end)) return undefined;
  try {
    return windowInstants(window);
  } catch {
    return undefined; // an unknown time zone
  }
}

/** A window refinement: the sale ends after it starts, compared as instants in the window's zone. */
export function checkWindowEndsAfterStart(window: WindowTimes, ctx: RefinementContext): void {
  const instants = instantsIfValid(window);
  if (!instants) return;
  const { start, end } = instants;
  if (end <= start) {
    ctx.addIssue({
      code: 'custom',
      path: ['end'],
      input: window.end,
      message: `expected end to be after start (${window.start} ${window.timeZone}): a window that ends ${end === start ? 'when' : 'before'} it starts never runs`,
    });
  }
}

/**
 * An array refinement: no two windows' raised periods overlap or meet. Reported on the later
 * window's start, naming both windows and the instants in UTC (the windows may be in different zones).
 */
export function checkWindowsDoNotOverlap(windows: readonly WindowTimes[], ctx: RefinementContext): void {
  const all = windows.map((window, index) => ({ window, index, instants: instantsIfValid(window) }));
  if (all.some((w) => !w.instants || w.instants.end <= w.instants.start)) return;
  const byRaise = all
    .map(({ window, index, instants }) => ({ window, index, ...instants! }))
    .sort((a, b) => a.raiseAt - b.raiseAt);
  let latest = byRaise[0];
  for (const next of byRaise.slice(1)) {
    if (latest && next.raiseAt <= latest.restoreAt) {
      ctx.addIssue({
        code: 'custom',
        path: [next.index, 'start'],
        input: next.window.start,
        message:
          `expected window ${next.window.name} to start its warm-up (${formatUtcMinute(next.raiseAt)}) after window ${latest.window.name} ends its cool-down (${formatUtcMinute(latest.restoreAt)}): ` +
          `overlapping windows let ${latest.window.name}'s cool-down drop the fleet to its baseline in the middle of ${next.window.name}; merge them into one window or shorten warmUpMinutes/coolDownMinutes`,
      });
    }
    if (!latest || next.restoreAt > latest.restoreAt) latest = next;
  }
}
