/**
 * Which of the gate's own answers are refusals the controller ordered: a 5xx given because the
 * degradation level sheds the class or a breaker is open. The ALB counts them as target 5xx; the
 * gates count them apart (DeliberateRefusals) so the 5xx alarm can leave them out. Overload sheds
 * (queue full, queue timeout) and upstream errors are real failures and are not among them.
 */
import type { GateOutcome } from '../../contracts/metrics/gate-metrics';

const ORDERED_OUTCOMES: ReadonlySet<GateOutcome> = new Set<GateOutcome>(['degraded', 'short-circuited']);

export function isDeliberateRefusal(status: number, outcome: GateOutcome): boolean {
  return status >= 500 && ORDERED_OUTCOMES.has(outcome);
}
