/**
 * The controller's count of active shoppers reads what the gates' recorder wrote: the last full
 * window (a minute by default, narrower for the rehearsal), distinct across gates.
 */
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { ActiveShoppersRecorder } from '../../../gate/waiting-room/active-shoppers-recorder';
import { countActiveShoppers } from '../../../lambda/waiting-room-controller/active-shoppers';
import { testRedisUrl } from '../../support/test-redis';

let redis: Redis;
beforeAll(() => {
  redis = new Redis(testRedisUrl());
});
afterAll(() => redis.disconnect());

const noProblem = () => {
  throw new Error('no flush should fail here');
};
const T = 1_800_000_000_000; // a whole minute

it('counts the last full minute the gates wrote, each shopper once across gates, not the current one', async () => {
  const saleName = `shoppers-${randomUUID().slice(0, 8)}`;
  const gateA = new ActiveShoppersRecorder({ redis, saleName, onFlushProblem: noProblem });
  const gateB = new ActiveShoppersRecorder({ redis, saleName, onFlushProblem: noProblem });
  for (const n of [1, 2, 3]) gateA.record(n, T + 10_000);
  for (const n of [2, 3, 4]) gateB.record(n, T + 50_000);
  gateA.record(9, T + 60_000); // the next minute, still running when the controller reads
  await Promise.all([gateA.flush(), gateB.flush()]);
  expect(await countActiveShoppers(redis, saleName, T + 61_000)).toBe(4);
  expect(await countActiveShoppers(redis, saleName, T + 121_000)).toBe(1);
});

it('reads a narrower window when the gates write one', async () => {
  const saleName = `shoppers-${randomUUID().slice(0, 8)}`;
  const gate = new ActiveShoppersRecorder({ redis, saleName, windowMs: 2000, onFlushProblem: noProblem });
  for (const n of [1, 2]) gate.record(n, T + 500);
  for (const n of [3, 4, 5]) gate.record(n, T + 2500);
  await gate.flush();
  expect(await countActiveShoppers(redis, saleName, T + 2100, undefined, 2000)).toBe(2);
  expect(await countActiveShoppers(redis, saleName, T + 4100, undefined, 2000)).toBe(3);
  // Read by the minute, the same keys say nothing: both sides must use the same width.
  expect(await countActiveShoppers(redis, saleName, T + 61_000)).toBe(0);
});
