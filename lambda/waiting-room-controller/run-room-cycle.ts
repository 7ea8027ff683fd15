/**
 * One waiting-room controller cycle: read the room record, the ticket counter, the degradation
 * level and the gates' measurements; decide (decide-room.ts); publish to the edge's KeyValueStore
 * first (so a new signing key is there before anyone signs with it), then store the record in
 * Redis with compare-and-set, deciding again from the newer record when another writer won.
 * The Lambda, the `saleday queue` levers (against a local Redis) and the rehearsal run this cycle.
 */
import { randomBytes } from 'node:crypto';
import type { WaitingRoomState } from '../../contracts/waiting-room';
import type { WaitingRoomSigningKeys } from '../../contracts/waiting-room-secrets';
import { WAITING_ROOM_FIRST_KEY_ID } from '../../contracts/waiting-room-secrets';
import type { RoomRecord } from '../../gate/waiting-room/room-record';
import type { WriteOutcome } from '../../gate/waiting-room/redis-room-store';
import type { RateMeasurement } from './decide-rate';
import { decideRoom, type RoomControl, type RoomPolicy } from './decide-room';
import type { QueueCommand } from './queue-commands';
import { closedRoomState, roomControlOf, type ClosedRoomSettings } from './room-control';
import { summarizeRoom, type RoomSummary } from './room-summary';

export interface RoomCycleLogger {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
}

export interface RoomRecordStore {
  read(): Promise<RoomRecord | undefined>;
  write(record: Omit<RoomRecord, 'version'>, replacing: number): Promise<WriteOutcome>;
}

export interface RoomCycleDeps {
  store: RoomRecordStore;
  policy: RoomPolicy;
  /** What a room starts from when Redis holds no record yet. */
  room: ClosedRoomSettings;
  readIssuedCount(): Promise<number>;
  readDegradationLevel(): Promise<number>;
  /**
   * What the gates measured, given the stored room (the opening's show-up is read against its
   * schedule). Omitted (the CLI's local levers): the rate holds unless a person sets it.
   */
  readMeasurement?(
    nowMs: number,
    room: { state: WaitingRoomState | undefined; issuedCount: number },
  ): Promise<RateMeasurement | undefined>;
  /** Omitted locally: the key id stays what the record says. */
  signingKeys?(): Promise<WaitingRoomSigningKeys>;
  /** Writes the state and keys to the edge's store (KeyValueStore on AWS); omitted locally. */
  publishEdge?(state: WaitingRoomState, keys: WaitingRoomSigningKeys): Promise<unknown>;
  /** @default 24 random bytes, base64url */
  newSeed?(): string;
  logger?: RoomCycleLogger;
  /** @default 5 */
  maxAttempts?: number;
}

export interface RoomCycleResult {
  outcome: 'written' | 'unchanged';
  state: WaitingRoomState;
  control: RoomControl;
  changes: string[];
  version: number;
  summary: RoomSummary;
  attempts: number;
}

export class RoomWriteConflictError extends Error {
  readonly code = 'SALEDAY_WAITING_ROOM_WRITE_CONFLICT';
  constructor(readonly attempts: number) {
    super(
      `the waiting room record kept changing under this controller: gave up after ${attempts} compare-and-set attempts`,
    );
    this.name = 'RoomWriteConflictError';
  }
}

export function isRoomWriteConflictError(error: unknown): error is RoomWriteConflictError {
  return error instanceof RoomWriteConflictError;
}

export async function runRoomCycle(
  deps: RoomCycleDeps,
  command: QueueCommand | undefined,
  nowMs: number,
): Promise<RoomCycleResult> {
  const maxAttempts = deps.maxAttempts ?? 5;
  const [issuedCount, degradationLevel, keys, stored] = await Promise.all([
    deps.readIssuedCount(),
    deps.readDegradationLevel(),
    deps.signingKeys?.(),
    deps.store.read(),
  ]);
  const measured = await deps.readMeasurement?.(nowMs, { state: stored?.state, issuedCount });
  let record = stored;
  for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
    const current = record?.state ?? closedRoomState(deps.room, keys?.current ?? WAITING_ROOM_FIRST_KEY_ID);
    const control = roomControlOf(record?.control, current.ratePerSecond);
    const decision = decideRoom({
      current,
      control,
      policy: deps.policy,
      degradationLevel,
      measured,
      issuedCount,
      command,
      newSeed: deps.newSeed ?? freshSeed,
      nowMs,
    });
    let { state } = decision;
    const changes = [...decision.changes];
    if (keys && state.keyId !== keys.current) {
      changes.push(`signing key ${state.keyId} → ${keys.current}`);
      state = { ...state, keyId: keys.current };
    }
    if (keys && deps.publishEdge) await deps.publishEdge(state, keys);
    const summary = summarizeRoom(state, issuedCount, nowMs);
    const unchanged =
      record !== undefined &&
      JSON.stringify(state) === JSON.stringify(record.state) &&
      JSON.stringify(decision.control) === JSON.stringify(record.control);
    if (unchanged) {
      deps.logger?.info('waiting room unchanged', { version: record!.version, summary });
      return {
        outcome: 'unchanged',
        state,
        control: decision.control,
        changes,
        version: record!.version,
        summary,
        attempts: attempt,
      };
    }
    const replacing = record?.version ?? 0;
    const written = await deps.store.write({ updatedAtMs: nowMs, state, control: decision.control }, replacing);
    if (written.written) {
      deps.logger?.info('waiting room written', { version: written.version, changes, summary });
      return {
        outcome: 'written',
        state,
        control: decision.control,
        changes,
        version: written.version,
        summary,
        attempts: attempt,
      };
    }
    deps.logger?.warn('lost a compare-and-set race on the room record; deciding again', {
      attempt,
      replacing,
      stored: written.storedVersion,
    });
    record = await deps.store.read();
  }
  throw new RoomWriteConflictError(maxAttempts);
}

function freshSeed(): string {
  return randomBytes(24).toString('base64url');
}
