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
 * - At an opening (first come first served, or the pre-queue's draw) the waiting page's estimate
 *   is held back (estimateRatePerSecond 0) until decideRate's first measurement; a rate set by hand
 *   is used for the estimate at once. The state is rewritten whenever the estimate rate changes.
 */
import type { WaitingRoomState } from '../../contracts/waiting-room';
import { admittedBelow, estimateRateOf, openedState, withRate } from '../../contracts/waiting-room-schedule';
import {
  decideRate,
  rateStateOf,
  type RateMeasurement,
  type RatePolicy,
  type RateState,
  type StoredRateState,
} from './decide-rate';
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
  /** The rate's memory; one stored without the estimate fields reads as measured (rateStateOf). */
  rate: StoredRateState;
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
    control.rate = openingRate(input.policy.initialRatePerSecond, nowMs, trigger.preQueueUntilMs ? 0 : nowMs);
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
    const opened = openedState(state, {
      nowMs,
      issuedCount: input.issuedCount,
      shuffleSeed: input.newSeed(),
      ratePerSecond: control.rate.ratePerSecond,
    });
    state = { ...opened, estimateRatePerSecond: 0 };
    control.rate = {
      ...rateStateOf(control.rate),
      estimateRatePerSecond: 0,
      measuringSinceMs: nowMs,
      firstMeasuredAtMs: 0,
    };
    changes.push(`pre-queue of ${state.preQueueSize} drawn in random order; admitting ${control.rate.ratePerSecond}/s`);
    return { state, control, changes };
  }
  return followRate(state, control, input, changes);
}

function followRate(state: WaitingRoomState, control: RoomControl, input: RoomInput, changes: string[]): RoomDecision {
  const wanted = control.manualRate?.value;
  if (wanted !== undefined) {
    // When the lever expires, the controller carries on gently from the rate the person chose.
    control.rate = {
      ...rateStateOf(control.rate),
      ratePerSecond: wanted,
      estimateRatePerSecond: wanted,
      measuringSinceMs: 0,
      firstMeasuredAtMs: 0,
    };
    const by = `(${control.manualRate!.reason}, ${control.manualRate!.actor})`;
    if (wanted !== state.ratePerSecond) {
      state = withRate(state, wanted, input.nowMs);
      changes.push(`rate ${wanted}/s by hand ${by}`);
    } else if (estimateRateOf(state) !== wanted)
      changes.push(`waits estimated at ${wanted}/s, the rate set by hand ${by}`);
    return { state: withEstimateRate(state, wanted), control, changes };
  }
  const decision = decideRate({
    measured: input.measured,
    current: rateStateOf(control.rate),
    policy: input.policy.rate,
    nowMs: input.nowMs,
  });
  control.rate = decision.next;
  const rateChanged = decision.next.ratePerSecond !== state.ratePerSecond;
  if (rateChanged) state = withRate(state, decision.next.ratePerSecond, input.nowMs);
  const estimated = withEstimateRate(state, decision.next.estimateRatePerSecond);
  if (rateChanged || estimated !== state) changes.push(decision.reason);
  return { state: estimated, control, changes };
}

/** The state with the waiting page's estimate rate, the same object when that does not change it. */
function withEstimateRate(state: WaitingRoomState, estimateRatePerSecond: number): WaitingRoomState {
  return estimateRateOf(state) === estimateRatePerSecond ? state : { ...state, estimateRatePerSecond };
}

/** The rate's memory at an opening: the opening rate, the estimate held back until measured. */
function openingRate(ratePerSecond: number, nowMs: number, measuringSinceMs: number): RateState {
  return {
    ratePerSecond,
    lastIncreaseAtMs: nowMs,
    lastDecreaseAtMs: 0,
    estimateRatePerSecond: 0,
    measuringSinceMs,
    firstMeasuredAtMs: 0,
  };
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
  return {
    ...base,
    preQueueUntilMs: untilMs,
    t0Ms: untilMs,
    ticket0: input.issuedCount,
    ratePerSecond: 0,
    estimateRatePerSecond: 0,
  };
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
    estimateRatePerSecond: 0,
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
