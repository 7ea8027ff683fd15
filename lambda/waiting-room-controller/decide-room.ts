/**
 * The waiting room's controller decision: whether the room is open, the pre-queue and its opening,
 * and the admission rate. A pure function of (state, bookkeeping, measurements, command, now), so
 * the Lambda, the CLI levers and the rehearsal decide alike.
 *
 * - The room opens by hand (a lever, until it expires), for a drop (from its pre-queue until a
 *   while after it), or when the degradation level reaches `openAtLevel`. Once open it stays open
 *   until the line has reached every ticket issued, so nobody waiting is dropped — unless a person
 *   closes it.
 * - A drop opens the room early as a pre-queue: nobody is admitted and the counter's value is
 *   noted; at the drop, the pre-queue's size and a fresh seed fix everyone's random place.
 * - While open, the rate follows decideRate(), or a person's rate lever while it lasts.
 */
import type { WaitingRoomState } from '../../contracts/waiting-room';
import { admittedBelow, openedState, withRate } from '../../contracts/waiting-room-schedule';
import { decideRate, type RateMeasurement, type RatePolicy, type RateState } from './decide-rate';
import type { QueueCommand } from './queue-commands';

export interface Lever<T> {
  value: T;
  untilMs: number;
  reason: string;
  actor: string;
}

/** The controller's own bookkeeping, kept beside the state. */
export interface RoomControl {
  manualOpen?: Lever<boolean>;
  manualRate?: Lever<number>;
  rate: RateState;
}

export interface DropTimes {
  preQueueFromMs: number;
  atMs: number;
}

export interface RoomPolicy {
  drops: readonly DropTimes[];
  openAtLevel?: number;
  initialRatePerSecond: number;
  /** How long after a drop the room stays open even with an empty line. */
  dropHoldMs: number;
  rate: RatePolicy;
}

export interface RoomInput {
  current: WaitingRoomState;
  control: RoomControl;
  policy: RoomPolicy;
  degradationLevel: number;
  measured: RateMeasurement | undefined;
  /** The ticket counter now. */
  issuedCount: number;
  command?: QueueCommand;
  /** A fresh secret (at least 16 characters) for the pre-queue shuffle. */
  newSeed: () => string;
  nowMs: number;
}

export interface RoomDecision {
  state: WaitingRoomState;
  control: RoomControl;
  /** What changed, for the log and the status; empty when nothing did. */
  changes: string[];
}

export function decideRoom(input: RoomInput): RoomDecision {
  const { nowMs } = input;
  const changes: string[] = [];
  const control = applyCommand(expireLevers(input.control, nowMs, changes), input.command, nowMs, changes);
  const trigger = openTrigger(input, control);
  let state = input.current;
  if (!state.open && trigger) {
    state = trigger.preQueueUntilMs ? preQueueState(state, input, trigger.preQueueUntilMs) : fifoState(state, input);
    control.rate = { ratePerSecond: input.policy.initialRatePerSecond, lastIncreaseAtMs: nowMs, lastDecreaseAtMs: 0 };
    changes.push(
      trigger.preQueueUntilMs
        ? `pre-queue opened (${trigger.why}), admission from ${new Date(trigger.preQueueUntilMs).toISOString()}`
        : `room opened (${trigger.why})`,
    );
  } else if (
    state.open &&
    !trigger &&
    (control.manualOpen?.value === false || admittedBelow(state, nowMs) >= input.issuedCount)
  ) {
    state = { ...state, open: false };
    changes.push(
      control.manualOpen?.value === false
        ? `room closed (by hand: ${control.manualOpen.reason}, ${control.manualOpen.actor})`
        : 'room closed (the line reached every ticket)',
    );
  }
  if (!state.open) return { state, control, changes };
  if (state.preQueueUntilMs > 0 && !state.shuffleSeed) {
    if (nowMs < state.preQueueUntilMs) return { state, control, changes };
    state = openedState(state, {
      nowMs,
      issuedCount: input.issuedCount,
      shuffleSeed: input.newSeed(),
      ratePerSecond: control.rate.ratePerSecond,
    });
    changes.push(`pre-queue of ${state.preQueueSize} drawn in random order; admitting ${control.rate.ratePerSecond}/s`);
    return { state, control, changes };
  }
  return followRate(state, control, input, changes);
}

