/**
 * Distinct admitted shoppers across the fleet in the last full minute: the gates add each pass's
 * ticket number to a per-minute HyperLogLog (contracts/metrics/waiting-room-metrics.ts), this
 * counts it. 0 when no gate marked anyone (no shopper, or gates that do not mark yet): the rate
 * decision then leaves Little's law out and follows shedding, p99 and the concurrency limits.
 */
import type Redis from 'ioredis';
import { waitingRoomActiveShoppersKey } from '../../contracts/metrics/waiting-room-metrics';

export async function countActiveShoppers(
  redis: Pick<Redis, 'pfcount'>,
  saleName: string,
  nowMs: number,
  keyPrefix?: string,
): Promise<number> {
  const lastFullMinute = Math.floor(nowMs / 60_000) - 1;
  return redis.pfcount(waitingRoomActiveShoppersKey(saleName, lastFullMinute, keyPrefix));
}
