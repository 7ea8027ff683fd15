/**
 * The `waitingRoom` section of saleday.config.json: whether the sale has a waiting room, how long
 * an admitted shopper's pass lasts, when the room opens by itself (at a drop, or at a degradation
 * level) and the bounds of the admission rate the controller sets. Optional: a sale without it has
 * no room.
 */
import { z } from 'zod';

const localDateTime = () =>
  z
    .string()
    .regex(
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/,
      'expected a local date-time like 2026-11-27T09:00 (no offset; the window’s timeZone applies)',
    );

export const WaitingRoomDropSchema = z
  .object({
    /** The sale window the drop belongs to; its time zone gives `at` its meaning. */
    window: z.string().min(1),
    /** When the limited product is released: the room opens and admits from then on. */
    at: localDateTime(),
    /** How long before `at` the pre-queue collects arrivals, who get a random place at the opening. */
    preQueueMinutes: z
      .number()
      .int()
      .min(0)
      .max(24 * 60)
      .default(30),
  })
  .strict();
export type WaitingRoomDrop = z.infer<typeof WaitingRoomDropSchema>;

/** One join limit: a GCRA policy (a steady rate with a burst) kept per key in Redis by the gate. */
export const WaitingRoomJoinLimitSchema = z
  .object({
    ratePerSecond: z.number().positive().max(10_000),
    burst: z.number().int().min(1).max(100_000),
  })
  .strict();
export type WaitingRoomJoinLimit = z.infer<typeof WaitingRoomJoinLimitSchema>;

export const WaitingRoomSchema = z
  .object({
    /** Deploys the room: the edge function on the dynamic and page behaviors, its store, the signing keys and the controller. It stays closed until a drop, a degradation level or a person opens it. */
    enabled: z.boolean().default(false),
    /** How long a pass lasts; an active shopper's pass is renewed up to passMaxMinutes after admission. */
    passMinutes: z.number().int().min(1).max(240).default(15),
    passMaxMinutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(60),
    /** Open the room by itself when the degradation level reaches this (omitted: only by drop or by hand). */
    openAtLevel: z.number().int().min(1).max(9).optional(),
    drops: z.array(WaitingRoomDropSchema).default([]),
    /** Admission rate at the opening, before the controller has measured anything. */
    initialRatePerSecond: z.number().positive().default(20),
    minRatePerSecond: z.number().positive().default(1),
    maxRatePerSecond: z.number().positive().default(1000),
    /**
     * Joins (ticket requests) per IP per WAF window (waf.windowSeconds) at the edge, before the gate's
     * own per-identity limit: a carrier NAT shares one address among many shoppers, each of whom joins
     * about once per opening. AWS minimum 10.
     */
    joinsPerIpLimit: z.number().int().min(10).max(2_000_000_000).default(300),
    /** How long an admitted shopper typically stays active: with the rate it sets the active count (Little's law). */
    sessionMinutes: z.number().positive().max(240).default(10),
    /**
     * How often one client may join (tickets are what bots farm): per client IP, and per proven
     * identity. Omitted: the gate's defaults (gate/waiting-room/join-limits.ts).
     */
    joinLimits: z
      .object({ perIp: WaitingRoomJoinLimitSchema.optional(), perIdentity: WaitingRoomJoinLimitSchema.optional() })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((room, ctx) => {
    if (room.passMaxMinutes < room.passMinutes) {
      ctx.addIssue({
        code: 'custom',
        path: ['passMaxMinutes'],
        input: room.passMaxMinutes,
        message: `expected at least passMinutes (${room.passMinutes})`,
      });
    }
    if (room.minRatePerSecond > room.maxRatePerSecond) {
      ctx.addIssue({
        code: 'custom',
        path: ['minRatePerSecond'],
        input: room.minRatePerSecond,
        message: `expected at most maxRatePerSecond (${room.maxRatePerSecond})`,
      });
    }
    if (room.initialRatePerSecond < room.minRatePerSecond || room.initialRatePerSecond > room.maxRatePerSecond) {
      ctx.addIssue({
        code: 'custom',
        path: ['initialRatePerSecond'],
        input: room.initialRatePerSecond,
        message: `expected a rate between minRatePerSecond (${room.minRatePerSecond}) and maxRatePerSecond (${room.maxRatePerSecond})`,
      });
    }
  });
export type WaitingRoomConfig = z.infer<typeof WaitingRoomSchema>;

/** What the room's checks need from the rest of the config. */
interface ConfigAroundTheRoom {
  waitingRoom?: WaitingRoomConfig;
  windows: ReadonlyArray<{ name: string; start: string; end: string }>;
  degradation: ReadonlyArray<{ level: number }>;
}

/** Checks that need the whole config: drops name a window and fall inside it; openAtLevel exists. */
export function checkWaitingRoomAgainstConfig(config: ConfigAroundTheRoom, ctx: z.RefinementCtx): void {
  const room = config.waitingRoom;
  if (!room) return;
  const windows = new Map(config.windows.map((w) => [w.name, w]));
  room.drops.forEach((drop, i) => {
    const window = windows.get(drop.window);
    if (!window) {
      ctx.addIssue({
        code: 'custom',
        path: ['waitingRoom', 'drops', i, 'window'],
        input: drop.window,
        message: `expected the name of a sale window (${[...windows.keys()].join(', ')})`,
      });
    } else if (minute(drop.at) < minute(window.start) || minute(drop.at) >= minute(window.end)) {
      ctx.addIssue({
        code: 'custom',
        path: ['waitingRoom', 'drops', i, 'at'],
        input: drop.at,
        message: `expected a time within window ${window.name} (${window.start} to ${window.end})`,
      });
    }
  });
  const levels = config.degradation.map((d) => d.level);
  if (room.openAtLevel !== undefined && !levels.includes(room.openAtLevel)) {
    ctx.addIssue({
      code: 'custom',
      path: ['waitingRoom', 'openAtLevel'],
      input: room.openAtLevel,
      message: `expected a level defined in degradation (${levels.join(', ')})`,
    });
  }
}

/** Local date-times compare as text once they all carry seconds. */
function minute(localDateTime: string): string {
  return localDateTime.length === 16 ? `${localDateTime}:00` : localDateTime;
}
