/** The flags client: the newest valid flags document, from Redis (pub/sub plus polling) or from memory. */
export type { FlagsSource } from './flags-source';
export type { FlagsStore, FlagsWriteResult } from './flags-store';
export { MemoryFlags } from './memory-flags';
export {
  FLAGS_SOURCE_DEFAULTS,
  RedisFlagsSource,
  type FlagsConnectionRole,
  type FlagsKeyMissingEvent,
  type FlagsSourceStatus,
  type RedisFlagsSourceOptions,
} from './redis-flags-source';
export {
  FlagsDocumentRejectedError,
  FlagsUnavailableError,
  isFlagsDocumentRejectedError,
  isFlagsUnavailableError,
} from './flags-errors';
