/** The run's shared Redis (started by global-setup) and unique key prefixes so test files never collide. */
import { randomUUID } from 'node:crypto';

export function testRedisUrl(): string {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error('REDIS_URL is not set: the jest global setup starts redis-server');
  return url;
}

export function uniquePrefix(name: string): string {
  return `test:${name}:${randomUUID().slice(0, 8)}`;
}
