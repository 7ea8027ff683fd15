/**
 * The admission schedule (contracts/waiting-room.ts) as TypeScript: what the controller writes and
 * what the gate, the rehearsal and the tests compute. The edge function holds the same arithmetic
 * in JavaScript; its tests check both give the same answers.
 */
import { createHmac } from 'node:crypto';
import type { WaitingRoomState, WaitingRoomStatus } from '../../contracts/waiting-room';

/** The largest pre-queue the shuffle handles (its Feistel halves must stay within 32-bit integers). */
export const MAX_PRE_QUEUE_SIZE = 2 ** 30;

/** Tickets whose place is below this are admitted at `nowMs`. */
export function admittedBelow(state: WaitingRoomState, nowMs: number): number {
  return state.ticket0 + Math.floor((state.ratePerSecond * Math.max(0, nowMs - state.t0Ms)) / 1000);
}

/** A new admission rate from `nowMs` on, continuing from where the line stands (it never jumps back). */
export function withRate(state: WaitingRoomState, ratePerSecond: number, nowMs: number): WaitingRoomState {
  if (!(ratePerSecond >= 0) || !Number.isFinite(ratePerSecond)) {
    throw new RangeError(`waiting room rate: got ${ratePerSecond}; expected a finite number of tickets per second, 0 or more`);
  }
  return { ...state, t0Ms: nowMs, ticket0: admittedBelow(state, nowMs), ratePerSecond };
}

/**
 * The opening: the pre-queue's size (the ticket counter's value now) and a fresh secret seed fix
 * everyone's random place; admission starts at `nowMs` at `ratePerSecond`.
 */
export function openedState(state: WaitingRoomState, opening: { nowMs: number; preQueueSize: number; shuffleSeed: string; ratePerSecond: number }): WaitingRoomState {
  if (!Number.isSafeInteger(opening.preQueueSize) || opening.preQueueSize < 0 || opening.preQueueSize > MAX_PRE_QUEUE_SIZE) {
    throw new RangeError(`waiting room pre-queue size: got ${opening.preQueueSize}; expected a whole number from 0 to ${MAX_PRE_QUEUE_SIZE}`);
  }
  if (opening.shuffleSeed.length < 16) throw new RangeError('waiting room shuffle seed: expected at least 16 characters of randomness');
  return withRate({ ...state, open: true, openedAtMs: opening.nowMs, preQueueSize: opening.preQueueSize, shuffleSeed: opening.shuffleSeed, t0Ms: opening.nowMs, ticket0: 0 }, opening.ratePerSecond, opening.nowMs);
}

/** A ticket's place in line; -1 while its pre-queue order is not drawn yet. */
export function placeOf(state: WaitingRoomState, ticketNumber: number, issuedAtMs: number): number {
  if (ticketNumber < state.preQueueSize) return preQueueShuffle(ticketNumber, state.preQueueSize, state.shuffleSeed);
  if (!state.shuffleSeed && issuedAtMs < state.preQueueUntilMs) return -1;
  return ticketNumber;
}

/**
 * A keyed permutation of [0, size): a 4-round Feistel network whose round function is HMAC-SHA256
 * keyed by the seed, on the smallest even bit width covering `size`, cycle-walking back into range.
 */
export function preQueueShuffle(ticketNumber: number, size: number, seed: string): number {
  let halfBits = 1;
  while (4 ** halfBits < size) halfBits++;
  const mask = 2 ** halfBits - 1;
  let x = ticketNumber;
  do {
    let left = Math.floor(x / (mask + 1));
    let right = x & mask;
    for (let round = 0; round < 4; round++) {
      const f = parseInt(createHmac('sha256', seed).update(`${round}:${right}`).digest('hex').slice(0, 8), 16);
      [left, right] = [right, left ^ (f & mask)];
    }
    x = left * (mask + 1) + right;
  } while (x >= size);
  return x;
}

/** What the waiting page says to the holder of a ticket at `place` (as the edge function answers it). */
export function waitingStatus(state: WaitingRoomState, place: number, nowMs: number): WaitingRoomStatus {
  if (place < 0) {
    return { status: 'pre-queue', position: null, peopleAhead: null, estimatedWaitSeconds: null, opensAtMs: state.preQueueUntilMs, ratePerSecond: state.ratePerSecond };
  }
  const ahead = Math.max(0, place - admittedBelow(state, nowMs));
  const rate = state.ratePerSecond;
  const waitMs = ((place + 1 - state.ticket0) * 1000) / rate - (nowMs - state.t0Ms);
  return {
    status: 'waiting',
    position: ahead + 1,
    peopleAhead: ahead,
    estimatedWaitSeconds: rate > 0 ? Math.max(0, Math.ceil(waitMs / 1000)) : null,
    opensAtMs: 0,
    ratePerSecond: rate,
  };
}
