/**
 * Takes the cache away for the outage phase, in the most realistic way each Redis choice allows:
 * - the rehearsal's own redis-server: SIGKILL, then a restart on the same port when the phase ends
 *   (its append-only file brings the data back, like a failover to a replica);
 * - a given Redis (`--redis-url`), which is not ours to kill: `CLIENT PAUSE <ms> ALL` stops it from
 *   answering any client for the phase, which the gates see as a hung cache (timeouts, then local
 *   fallback);
 * - the rehearsal's primary and replica behind the failover relay (the default): a failover at the
 *   phase's start, roles swapped without restarting anything; it is over as soon as it is done
 *   (`instant`), and the clients must find the new primary by themselves;
 * - the embedded mode has no cache: the phase is skipped with a notice.
 */
import type Redis from 'ioredis';
import { createRedisConnection } from '../../../guard/redis/redis-connection';
import type { RedisChoice } from '../fleet/redis-choice';

export interface CacheOutage {
  /** Takes the cache down for about `durationMs`; resolves when it is down. */
  begin(durationMs: number): Promise<void>;
  /** Brings it back; resolves when it answers again. */
  end(): Promise<void>;
  close(): Promise<void>;
  /** Why the outage cannot happen, when it cannot. */
  readonly unavailable?: string;
  /** The outage is one event (a failover): `end()` follows `begin()` at once, not at the phase's end. */
  readonly instant?: boolean;
}

export function cacheOutageFor(choice: RedisChoice): CacheOutage {
  switch (choice.kind) {
    case 'local':
      return {
        begin: () => choice.server.kill(),
        end: () => choice.server.restart(),
        close: async () => undefined,
      };
    case 'given': {
      let client: Redis | undefined;
      let resumeAt = 0;
      return {
        begin: async (durationMs) => {
          client ??= createRedisConnection({ url: choice.url, connectionName: 'saleday-rehearsal-outage' });
          resumeAt = Date.now() + durationMs;
          await client.call('CLIENT', 'PAUSE', String(durationMs), 'ALL');
        },
        // The pause ends on its own; wait for it so the outage window is what the gates saw.
        end: async () => {
          const left = resumeAt - Date.now();
          if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
          await client?.ping();
        },
        close: async () => {
          client?.disconnect();
        },
      };
    }
    case 'failover':
      return {
        instant: true,
        begin: () => choice.pair.failOver(),
        end: async () => undefined,
        close: async () => undefined,
      };
    case 'embedded':
      return {
        unavailable: 'the embedded mode has no cache to take down: the cache-outage phase was skipped',
        begin: async () => undefined,
        end: async () => undefined,
        close: async () => undefined,
      };
  }
}
