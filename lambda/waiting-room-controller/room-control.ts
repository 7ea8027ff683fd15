/**
 * The controller's bookkeeping as stored in the room record's `control` field (levers and the
 * rate's memory), and the closed room a sale starts from. The gate never reads `control`; the
 * controller validates it, and a malformed one is replaced by a fresh one rather than trusted.
 */
import { z } from 'zod';
import type { WaitingRoomState } from '../../contracts/waiting-room';
import type { RoomControl } from './decide-room';

const lever = <T extends z.ZodType>(value: T) =>
  z.object({ value, untilMs: z.number().nonnegative(), reason: z.string(), actor: z.string() }).strict();

export const RoomControlSchema = z
  .object({
    manualOpen: lever(z.boolean()).optional(),
    manualRate: lever(z.number().nonnegative()).optional(),
    rate: z
      .object({
        ratePerSecond: z.number().nonnegative(),
        lastIncreaseAtMs: z.number(),
        lastDecreaseAtMs: z.number(),
        // Absent in records written before the waiting page's estimate had its own rate: read as measured.
        estimateRatePerSecond: z.number().nonnegative().optional(),
        measuringSinceMs: z.number().nonnegative().optional(),
        firstMeasuredAtMs: z.number().nonnegative().optional(),
      })
      .strict(),
  })
  .strict() satisfies z.ZodType<RoomControl>;

/** The stored bookkeeping, or a fresh one at `ratePerSecond` when there is none or it is malformed. */
export function roomControlOf(stored: unknown, ratePerSecond: number): RoomControl {
  const parsed = RoomControlSchema.safeParse(stored);
  if (parsed.success) return parsed.data;
  return {
    rate: {
      ratePerSecond,
      lastIncreaseAtMs: 0,
      lastDecreaseAtMs: 0,
      estimateRatePerSecond: ratePerSecond,
      measuringSinceMs: 0,
      firstMeasuredAtMs: 0,
    },
  };
}

export interface ClosedRoomSettings {
  passMinutes: number;
  passMaxMinutes: number;
  initialRatePerSecond: number;
}

/** A closed room: the edge lets everything through until the controller opens it. */
export function closedRoomState(room: ClosedRoomSettings, keyId: string): WaitingRoomState {
  return {
    v: 1,
    open: false,
    keyId,
    t0Ms: 0,
    ticket0: 0,
    ratePerSecond: room.initialRatePerSecond,
    openedAtMs: 0,
    ticketsFromMs: 0,
    preQueueUntilMs: 0,
    preQueueStart: 0,
    preQueueSize: 0,
    shuffleSeed: '',
    passSeconds: room.passMinutes * 60,
    passMaxSeconds: room.passMaxMinutes * 60,
  };
}