function followRate(state: WaitingRoomState, control: RoomControl, input: RoomInput, changes: string[]): RoomDecision {
  const wanted = control.manualRate?.value;
  if (wanted !== undefined) {
    // When the lever expires, the controller carries on gently from the rate the person chose.
    control.rate = { ...control.rate, ratePerSecond: wanted };
    if (wanted !== state.ratePerSecond) {
      state = withRate(state, wanted, input.nowMs);
      changes.push(`rate ${wanted}/s by hand (${control.manualRate!.reason}, ${control.manualRate!.actor})`);
    }
    return { state, control, changes };
  }
  const decision = decideRate({
    measured: input.measured,
    current: control.rate,
    policy: input.policy.rate,
    nowMs: input.nowMs,
  });
  control.rate = decision.next;
  if (decision.next.ratePerSecond !== state.ratePerSecond) {
    state = withRate(state, decision.next.ratePerSecond, input.nowMs);
    changes.push(decision.reason);
  }
  return { state, control, changes };
}

function openTrigger(input: RoomInput, control: RoomControl): { why: string; preQueueUntilMs?: number } | undefined {
  const { nowMs, policy } = input;
  if (control.manualOpen)
    return control.manualOpen.value
      ? { why: `by hand: ${control.manualOpen.reason}, ${control.manualOpen.actor}` }
      : undefined;
  const drop = policy.drops.find((d) => d.preQueueFromMs <= nowMs && nowMs < d.atMs + policy.dropHoldMs);
  if (drop)
    return {
      why: `drop at ${new Date(drop.atMs).toISOString()}`,
      preQueueUntilMs: nowMs < drop.atMs ? drop.atMs : undefined,
    };
  if (policy.openAtLevel !== undefined && input.degradationLevel >= policy.openAtLevel)
    return { why: `degradation level ${input.degradationLevel}` };
  return undefined;
}

function preQueueState(state: WaitingRoomState, input: RoomInput, untilMs: number): WaitingRoomState {
  const base = {
    ...state,
    open: true,
    ticketsFromMs: input.nowMs,
    preQueueStart: input.issuedCount,
    preQueueSize: 0,
    shuffleSeed: '',
    openedAtMs: 0,
  };
  return { ...base, preQueueUntilMs: untilMs, t0Ms: untilMs, ticket0: input.issuedCount, ratePerSecond: 0 };
}

function fifoState(state: WaitingRoomState, input: RoomInput): WaitingRoomState {
  const base = {
    ...state,
    open: true,
    ticketsFromMs: input.nowMs,
    preQueueStart: input.issuedCount,
    preQueueSize: 0,
    shuffleSeed: '',
    preQueueUntilMs: 0,
  };
  return {
    ...base,
    openedAtMs: input.nowMs,
    t0Ms: input.nowMs,
    ticket0: input.issuedCount,
    ratePerSecond: input.policy.initialRatePerSecond,
  };
}

function expireLevers(control: RoomControl, nowMs: number, changes: string[]): RoomControl {
  const next: RoomControl = { ...control };
  if (next.manualOpen && next.manualOpen.untilMs <= nowMs) {
    changes.push(`lever ${next.manualOpen.value ? 'open' : 'close'} expired (${next.manualOpen.reason})`);
    delete next.manualOpen;
  }
  if (next.manualRate && next.manualRate.untilMs <= nowMs) {
    changes.push(`rate lever expired (${next.manualRate.reason})`);
    delete next.manualRate;
  }
  return next;
}

function applyCommand(
  control: RoomControl,
  command: QueueCommand | undefined,
  nowMs: number,
  changes: string[],
): RoomControl {
  if (!command) return control;
  const lever = <T>(value: T): Lever<T> => ({
    value,
    untilMs: nowMs + ('ttlSeconds' in command ? command.ttlSeconds : 0) * 1000,
    reason: command.reason,
    actor: command.actor,
  });
  switch (command.action) {
    case 'open':
    case 'close':
      changes.push(`lever ${command.action} for ${command.ttlSeconds} s by ${command.actor}: ${command.reason}`);
      return { ...control, manualOpen: lever(command.action === 'open') };
    case 'rate':
      changes.push(
        `lever rate ${command.ratePerSecond}/s for ${command.ttlSeconds} s by ${command.actor}: ${command.reason}`,
      );
      return { ...control, manualRate: lever(command.ratePerSecond) };
    case 'clear': {
      changes.push(`levers cleared by ${command.actor}: ${command.reason}`);
      const { manualOpen: _open, manualRate: _rate, ...rest } = control;
      return rest;
    }
  }
}
