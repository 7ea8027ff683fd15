/**
 * The config's `gate`: admission, queueing, flags polling, Redis fallback and request limits of the proxy.
 */
import { z } from 'zod';
import { positiveInt } from './schema-primitives';

export const GateSchema = z
  .object({
    concurrency: z
      .object({
        initialLimit: positiveInt().default(64),
        minLimit: positiveInt().default(8),
        maxLimit: positiveInt().default(512),
        /** Share of the limit kept for critical requests (lent to high while critical neither holds nor waits for it). */
        criticalReservedShare: z.number().min(0).max(0.9).default(0.2),
      })
      .strict()
      .prefault({}),
    queue: z
      .object({
        maxLengthPerClass: positiveInt().default(100),
        /**
         * CoDel: a queue nobody left within targetDelayMs for a whole intervalMs is standing, and its
         * requests are refused after targetDelayMs. The defaults suit an app answering in a few
         * milliseconds; for one whose requests take tens (a database behind it), scale them to a
         * typical request or two and ten to twenty of them, or bursts the app would absorb are shed.
         */
        targetDelayMs: positiveInt().default(5),
        intervalMs: positiveInt().default(100),
        /** The longest a request may wait in a queue, even when the queue is not standing. */
        maxWaitMs: positiveInt().default(1000),
      })
      .strict()
      .prefault({}),
    /** Polling interval for the flags document, the backup to the pub/sub channel. */
    flagsPollMs: positiveInt().default(2000),
    /** Redis decisions slower than this fall back to the local limiter. */
    redisTimeoutMs: positiveInt().default(50),
    /** This process's share of a global limit when falling back locally; omitted means 1 / fleet.plannedTasks. */
    localShare: z.number().gt(0).max(1).optional(),
    maxBodyBytes: positiveInt().default(1_048_576),
    /** Request bodies held in memory across all connections; a body that would pass it is answered 503 at once. */
    maxBufferedBytes: positiveInt().default(67_108_864),
    /** Open client connections; a request on one past it is answered 503 at once. */
    maxConnections: positiveInt().default(4096),
    maxHeaderBytes: positiveInt().default(16_384),
    /**
     * Which answers of a rate-limited route state the client's quota in the IETF `RateLimit` and
     * `RateLimit-Policy` fields: `always`; `near-limit`, refusals and any answer that leaves at most
     * half the limit (a client has nothing to pace before that, and on the gate benchmark the fields
     * on every answer cost about 5% of its throughput); or `refusals` only. A 429 always has them.
     */
    rateLimitFields: z.enum(['always', 'near-limit', 'refusals']).default('near-limit'),
    /**
     * Which failures feed a dependency's breaker. `route`: every 5xx, timeout or slow answer of a
     * route counts against each of its dependencies, unless the app names the one that failed in
     * `saleday-failed-dependency`. `named`: only a dependency the app names, for apps (like the
     * reference storefront) that time their dependencies themselves, so an overloaded app's slow
     * product pages cannot open the inventory breaker checkout depends on.
     */
    breakerBlame: z.enum(['route', 'named']).default('route'),
  })
  .strict();
