/**
 * The flags document kept in this process: both the store the controller writes through and the
 * source the gates read from, for the embedded single-process rehearsal and for tests. Same
 * compare-and-set on `version` as the Redis store, so code that works here works against Redis.
 */
import { FlagsDocumentSchema, initialFlags, type FlagsDocument } from '../../contracts/flags/flags-document';
import type { FlagsSource } from './flags-source';
import type { FlagsStore, FlagsWriteResult } from './flags-store';

export class MemoryFlags implements FlagsStore, FlagsSource {
  private stored: FlagsDocument | undefined;
  private readonly listeners = new Set<(doc: FlagsDocument) => void>();
  private closed = false;

  constructor(initial?: FlagsDocument) {
    // Validate once so a bad initial document fails here, not in some gate later.
    this.stored = initial === undefined ? undefined : FlagsDocumentSchema.parse(initial);
  }

  async read(): Promise<FlagsDocument | undefined> {
    return this.stored === undefined ? undefined : structuredClone(this.stored);
  }

  async write(doc: FlagsDocument): Promise<FlagsWriteResult> {
    const next = FlagsDocumentSchema.parse(doc);
    if (this.stored !== undefined && next.version <= this.stored.version) {
      return { written: false, current: structuredClone(this.stored) };
    }
    this.stored = next;
    for (const listener of [...this.listeners]) {
      // A failing listener must not stop the others nor fail the writer.
      try {
        listener(structuredClone(next));
      } catch {
        /* the listener's own problem */
      }
    }
    return { written: true, current: structuredClone(next) };
  }

  current(): FlagsDocument {
    return this.stored === undefined ? initialFlags() : structuredClone(this.stored);
  }

  onChange(listener: (doc: FlagsDocument) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  async start(): Promise<void> {
    if (this.closed) throw new Error('MemoryFlags: start() after close()');
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
  }
}
