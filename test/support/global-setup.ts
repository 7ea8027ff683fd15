/**
 * One shared real Redis for the whole test run, exposed to every worker as REDIS_URL.
 * Tests that kill Redis start their own with `startRedisServer()`.
 */
import { redisServerAvailable, startRedisServer } from './redis-server';

export default async function globalSetup(): Promise<void> {
  if (process.env.REDIS_URL) return;
  if (!redisServerAvailable()) {
    throw new Error('redis-server is not on the PATH: install it (apt-get install -y redis-server) or set REDIS_URL');
  }
  const redis = await startRedisServer();
  process.env.REDIS_URL = redis.url;
  (globalThis as { __SALEDAY_REDIS__?: unknown }).__SALEDAY_REDIS__ = redis;
}
