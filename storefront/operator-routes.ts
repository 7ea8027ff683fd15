/**
 * Routes for rehearsals and checks, not for shoppers, served only on the operator listener (on
 * 127.0.0.1, a port of its own), never on the public port. `/_stats` (read-only totals from the
 * store, for the no-oversell check, whether the catalog is present, and this process's checkout,
 * reservation-reaper and replica-wait counters) is always on; `/_faults` and `/_stock/reset` exist
 * only when fault injection is enabled.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Catalog } from './catalog';
import { faultSpecSchema, type FaultInjector } from './fault-injector';
import { resetStockBodySchema, validate } from './request-schemas';
import type { ReservationReaper } from './reservation-reaper';
import type { CheckoutCounters } from './checkout/checkout-counters';
import { NO_STORE } from './http-caching';
import type { ReplicaWaitCounters } from './replica-wait';
import type { ShopStore } from './shop-store';

export interface OperatorContext {
  catalog: Catalog;
  store: ShopStore;
  faults: FaultInjector;
  counters: CheckoutCounters;
  /** Its counters are reported beside the checkout counters. */
  reaper: Pick<ReservationReaper, 'counters' | 'reservationTtlMs'>;
  /** This process's replica waits, when the store is Redis. */
  replicaWait(): ReplicaWaitCounters | undefined;
  enableFaultInjection: boolean;
  resetStock(units?: number): Promise<number>;
}

export function registerOperatorRoutes(app: FastifyInstance, context: OperatorContext): void {
  const productIds = context.catalog.products.map((product) => product.id);

  app.get('/_stats', async (_request, reply) => {
    const stats = await context.store.stats(productIds);
    const reaper = { reservationTtlMs: context.reaper.reservationTtlMs, ...context.reaper.counters() };
    return reply.header('cache-control', NO_STORE).send({
      store: context.store.kind,
      ...stats,
      thisProcess: { checkouts: { ...context.counters }, reaper, replicaWait: context.replicaWait() ?? null },
    });
  });

  if (!context.enableFaultInjection) return;

  app.get('/_faults', async (_request, reply) =>
    reply.header('cache-control', NO_STORE).send({ faults: context.faults.active() }),
  );

  app.post('/_faults', async (request, reply) => {
    const spec = validate(faultSpecSchema as z.ZodType<z.input<typeof faultSpecSchema>>, request.body ?? {});
    if (!spec.ok) return reply.code(400).send({ error: 'invalid-fault', message: spec.message });
    const fault = context.faults.set(spec.value);
    request.log.warn({ fault }, 'fault injected');
    return reply.code(201).header('cache-control', NO_STORE).send({ fault, faults: context.faults.active() });
  });

  app.delete('/_faults', async (request, reply) => {
    context.faults.clear();
    request.log.warn('faults cleared');
    return reply.header('cache-control', NO_STORE).send({ faults: [] });
  });

  app.post('/_stock/reset', async (request, reply) => {
    const body = validate(resetStockBodySchema, request.body ?? {});
    if (!body.ok) return reply.code(400).send({ error: 'invalid-body', message: body.message });
    const units = await context.resetStock(body.value.units);
    return reply.header('cache-control', NO_STORE).send({ units, products: productIds.length });
  });
}
