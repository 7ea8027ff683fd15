/**
 * The opening's show-up as the gates recorded it (contracts/metrics/waiting-room-metrics.ts): of
 * the places admitted at least `OPENING_SHOW_UP_LAG_MS` ago, how many have been used, and how many
 * places have been used in all. Two BITCOUNTs.
 */
import type Redis from 'ioredis';
import { WAITING_ROOM_SHOWN_MAX_PLACES, waitingRoomShownPlacesKey } from '../../contracts/metrics/waiting-room-metrics';
import type { WaitingRoomState } from '../../contracts/waiting-room';
import { admittedBelow } from '../../contracts/waiting-room-schedule';
import type { OpeningShowUp } from './opening-show-up';

/**
 * How long after its turn an admitted ticket that will be used has shown in the bitmap: while the
 * room is estimating, a waiting page looks again before its turn or at most the shortest refresh
 * (2 s) after it, and the gate sends the place within its metrics interval (1 s); half a second
 * more for the pass and the first request.
 */
export const OPENING_SHOW_UP_LAG_MS = 3500;

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
  // Whole bytes only: BITCOUNT's range is in bytes.
  const places = Math.floor(Math.min(admitted, WAITING_ROOM_SHOWN_MAX_PLACES) / 8) * 8;
  const key = waitingRoomShownPlacesKey(input.saleName, state.openedAtMs, input.keyPrefix);
  const [shown, shownInAll] = await Promise.all([
    places > 0 ? input.redis.bitcount(key, 0, places / 8 - 1) : 0,
    input.redis.bitcount(key),
  ]);
  return { places: Math.max(0, places), shown, shownInAll };
}
