/**
 * The opening's show-up as the gates recorded it (contracts/metrics/waiting-room-metrics.ts): of
 * the latest places admitted at least `OPENING_SHOW_UP_LAG_MS` ago, how many have been used, and how
 * many places have been used in all. Two BITCOUNTs.
 *
 * The latest places, not all since the opening: who uses a ticket changes along the line (a
 * pre-queue place drawn late waits longer and is given up more often than one drawn early; the
 * crowd behind the pre-queue behaves otherwise again), and the rate is for the places to come.
 */
import type Redis from 'ioredis';
import { WAITING_ROOM_SHOWN_MAX_NOTED, waitingRoomShownPlacesKey } from '../../contracts/metrics/waiting-room-metrics';
import type { WaitingRoomState } from '../../contracts/waiting-room';
import { admittedBelow } from '../../contracts/waiting-room-schedule';
import { MIN_SHOW_UP_PLACES, type OpeningShowUp } from './opening-show-up';

/**
 * How long after its turn an admitted ticket that will be used has shown in the bitmap: while the
 * room is estimating, a waiting page looks again before its turn or at most the shortest refresh
 * (2 s) after it, and the gate sends the place within its metrics interval (1 s); half a second
 * more for the pass and the first request.
 */
export const OPENING_SHOW_UP_LAG_MS = 3500;

/** How many of the latest places a reading counts: two seconds of admission, and never fewer than the decision needs. */
export const RECENT_PLACES_SECONDS = 2;

export async function readOpeningShowUp(input: {
  redis: Pick<Redis, 'bitcount'>;
  saleName: string;
  state: WaitingRoomState | undefined;
  issuedCount: number;
  nowMs: number;
  keyPrefix?: string;
  lagMs?: number;
}): Promise<OpeningShowUp | undefined> {
  const { state } = input;
  if (!state?.open || !(state.openedAtMs > 0)) return undefined;
  const admittedByMs = input.nowMs - (input.lagMs ?? OPENING_SHOW_UP_LAG_MS);
  // Which places were admitted before the rate's last change is not in the state.
  if (admittedByMs < state.t0Ms) return undefined;
  const admitted = Math.min(input.issuedCount, admittedBelow(state, admittedByMs)) - state.preQueueStart;
  const key = waitingRoomShownPlacesKey(input.saleName, state.openedAtMs, input.keyPrefix);
  const recent = recentPlaces(admitted, state.ratePerSecond);
  const [shown, shownInAll] = await Promise.all([
    recent.places > 0 ? input.redis.bitcount(key, recent.fromByte, recent.fromByte + recent.places / 8 - 1) : 0,
    input.redis.bitcount(key),
  ]);
  return { places: recent.places, shown, shownInAll };
}

/**
 * The latest places below `admitted` (counted from the opening's first place), in whole bytes since
 * BITCOUNT's range is in bytes; none once the line is past what every gate marks.
 */
export function recentPlaces(admitted: number, ratePerSecond: number): { fromByte: number; places: number } {
  if (!(admitted > 0) || admitted > WAITING_ROOM_SHOWN_MAX_NOTED) return { fromByte: 0, places: 0 };
  const wanted = Math.max(MIN_SHOW_UP_PLACES, Math.ceil(RECENT_PLACES_SECONDS * Math.max(0, ratePerSecond)));
  const endByte = Math.floor(admitted / 8);
  const fromByte = Math.max(0, endByte - Math.ceil(wanted / 8));
  return { fromByte, places: (endByte - fromByte) * 8 };
}
