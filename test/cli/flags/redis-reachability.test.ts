import { EventEmitter } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { RedisLevers, isFlagsLeverError } from '../../../cli/flags/flags-levers';
import {
  ConnectionAttempts,
  explainRedisFailure,
  redactedRedisUrl,
  unreachableRedisMessage,
} from '../../../cli/flags/redis-reachability';
import { controllerSettingsFromConfig } from '../../../lambda/flag-controller/controller-settings';
import { loadConfig } from '../../../contracts/config/load-config';
import { FakeClock } from '../../support/fake-clock';

/** A loopback port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function refused(): Error {
  return Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
}

describe('an unreachable Redis, in plain words', () => {
  it('counts the failed attempts and the time they took', () => {
    const clock = new FakeClock(0);
    const client = new EventEmitter();
    const attempts = new ConnectionAttempts(client, () => clock.now());
    expect(attempts.summary()).toBeUndefined();
    client.emit('error', refused());
    clock.advance(800);
    client.emit('error', refused());
    clock.advance(1200);
    client.emit('error', refused());
    expect(attempts.summary()).toEqual({ attempts: 3, spanMs: 2000, lastFailure: 'connection refused' });
    expect(unreachableRedisMessage('redis://127.0.0.1:1', attempts.summary()!)).toMatch(
      /^could not connect to Redis at redis:\/\/127\.0\.0\.1:1 \(connection refused, tried 3 times over 2\.0 s\)/,
    );
  });

  it("replaces ioredis' retry-limit message, and leaves other errors alone", () => {
    const client = new EventEmitter();
    const attempts = new ConnectionAttempts(client);
    const retryLimit = new Error(
      'Reached the max retries per request limit (which is 2). Refer to "maxRetriesPerRequest" option for details.',
    );
    expect(explainRedisFailure('redis://h:6379', attempts, retryLimit)).toBe(retryLimit); // no failed attempt seen: as it was
    client.emit('error', Object.assign(new Error('getaddrinfo ENOTFOUND h'), { code: 'ENOTFOUND' }));
    expect((explainRedisFailure('redis://h:6379', attempts, retryLimit) as Error).message).toMatch(
      /could not connect to Redis at redis:\/\/h:6379 \(host not found, tried once\)/,
    );
    const scriptError = new Error('ERR Error running script');
    expect(explainRedisFailure('redis://h:6379', attempts, scriptError)).toBe(scriptError);
  });

  it('never prints the password of the URL', () => {
    expect(redactedRedisUrl('rediss://default:s3cret@cache.example:6380')).toBe(
      'rediss://default:***@cache.example:6380',
    );
  });

  it('`flags get --redis-url` on a closed port names the URL and what was tried', async () => {
    const url = `redis://127.0.0.1:${await closedPort()}`;
    const levers = new RedisLevers(
      url,
      controllerSettingsFromConfig(loadConfig(join(__dirname, '../../../saleday.config.json'))),
    );
    let thrown: unknown;
    try {
      await levers.get();
    } catch (error) {
      thrown = error;
    } finally {
      await levers.close();
    }
    expect(isFlagsLeverError(thrown)).toBe(true);
    expect((thrown as Error).message).toMatch(
      new RegExp(
        `^could not connect to Redis at ${url.replace(/[/.]/g, '\\$&')} \\(connection refused, tried \\d+ times over [\\d.]+ m?s\\)`,
      ),
    );
    expect((thrown as Error).message).not.toMatch(/max retries/);
  });
});
