/** Where a gate gets its flags: Redis in production, memory in the embedded single-process mode. */
import type { FlagsDocument } from '../../contracts/flags/flags-document';

export interface FlagsSource {
  /** The newest valid document seen so far (the initial one before any read). Never throws. */
  current(): FlagsDocument;
  /** Called with each newer document, after `current()` already returns it. Returns an unsubscribe function. */
  onChange(listener: (doc: FlagsDocument) => void): () => void;
  /** Begins subscribing and polling; resolves after the first read attempt (success or not). */
  start(): Promise<void>;
  close(): Promise<void>;
}
