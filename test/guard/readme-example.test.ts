/** The example in guard/README.md is this fixture, and it does what the README says, on a real Redis. */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Redis from 'ioredis';
import { testRedisUrl } from '../support/test-redis';
import { checkout, close, connected } from './fixtures/readme-example';

beforeAll(connected);
afterAll(close);

describe('the guard README example', () => {
  it('is the fixture, word for word (apart from the import path)', () => {
    const readme = readFileSync(join(__dirname, '../../guard/README.md'), 'utf8');
    const fixture = readFileSync(join(__dirname, 'fixtures/readme-example.ts'), 'utf8').replace(
      "from '../../../guard'",
      "from './guard'",
    );
    const example = fixture.slice(0, fixture.indexOf('\n/** Tests only'));
    expect(readme).toContain(example);
  });

  it('serves a user five checkouts, then answers 429 with a retry hint', async () => {
    const user = `u:${randomUUID()}`;
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await checkout(user, async () => 'paid')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    expect(await checkout(user, async () => 'paid')).toMatchObject({ status: 429, retryAfterMs: expect.any(Number) });
    const redis = new Redis(testRedisUrl());
    expect(await redis.exists(`shop:rl:checkout:{${user}}`)).toBe(1); // decided in Redis, not by the local fallback
    await redis.quit();
  });

  it('opens the payments breaker after five failures in a row and answers 503 without calling payments', async () => {
    for (let i = 0; i < 5; i++)
      await expect(checkout(`u:${randomUUID()}`, () => Promise.reject(new Error('card network down')))).rejects.toThrow(
        'card network down',
      );
    let called = false;
    const answer = await checkout(`u:${randomUUID()}`, async () => ((called = true), 'paid'));
    expect(answer.status).toBe(503);
    expect(answer.retryAfterMs).toBeGreaterThan(0);
    expect(called).toBe(false);
  });
});
