/**
 * Keeps the gate on the flags in force: each new document goes into the gate's state, opens or
 * closes the forced breakers, and sheds the level's classes in the admission queues too.
 */
import { openBreakers, type FlagsDocument } from '../../contracts/flags/flags-document';
import type { BreakerRegistry } from '../../guard/breaker';
import type { FlagsSource } from '../../guard/flags/flags-source';
import type { PriorityAdmissionController } from '../../guard/shed';
import type { ShedTable } from '../proxy/degradation-policy';
import type { GateLogger } from '../proxy/gate-logger';
import type { GateState } from '../pipeline/gate-state';

export interface FlagsFollower {
  /** Resolves once the source has started (or failed to) and its document is applied. */
  started: Promise<void>;
  stop(): void;
}

export function followFlags(
  flags: FlagsSource,
  parts: {
    state: GateState;
    breakers: BreakerRegistry;
    admission: PriorityAdmissionController;
    shedTable: ShedTable;
    logger: GateLogger;
  },
): FlagsFollower {
  const { state, breakers, admission, shedTable, logger } = parts;
  const apply = (doc: FlagsDocument) => {
    const previous = state.flags;
    state.flags = doc;
    breakers.applyFlags(openBreakers(doc));
    // Requests of a newly shed class already waiting in the queues are refused at once too.
    admission.setShedClasses([...shedTable(doc.level)]);
    if (previous.version !== doc.version) {
      logger.info('flags changed', {
        version: doc.version,
        level: doc.level,
        openBreakers: openBreakers(doc),
        reason: doc.reason,
      });
    }
  };
  const stop = flags.onChange(apply);
  const started = flags
    .start()
    .catch((error: unknown) =>
      logger.warn('flags source failed to start; keeping the initial flags', { error: String(error) }),
    )
    .then(() => apply(flags.current()));
  return { started, stop };
}
