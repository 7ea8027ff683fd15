/**
 * `--seed-if-empty`: seeds the catalog on a first start only. It tries at start-up and, while Redis
 * has not answered yet, on each (re)connect; once one attempt got an answer (seeded, or found a
 * catalog or sales) it never runs again, so a Redis that later restarts empty is never refilled.
 */
import type { EventEmitter } from 'node:events';
import type { FastifyBaseLogger } from 'fastify';
import type { ShopStore } from './shop-store';

export interface SeedIfEmptyOptions {
  /** The raw store (not behind the breaker: it runs when Redis has just connected). */
  store: Pick<ShopStore, 'seedCatalog'>;
  productIds: readonly string[];
  units: number;
  log: FastifyBaseLogger;
  /** The Redis connection, whose 'ready' events retry an attempt that could not reach it. */
  connection?: EventEmitter;
}

/** Resolves after the first attempt, whatever its outcome (failures are logged and retried on reconnect). */
export function seedIfEmptyOnce(options: SeedIfEmptyOptions): Promise<void> {
  const { store, productIds, units, log, connection } = options;
  let answered = false;
  let running: Promise<void> | undefined;
  const attempt = (): Promise<void> => {
    if (answered) return Promise.resolve();
    running ??= store
      .seedCatalog(productIds, units)
      .then(
        (outcome) => {
          answered = true;
          connection?.off('ready', attempt);
          if (outcome.kind === 'seeded')
            log.info({ products: outcome.products, units }, 'seeded the catalog (first start)');
          else if (outcome.kind === 'catalog-exists') log.info('the catalog is already in the store: not seeding');
          else
            log.warn(
              { ...outcome },
              'the store records sales: not seeding (if its catalog is missing, restore Redis or re-seed deliberately)',
            );
        },
        (error: unknown) =>
          log.warn({ err: error }, 'seeding the catalog failed; trying again when Redis (re)connects'),
      )
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  connection?.on('ready', attempt);
  return attempt();
}
