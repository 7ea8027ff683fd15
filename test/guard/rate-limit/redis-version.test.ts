import Redis from 'ioredis';
import { redisVersionProblem } from '../../../guard/rate-limit/redis-version';
import { testRedisUrl } from '../../support/test-redis';

describe('the server version the rate scripts need', () => {
  test.each([
    ['7.0.15', undefined],
    ['7.2.4', undefined],
    ['8.0.2', undefined],
  ])('Redis %s is recent enough', (version, expected) => {
    expect(redisVersionProblem(`# Server\r\nredis_version:${version}\r\nredis_mode:standalone\r\n`)).toBe(expected);
  });

  test.each(['6.2.14', '5.0.7'])('Redis %s is named as too old, with what is needed', (version) => {
    const problem = redisVersionProblem(`# Server\r\nredis_version:${version}\r\n`);
    expect(problem).toContain(`Redis ${version.split('.').slice(0, 2).join('.')} is too old`);
    expect(problem).toContain('7.0 or later, or Valkey');
  });

  test('Valkey passes: it reports a Redis-compatible version beside its own', () => {
    expect(
      redisVersionProblem('# Server\r\nredis_version:7.2.4\r\nserver_name:valkey\r\nvalkey_version:8.1.1\r\n'),
    ).toBeUndefined();
  });

  test('a server that hides its version is left to the scripts to judge', () => {
    expect(redisVersionProblem('# Server\r\nredis_mode:standalone\r\n')).toBeUndefined();
  });

  test("the test suite's own redis-server passes", async () => {
    const redis = new Redis(testRedisUrl());
    try {
      expect(redisVersionProblem(await redis.info('server'))).toBeUndefined();
    } finally {
      await redis.quit();
    }
  });
});
