/**
 * A database the storefront pretends to have: a pool of `connections`, each API request waiting its
 * turn for one and holding it `queryMs`. It gives a rehearsal fleet a capacity of
 * connections × 1000 / queryMs requests per second that costs no CPU, so one machine can run the
 * fleet at its limit and still have the cores to simulate the crowd pressing on it; queueing for a
 * connection is how a real shop's latency grows past its capacity.
 */
import type { FastifyInstance } from 'fastify';
import pLimit from 'p-limit';
import { InvalidOptionsError } from '../guard/errors';

export interface SimulatedDatabaseOptions {
  /** Connections in the pool: requests beyond this many wait in line. */
  connections: number;
  /** How long each request holds its connection (ms). */
  queryMs: number;
}

export interface SimulatedDatabase {
  /** Resolves once this request's query has had its connection for queryMs. */
  query(): Promise<void>;
  /** Requests waiting for a connection now. */
  readonly waiting: number;
  /** The most requests per second the pool completes. */
  readonly capacityPerSecond: number;
}

const MAX_CONNECTIONS = 10_000;
const MAX_QUERY_MS = 60_000;

export function createSimulatedDatabase(options: SimulatedDatabaseOptions): SimulatedDatabase {
  const { connections, queryMs } = options;
  if (!Number.isInteger(connections) || connections < 1 || connections > MAX_CONNECTIONS)
    throw new InvalidOptionsError(
      'simulatedDatabase.connections',
      connections,
      `an integer from 1 to ${MAX_CONNECTIONS}`,
    );
  if (!Number.isInteger(queryMs) || queryMs < 1 || queryMs > MAX_QUERY_MS)
    throw new InvalidOptionsError(
      'simulatedDatabase.queryMs',
      queryMs,
      `an integer number of milliseconds from 1 to ${MAX_QUERY_MS}`,
    );
  const pool = pLimit(connections);
  const hold = () => new Promise<void>((resolve) => setTimeout(resolve, queryMs));
  return {
    query: () => pool(hold),
    get waiting() {
      return pool.pendingCount;
    },
    capacityPerSecond: (connections * 1000) / queryMs,
  };
}

/** Every /api/ request queries the database first; the page, the assets and the health check do not. */
export function queryBeforeApiRequests(app: FastifyInstance, database: SimulatedDatabase): void {
  app.addHook('onRequest', async (request) => {
    if (request.url.startsWith('/api/')) await database.query();
  });
}
