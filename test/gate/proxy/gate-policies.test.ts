import { compileShedTable } from '../../../gate/proxy/degradation-policy';
import { createFallbackStore } from '../../../gate/proxy/fallback-store';
import {
  policyWindowSeconds,
  rateLimitHeaders,
  retryAfterSeconds,
  sharedCacheMayStore,
  statesQuota,
} from '../../../gate/proxy/rate-limit-headers';
import { RETRY_NEVER, type RateLimitDecision } from '../../../guard/rate-limit/rate-limiter';
import { testConfig } from './fixtures/test-config';

describe('compileShedTable', () => {
  const table = compileShedTable(testConfig().degradation);
  it.each([
    [0, []],
    [1, ['low']],
    [2, ['low', 'normal']],
    [3, ['high', 'low', 'normal']],
    [7, ['high', 'low', 'normal']], // above the highest defined level: the highest applies
  ])('level %i sheds %p', (level, classes) => {
    expect([...table(level)].sort()).toEqual(classes);
  });
});

describe('createFallbackStore', () => {
  const routes = testConfig().routes;
  const byName = (name: string) => routes.find((r) => r.name === name)!;

  it('answers static fallbacks from the config, last-good only once something good was seen', () => {
    const store = createFallbackStore(routes);
    expect(JSON.parse(store.answerFor(byName('recommendations'))!.body.toString())).toEqual({
      items: [],
      degraded: true,
    });
    expect(store.answerFor(byName('products'))).toBeUndefined();
    expect(store.wantsLastGood(byName('products'))).toBe(true);
    expect(store.wantsLastGood(byName('checkout'))).toBe(false);
    store.rememberLastGood(byName('products'), 'application/json', Buffer.from('{"items":[1]}'));
    expect(store.answerFor(byName('products'))).toEqual({
      status: 200,
      contentType: 'application/json',
      body: Buffer.from('{"items":[1]}'),
    });
    expect(store.answerFor(byName('checkout'))).toBeUndefined();
  });
});

describe('rate-limit headers', () => {
  it('states the quota on every refusal, and on admitted requests as gate.rateLimitFields says', () => {
    const decision = (allowed: boolean, remaining: number): RateLimitDecision => ({
      allowed,
      limit: 20,
      remaining,
      retryAfterMs: allowed ? 0 : 100,
      resetAfterMs: 1000,
      source: 'redis',
    });
    const modes = ['always', 'near-limit', 'refusals'] as const;
    expect(modes.map((mode) => statesQuota(mode, decision(false, 0)))).toEqual([true, true, true]);
    expect(modes.map((mode) => statesQuota(mode, decision(true, 11)))).toEqual([true, false, false]);
    expect(modes.map((mode) => statesQuota(mode, decision(true, 10)))).toEqual([true, true, false]);
    expect(modes.map((mode) => statesQuota(mode, decision(true, 0)))).toEqual([true, true, false]);
  });

  it('states the policy and the decision in the IETF fields', () => {
    const policy = { algorithm: 'token-bucket' as const, capacity: 5, refillPerSecond: 0.5 };
    expect(
      rateLimitHeaders(policy, {
        allowed: true,
        limit: 5,
        remaining: 3,
        retryAfterMs: 0,
        resetAfterMs: 4000,
        source: 'redis',
      }),
    ).toEqual({
      'ratelimit-policy': '5;w=10',
      ratelimit: 'limit=5, remaining=3, reset=4',
    });
    expect(
      rateLimitHeaders(policy, {
        allowed: false,
        limit: 5,
        remaining: 0,
        retryAfterMs: 1500,
        resetAfterMs: 10_000,
        source: 'fallback',
      }),
    ).toEqual({
      'ratelimit-policy': '5;w=10',
      ratelimit: 'limit=5, remaining=0, reset=10',
      'retry-after': '2',
    });
  });

  it('gives no Retry-After to a request that costs more than the whole limit', () => {
    const policy = { algorithm: 'token-bucket' as const, capacity: 5, refillPerSecond: 0.5 };
    const headers = rateLimitHeaders(policy, {
      allowed: false,
      limit: 5,
      remaining: 0,
      retryAfterMs: RETRY_NEVER,
      resetAfterMs: 0,
      source: 'cached',
    });
    expect(headers['retry-after']).toBeUndefined();
  });

  it.each([
    [{ algorithm: 'gcra' as const, ratePerSecond: 10, burst: 20 }, 2],
    [{ algorithm: 'concurrency' as const, maxInFlight: 2, leaseMs: 10_000 }, 10],
    [{ algorithm: 'token-bucket' as const, capacity: 100, refillPerSecond: 1000 }, 1],
  ])('window of %p is %i s', (policy, seconds) => expect(policyWindowSeconds(policy)).toBe(seconds));

  it.each([
    [0, 1],
    [1, 1],
    [1000, 1],
    [1001, 2],
    [Number.NaN, 1],
  ])('Retry-After for %i ms is %i s', (ms, s) => expect(retryAfterSeconds(ms)).toBe(s));

  it.each([
    [undefined, false],
    ['no-store', false],
    ['private, max-age=60', false],
    ['max-age=60, PRIVATE', false],
    ['public, max-age=60, no-store', false],
    ['no-cache', false],
    ['public, s-maxage=5, stale-while-revalidate=30', true],
    ['s-maxage=5', true],
    ['max-age=60', true],
    ['Public', true],
    ['private="set-cookie", max-age=60', true], // only the named field is private; the rest may be stored
    [['no-transform', 'public'], true],
  ])('a shared cache may store an answer with Cache-Control %p: %p', (cacheControl, storable) => {
    expect(sharedCacheMayStore(cacheControl)).toBe(storable);
  });
});
