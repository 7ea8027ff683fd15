/**
 * How the concurrency limit is shared between priority classes.
 *
 * The rule (every value a whole number of requests; L = the current limit, L ≥ 1):
 * - reserved = ceil(L × criticalReservedShare), but at most L − 1 so one slot is always shared
 *   (0 when the share is 0 or L = 1);
 * - shared   = L − reserved;
 * - a request of class c is admitted only while the TOTAL number in flight (all classes) is below
 *   the class's ceiling:
 *     critical: L
 *     high:     max(1, floor(shared × classShares.high))    (default share 1.0)
 *     normal:   max(1, floor(shared × classShares.normal))  (default share 0.85)
 *     low:      max(1, floor(shared × classShares.low))     (default share 0.7)
 *
 * Because non-critical classes stop at `shared` total in flight, `reserved` slots are left for
 * critical, except those the admission controller lends to high while critical neither holds nor
 * waits for them (high's ceiling then rises by the lent slots; critical is still admitted at once
 * while it holds fewer than `reserved`, see admission-controller.ts). Because the ceilings
 * decrease with the class, a rising load refuses (queues) low first, then normal, then high, and
 * strict priority between the queues falls out of it: whenever a lower class can be admitted,
 * every higher class could be too.
 */
import { InvalidOptionsError } from '../errors';
import { PRIORITY_CLASSES, type PriorityClass } from './admission';

export type ClassShares = Record<Exclude<PriorityClass, 'critical'>, number>;

export const DEFAULT_CLASS_SHARES: Readonly<ClassShares> = { high: 1, normal: 0.85, low: 0.7 };

export interface PartitionCeilings {
  limit: number;
  reserved: number;
  /** Highest total in flight at which a request of each class is still admitted (exclusive). */
  ceilingByClass: Record<PriorityClass, number>;
}

export function partitionLimit(
  limit: number,
  criticalReservedShare: number,
  shares: Readonly<ClassShares> = DEFAULT_CLASS_SHARES,
): PartitionCeilings {
  const whole = Math.max(1, Math.floor(limit));
  const reserved =
    criticalReservedShare > 0 && whole > 1 ? Math.min(whole - 1, Math.ceil(whole * criticalReservedShare)) : 0;
  const shared = whole - reserved;
  return {
    limit: whole,
    reserved,
    ceilingByClass: {
      critical: whole,
      high: Math.max(1, Math.floor(shared * shares.high)),
      normal: Math.max(1, Math.floor(shared * shares.normal)),
      low: Math.max(1, Math.floor(shared * shares.low)),
    },
  };
}

export function validateClassShares(shares: Readonly<ClassShares>): void {
  let previous = 1;
  for (const cls of PRIORITY_CLASSES) {
    if (cls === 'critical') continue;
    const share = shares[cls];
    if (!(share > 0 && share <= previous)) {
      throw new InvalidOptionsError(
        `classShares.${cls}`,
        share,
        `a number in (0, ${previous}] (no larger than the class above it)`,
      );
    }
    previous = share;
  }
}
