/**
 * The admission schedule (contracts/waiting-room.ts) as TypeScript: what the controller writes and
 * what the gate, the rehearsal and the tests compute. The edge function holds the same arithmetic
 * in JavaScript; its tests check both give the same answers.
 */
import { createHmac } from 'node:crypto';
import type { WaitingRoomState, WaitingRoomStatus } from './waiting-room';

/** The largest pre-queue the shuffle handles (its Feistel halves must stay within 32-bit integers). */
export const MAX_PRE_QUEUE_SIZE = 2 ** 30;

/** Tickets whose place is below this are admitted at `nowMs`. */
export function admittedBelow(state: WaitingRoomState, nowMs: number): number {
  return state.ticket0 + Math.floor((state.ratePerSecond * Math.max(0, nowMs - state.t0Ms)) / 1000);
}

/** A new admission rate from `nowMs` on, continuing from where the line stands (it never jumps back). */
export function withRate(state: WaitingRoomState, ratePerSecond: number, nowMs: number): WaitingRoomState {
  if (!(ratePerSecond >= 0) || !Number.isFinite(ratePerSecond)) {
    throw new RangeError(
      `waiting room rate: got ${ratePerSecond}; expected a finite number of tickets per second, 0 or more`,
    );
  }
  return { ...state, t0Ms: nowMs, ticket0: admittedBelow(state, nowMs), ratePerSecond };
}

/**
 * The opening after a pre-queue: the ticket counter now (`issuedCount`) fixes the pre-queue's size
 * and a fresh secret seed everyone's random place; admission starts at `nowMs` from the first
 * pre-queue ticket, at `ratePerSecond`.
 */
export function openedState(
  state: WaitingRoomState,
  opening: { nowMs: number; issuedCount: number; shuffleSeed: string; ratePerSecond: number },
): WaitingRoomState {
  const preQueueSize = opening.issuedCount - state.preQueueStart;
  if (!Number.isSafeInteger(preQueueSize) || preQueueSize < 0 || preQueueSize > MAX_PRE_QUEUE_SIZE) {
    throw new RangeError(
      `waiting room pre-queue size: got ${preQueueSize} (${opening.issuedCount} tickets issued, the pre-queue started at ${state.preQueueStart}); expected a whole number from 0 to ${MAX_PRE_QUEUE_SIZE}`,
    );
  }
  if (opening.shuffleSeed.length < 16)
    throw new RangeError('waiting room shuffle seed: expected at least 16 characters of randomness');
  const opened = {
    ...state,
    open: true,
    openedAtMs: opening.nowMs,
    preQueueSize,
    shuffleSeed: opening.shuffleSeed,
    t0Ms: opening.nowMs,
    ticket0: state.preQueueStart,
    ratePerSecond: 0,
  };
  return withRate(opened, opening.ratePerSecond, opening.nowMs);
}

/** A ticket's place in line; -1 while its pre-queue order is not drawn yet. */
export function placeOf(state: WaitingRoomState, ticketNumber: number, issuedAtMs: number): number {
  const k = ticketNumber - state.preQueueStart;
  if (k >= 0 && k < state.preQueueSize)
    return state.preQueueStart + preQueueShuffle(k, state.preQueueSize, state.shuffleSeed);
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

/**
 * The rate the waiting page's estimate uses: the state's estimateRatePerSecond when it is a number,
 * 0 or more, else (absent or malformed) the admission rate itself. The edge function reads it alike.
 */
export function estimateRateOf(state: WaitingRoomState): number {
  const rate = state.estimateRatePerSecond;
  return typeof rate === 'number' && rate >= 0 && rate < Infinity ? rate : state.ratePerSecond;
}

/** What the waiting page says to the holder of a ticket at `place` (as the edge function answers it). */
export function waitingStatus(state: WaitingRoomState, place: number, nowMs: number): WaitingRoomStatus {
  if (place < 0) {
    return {
      status: 'pre-queue',
      position: null,
      peopleAhead: null,
      estimatedWaitSeconds: null,
      estimating: false,
      opensAtMs: state.preQueueUntilMs,
      ratePerSecond: state.ratePerSecond,
    };
  }
  const ahead = Math.max(0, place - admittedBelow(state, nowMs));
  const rate = state.ratePerSecond;
  const estimateRate = estimateRateOf(state);
  // When the schedule passes `place` at the current rate; the tickets left are then timed at the estimate
  // rate: (place + 1 − (ticket0 + rate × (now − t0) / 1000)) / estimateRate, which is this × rate / estimateRate.
  const waitMs = ((place + 1 - state.ticket0) * 1000) / rate - (nowMs - state.t0Ms);
  return {
    status: 'waiting',
    position: ahead + 1,
    peopleAhead: ahead,
    estimatedWaitSeconds:
      rate > 0 && estimateRate > 0 ? Math.max(0, Math.round((waitMs * (rate / estimateRate)) / 1000)) : null,
    estimating: rate > 0 && estimateRate === 0,
    opensAtMs: 0,
    ratePerSecond: rate,
  };
}
