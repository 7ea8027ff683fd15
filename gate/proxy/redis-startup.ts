/** The gate's Redis at start: wait a bounded time for it, and say so plainly when it is too old. */
import type Redis from 'ioredis';
import { redisVersionProblem } from '../../guard/rate-limit/redis-version';
import type { GateLogger } from './gate-logger';

/**
 * Logs an error once the connection is up (now, or after a late start) if the server is too old for
 * the rate scripts: otherwise it would show only as a fallback that looks like an unreachable Redis.
 */
export function reportRedisTooOld(redis: Redis, logger: GateLogger): void {
  const check = () => {
    redis.info('server').then(
      (info) => {
        const problem = redisVersionProblem(info);
        if (problem) logger.error(problem);
      },
      () => undefined,
    );
  };
  if (redis.status === 'ready') check();
  else redis.once('ready', check);
}

export function redisReady(redis: Redis, waitMs: number, logger: GateLogger): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      logger.warn('Redis not reachable at start; rate limits start on the local fallback', { waitedMs: waitMs });
      resolve();
    }, waitMs);
    timer.unref();
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    redis.once('ready', onReady);
  });
}
