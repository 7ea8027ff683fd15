/**
 * One controller cycle: read the alarms and the stored document, decide, write with
 * compare-and-set, announce. The Lambda, the CLI levers (against a local Redis) and the local
 * rehearsal all run this same cycle; only the adapters differ.
 */
import { initialFlags, type FlagsDocument } from '../../contracts/flags/flags-document';
import type { FlagsStore } from '../../guard/flags/flags-store';
import { nextFlagsVersion } from '../../contracts/flags/flags-version';
import type { ControllerCommand } from './controller-commands';
import { decide, type AlarmEffectBinding, type AlarmState, type DecidePolicy } from './decide';

/** The subset of a logger the cycle uses (Powertools Logger and console both fit). */
export interface CycleLogger {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

export interface ControllerCycleDeps {
  /** Every alarm of the sale, as they are now. Omitted: the automatic layer is left untouched. */
  readAlarms?(): Promise<AlarmState[]>;
  store: FlagsStore;
  effects: readonly AlarmEffectBinding[];
  policy: DecidePolicy;
  /** Tells people about a change (SNS in AWS). A failure is logged; the flags are already written. */
  announce?(doc: FlagsDocument, changes: string[]): Promise<void>;
  /** Records the effective flags (called every cycle, so the metric has no gaps). */
  metrics?(doc: FlagsDocument): void;
  logger?: CycleLogger;
  /** Compare-and-set attempts before giving up on a busy document. @default 5 */
  maxAttempts?: number;
  /**
   * This controller's view: the document it last read or wrote. When the stored document is missing
   * or older than this (the cache lost it, or a failover rolled it back), the cycle decides from the
   * view and writes the result even when nothing changed, so the gates follow the controller again.
   */
  lastKnown?: FlagsDocument;
}

/** What started the cycle; an alarm event or a tick only says "look again". */
export type CycleTrigger =
  | { kind: 'alarm-event'; alarmName: string; state: string }
  | { kind: 'schedule' }
  | { kind: 'command'; command: ControllerCommand };

export interface CycleResult {
  outcome: 'written' | 'unchanged';
  document: FlagsDocument;
  changes: string[];
  /** Compare-and-set attempts made (more than one when another writer won a race). */
  attempts: number;
}

export class FlagsWriteConflictError extends Error {
  readonly code = 'SALEDAY_FLAGS_WRITE_CONFLICT';
  constructor(readonly attempts: number) {
    super(`the flags document kept changing under this controller: gave up after ${attempts} compare-and-set attempts`);
    this.name = 'FlagsWriteConflictError';
  }
}

export function isFlagsWriteConflictError(error: unknown): error is FlagsWriteConflictError {
  return error instanceof FlagsWriteConflictError;
}

export async function runControllerCycle(
  deps: ControllerCycleDeps,
  trigger: CycleTrigger,
  now: Date,
): Promise<CycleResult> {
  const maxAttempts = deps.maxAttempts ?? 5;
  const alarms = deps.readAlarms ? await deps.readAlarms() : undefined;
  const command = trigger.kind === 'command' ? trigger.command : undefined;
  const stored = await deps.store.read();
  const view = deps.lastKnown;
  let restoring = storeBehind(stored, view);
  let current: FlagsDocument =
    restoring !== undefined || stored === undefined ? (view ?? initialFlags(new Date(0))) : stored;

  for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
    const decision = decide({ alarms, effects: deps.effects, current, now, policy: deps.policy, command });
    const { changes } = decision;
    const next = decision.next ?? (restoring ? rewriteOf(current, now, restoring) : undefined);
    if (next === undefined) {
      deps.metrics?.(current);
      deps.logger?.info('flags unchanged', { trigger, version: current.version, level: current.level });
      return { outcome: 'unchanged', document: current, changes: [], attempts: attempt };
    }
    const result = await deps.store.write(next);
    if (!result.written) {
      // Another writer stored a newer document: decide again from it, with the same alarm states.
      deps.logger?.warn('lost a compare-and-set race; deciding again', {
        trigger,
        attempt,
        ours: next.version,
        stored: result.current.version,
      });
      current = result.current;
      restoring = undefined;
      continue;
    }
    if (restoring)
      deps.logger?.warn('flags document rewritten: the stored one was behind this controller', {
        trigger,
        why: restoring,
        version: next.version,
        level: next.level,
      });
    deps.metrics?.(next);
    deps.logger?.info('flags written', { trigger, version: next.version, level: next.level, changes });
    if (changes.length > 0 && deps.announce) {
      try {
        await deps.announce(next, changes);
      } catch (error) {
        deps.logger?.error('announcing the change failed; the flags are written', {
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
    return { outcome: 'written', document: next, changes, attempts: attempt };
  }
  throw new FlagsWriteConflictError(maxAttempts);
}

/** Why the stored document cannot be trusted as the newest (missing, or older than the view), if so. */
function storeBehind(stored: FlagsDocument | undefined, view: FlagsDocument | undefined): string | undefined {
  if (stored === undefined) return 'the flags document was missing from the store';
  if (view !== undefined && view.version > stored.version)
    return `the stored flags (version ${stored.version}) were older than this controller's (version ${view.version})`;
  return undefined;
}

/** The same flags under a new version, for a store that lost them: the gates apply it as newer. */
function rewriteOf(current: FlagsDocument, now: Date, why: string): FlagsDocument {
  return {
    ...current,
    version: nextFlagsVersion(current.version, now.getTime()),
    updatedAt: now.toISOString(),
    reason: `${why}; rewritten at level ${current.level}`,
  };
}
