/**
 * The writer's side of the flags document: what the flag controller (and the CLI levers) write
 * through. Gates only read (FlagsSource); the controller reads, decides and writes back.
 */
import type { FlagsDocument } from '../../contracts/flags/flags-document';

export interface FlagsWriteResult {
  /** True when the document was stored (its version was above the stored one). */
  written: boolean;
  /** What is stored after the attempt: `doc` when written, else the newer document that won. */
  current: FlagsDocument;
}

export interface FlagsStore {
  /** The stored document, or undefined when none (or none readable) is stored yet. */
  read(): Promise<FlagsDocument | undefined>;
  /**
   * Compare-and-set on `version`: stores `doc` (and announces it to readers) only when
   * `doc.version` is above the stored version, so an older decision never overwrites a newer one.
   */
  write(doc: FlagsDocument): Promise<FlagsWriteResult>;
  close(): Promise<void>;
}
