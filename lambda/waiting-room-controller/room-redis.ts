/**
 * The controller's Redis reads besides the room record: how many tickets the gates issued (the
 * counter every join INCRs) and the degradation level the flag controller set.
 */
import type Redis from 'ioredis';
import { FLAGS_KEY, parseFlagsDocument } from '../../contracts/flags/flags-document';
import { ticketCounterKey } from '../../gate/waiting-room/ticket-issuer';

export async function readIssuedCount(
  redis: Pick<Redis, 'get'>,
  saleName: string,
  keyPrefix?: string,
): Promise<number> {
  const text = await redis.get(ticketCounterKey(saleName, keyPrefix));
  const count = Number(text ?? 0);
  return Number.isSafeInteger(count) && count >= 0 ? count : 0;
}

/** The effective level (0 when there is no flags document yet). */
export async function readDegradationLevel(redis: Pick<Redis, 'get'>): Promise<number> {
  return parseFlagsDocument(await redis.get(FLAGS_KEY))?.level ?? 0;
}
