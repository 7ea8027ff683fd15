/**
 * Holds a found capacity for longer than a search step before trusting it, for a caller that will
 * hold the fleet at it: a rate that passed a short step at the edge of the SLA may not survive once
 * queues and adaptive limits have settled. The found rate runs again (for as long as the caller's
 * step runner runs); while it fails, the rate steps down by `stepDown`, at most `maxTries` times.
 * A caller whose load swings around its mean asks the fleet to hold the swing's peaks: each try
 * runs its rate times (1 + `peakShare`), and the capacity is the rate whose peaks held.
 */
import { meetsSla, type Sla, type StepMetrics } from './capacity-search';
import type { StepResult } from './loadtest-result';

export interface CapacityConfirmationOptions {
  /** The search's result: the highest rate that passed a step. */
  readonly capacityRps: number;
  readonly sla: Sla;
  readonly runStep: (rate: number) => Promise<StepMetrics>;
  /** Share the rate drops by after a failed hold (0 < x < 1). @default 0.1 */
  readonly stepDown?: number;
  /** @default 3 */
  readonly maxTries?: number;
  /** How far above its mean the caller's load peaks, as a share (≥ 0); the first try is the found rate over (1 + peakShare). @default 0 */
  readonly peakShare?: number;
}

export interface CapacityConfirmation {
  /** The highest rate held within the SLA; 0 when none of the tries was. */
  readonly capacityRps: number;
  readonly steps: readonly StepResult[];
}

export async function confirmCapacity(options: CapacityConfirmationOptions): Promise<CapacityConfirmation> {
  const stepDown = options.stepDown ?? 0.1;
  const maxTries = options.maxTries ?? 3;
  if (!(stepDown > 0 && stepDown < 1))
    throw new RangeError(`capacity confirmation: stepDown: got ${stepDown}; expected a share above 0 and below 1`);
  if (!Number.isInteger(maxTries) || maxTries < 1)
    throw new RangeError(`capacity confirmation: maxTries: got ${maxTries}; expected a whole number of 1 or more`);
  const peakShare = options.peakShare ?? 0;
  if (!(peakShare >= 0 && peakShare < Infinity))
    throw new RangeError(`capacity confirmation: peakShare: got ${peakShare}; expected a share of 0 or more`);
  const steps: StepResult[] = [];
  let rate = Math.floor(options.capacityRps / (1 + peakShare));
  for (let tries = 0; rate > 0 && tries < maxTries; tries += 1) {
    const measured = await options.runStep(Math.round(rate * (1 + peakShare)));
    const pass = meetsSla(measured, options.sla);
    steps.push({ ...measured, pass });
    if (pass) return { capacityRps: rate, steps };
    rate = Math.floor(rate * (1 - stepDown));
  }
  return { capacityRps: 0, steps };
}

/**
 * A step runner whose failing step runs once more and counts only if it fails again: on a shared
 * machine one hiccup (a garbage collection, a neighbour's burst) in the worst percent of a step
 * would otherwise cut the capacity found by half. Pair it with confirmCapacity, whose longer hold
 * catches a rate that only passed the second time by luck.
 */
export function retryingFailedSteps(
  runStep: (rate: number) => Promise<StepMetrics>,
  sla: Sla,
): (rate: number) => Promise<StepMetrics> {
  return async (rate) => {
    const first = await runStep(rate);
    return meetsSla(first, sla) ? first : runStep(rate);
  };
}
