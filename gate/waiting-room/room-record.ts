/**
 * The room's state as kept in Redis for the gate and the rehearsal (the KeyValueStore copy is for
 * the edge): the state document, the controller's bookkeeping (opaque here), and a version that
 * only moves forward. Validated on read, so a malformed record never replaces a good one.
 */
import { z } from 'zod';
import { WAITING_ROOM_KEY_ID_PATTERN, type WaitingRoomState } from '../../contracts/waiting-room';

const count = () => z.number().int().nonnegative();
const ms = () => z.number().nonnegative();
const estimateRateProblem = (issue: { input?: unknown }) =>
  `got ${typeof issue.input === 'number' ? issue.input : JSON.stringify(issue.input)}; expected 0 (the line's speed not measured yet) or more tickets per second`;

export const WaitingRoomStateSchema = z
  .object({
    v: z.literal(1),
    open: z.boolean(),
    keyId: z.string().regex(WAITING_ROOM_KEY_ID_PATTERN, 'expected 1-32 letters, digits, _ or -'),
    t0Ms: ms(),
    ticket0: count(),
    ratePerSecond: z.number().nonnegative(),
    estimateRatePerSecond: z
      .number({ error: estimateRateProblem })
      .nonnegative({ error: estimateRateProblem })
      .optional(),
    openedAtMs: ms(),
    ticketsFromMs: ms(),
    preQueueUntilMs: ms(),
    preQueueStart: count(),
    preQueueSize: count(),
    shuffleSeed: z.string(),
    passSeconds: z.number().int().positive(),
    passMaxSeconds: z.number().int().positive(),
  })
  .strict() satisfies z.ZodType<WaitingRoomState>;

export const RoomRecordSchema = z
  .object({
    version: z.number().int().positive(),
    updatedAtMs: ms(),
    state: WaitingRoomStateSchema,
    /** The controller's bookkeeping (levers, rate memory); the gate does not read it. */
    control: z.unknown().optional(),
  })
  .strict();
export type RoomRecord = z.infer<typeof RoomRecordSchema>;

export class RoomRecordRejectedError extends Error {
  readonly code = 'SALEDAY_WAITING_ROOM_RECORD_REJECTED';
  constructor(readonly problems: string[]) {
    super(`waiting room record rejected: ${problems.join('; ')}`);
    this.name = 'RoomRecordRejectedError';
  }
}

export function isRoomRecordRejectedError(error: unknown): error is RoomRecordRejectedError {
  return error instanceof RoomRecordRejectedError;
}

export function parseRoomRecord(text: string): RoomRecord {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new RoomRecordRejectedError([`not JSON: ${(error as Error).message}`]);
  }
  const result = RoomRecordSchema.safeParse(raw);
  if (!result.success)
    throw new RoomRecordRejectedError(result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  return result.data;
}
