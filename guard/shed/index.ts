/** Load shedding: adaptive concurrency limit partitioned by priority, per-class queues with CoDel timeouts and LIFO. */
export {
  PRIORITY_CLASSES,
  type Admission,
  type AdmissionController,
  type AdmissionSnapshot,
  type Permit,
  type PriorityClass,
  type Refusal,
  type RefusalReason,
} from './admission';
export {
  createAdmissionController,
  type AdmissionControllerOptions,
  type AdmissionControllerSnapshot,
  type GateAdmissionController,
} from './admission-controller';
export { Gradient2Limit, type Gradient2Options, type WindowSample } from './gradient2-limit';
export { WindowedLimit, type CompletedRequest, type WindowedLimitOptions } from './windowed-limit';
export { DEFAULT_CLASS_SHARES, partitionLimit, type ClassShares, type PartitionCeilings } from './priority-partition';
export { systemScheduler, type Scheduler } from './scheduler';
