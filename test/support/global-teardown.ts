import type { RedisServerHandle } from './redis-server';

export default async function globalTeardown(): Promise<void> {
  const redis = (globalThis as { __SALEDAY_REDIS__?: RedisServerHandle }).__SALEDAY_REDIS__;
  await redis?.kill();
}
