/**
 * What the degradation level means for a priority class: the config's `degradation` table maps a
 * level to the classes it sheds. A level above the highest defined one sheds what the highest one
 * does; `critical` is never shed.
 */
import type { SaledayConfig } from '../../contracts/config/schema';
import type { PriorityClass } from '../../contracts/priority-classes';

export type ShedTable = (level: number) => ReadonlySet<PriorityClass>;

export function compileShedTable(degradation: SaledayConfig['degradation']): ShedTable {
  const sorted = [...degradation].sort((a, b) => a.level - b.level);
  const none: ReadonlySet<PriorityClass> = new Set();
  const cache = new Map<number, ReadonlySet<PriorityClass>>();
  return (level) => {
    if (level <= 0) return none;
    let found = cache.get(level);
    if (!found) {
      const applicable = sorted.filter((d) => d.level <= level).pop();
      found = new Set<PriorityClass>(applicable ? applicable.shed : []);
      cache.set(level, found);
    }
    return found;
  };
}
