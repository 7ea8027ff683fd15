/**
 * Metric names that the gate, the CDK alarms and the rehearsal agree on for the alarms that must
 * not count the refusals the controller itself ordered. Imports nothing of the project.
 */

/**
 * Count of 5xx answers a gate gave on purpose: a class shed by the degradation level, a route
 * short-circuited by an open breaker. Published per second in the gate's per-process EMF record
 * (dimension Sale only), so its Sum over a period is the whole fleet's. The ALB counts these answers
 * as target 5xx; the 5xx alarm subtracts them so the level cannot hold itself up.
 */
export const DELIBERATE_REFUSALS_METRIC = 'DeliberateRefusals';

/** DeliberateRefusals is a count (CloudWatch unit `Count`). */
export const DELIBERATE_REFUSALS_METRIC_UNIT = 'Count';
