/** Load shedding: adaptive concurrency limit partitioned by priority, per-class queues with CoDel timeouts and LIFO. */
export { PRIORITY_CLASSES, type PriorityClass } from './priority';
export type { Admission, AdmissionController, AdmissionSnapshot, Permit, Refusal, RefusalReason } from './admission';
export {
  ADMISSION_DEFAULTS,
  resolveAdmissionOptions,
  type AdmissionControllerOptions,
  type ConcurrencyOptions,
  type QueueOptions,
  type ResolvedAdmissionOptions,
} from './admission-options';
export {
  createAdmissionController,
  type AdmissionControllerSnapshot,
  type PriorityAdmissionController,
} from './admission-controller';
export { Gradient2Limit, type Gradient2Options, type WindowSample } from './gradient2-limit';
export { WindowedLimit, type CompletedRequest, type WindowedLimitOptions } from './windowed-limit';
export { DEFAULT_CLASS_SHARES, partitionLimit, type ClassShares, type PartitionCeilings } from './priority-partition';
export { systemScheduler, type Scheduler } from './scheduler';
