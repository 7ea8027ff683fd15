/**
 * Distinct admitted shoppers across the fleet in the last full window (a UTC minute on AWS): the
 * gates add each pass's ticket number to a HyperLogLog per window (contracts/metrics/waiting-room-metrics.ts),
 * this counts it. 0 when no gate marked anyone (no shopper, or gates that do not mark yet): the rate
 * decision then leaves Little's law out and follows shedding, p99 and the concurrency limits. The
 * rehearsal, whose time runs faster, reads a narrower window (the gates write the same width).
 */
import type Redis from 'ioredis';
import {
  WAITING_ROOM_ACTIVE_WINDOW_MS,
  waitingRoomActiveShoppersKey,
} from '../../contracts/metrics/waiting-room-metrics';

export async function countActiveShoppers(
  redis: Pick<Redis, 'pfcount'>,
  saleName: string,
  nowMs: number,
  keyPrefix?: string,
  windowMs: number = WAITING_ROOM_ACTIVE_WINDOW_MS,
): Promise<number> {
  const lastFullWindow = Math.floor(nowMs / windowMs) - 1;
  return redis.pfcount(waitingRoomActiveShoppersKey(saleName, lastFullWindow, keyPrefix));
}
