/**
 * A reservation's age is wall time: one task stamps it, any task's reaper compares it. Here the
 * storefronts' monotonic clocks are hours off the wall clock they share, as after a VM pause: a
 * stalled checkout's reservation must be kept until its TTL passes in wall time, then reaped.
 * Real storefronts over HTTP on port 0, sharing a real Redis or on the embedded store.
 */
import { Payments, type ChargeRequest, type PaymentsOptions } from '../../storefront/payments';
import { startStorefront, type RunningStorefront, type StartStorefrontOptions } from '../../storefront/server';
import { FakeClock } from '../support/fake-clock';
import { testRedisUrl, uniquePrefix } from '../support/test-redis';
import { checkout, type Answer } from './storefront-client';

const HOUR = 3_600_000;
const TTL_MS = 30_000;
const WALL_TIME = 1_700_000_000_000;

/** The simulated provider, except that every charge stalls, once it went through, until the test resumes it. */
class StallingPayments extends Payments {
  readonly charged: Promise<void>;
  private reached = () => {};
  private resumed!: Promise<void>;
  resume = () => {};

  constructor(options: PaymentsOptions) {
    super(options);
    this.charged = new Promise((resolve) => (this.reached = resolve));
    this.resumed = new Promise((resolve) => (this.resume = resolve));
  }

  override async charge(request: ChargeRequest): Promise<void> {
    await super.charge(request);
    this.reached();
    await this.resumed;
  }
}

interface Task {
  shop: RunningStorefront;
  payments: StallingPayments;
  /** The answer of its stalled checkout, if any. */
  answer?: Promise<Answer>;
}

const tasks: Task[] = [];

afterEach(async () => {
  jest.restoreAllMocks();
  // A test that failed part-way leaves its checkout stalled: answered first, so close() finds its socket idle.
  for (const task of tasks) task.payments.resume();
  await Promise.allSettled(tasks.map((task) => task.answer));
  await Promise.all(tasks.splice(0).map((task) => task.shop.close()));
});

async function startTask(options: StartStorefrontOptions): Promise<Task> {
  let payments: StallingPayments | undefined;
  const shop = await startStorefront({
    port: 0,
    stockPerProduct: 5,
    reservationTtlMs: TTL_MS,
    // Out of the way: the test sweeps by hand.
    reaperIntervalMs: 3_600_000,
    createPayments: (paymentOptions) => (payments = new StallingPayments(paymentOptions)),
    ...options,
  });
  const task = { shop, payments: payments! };
  tasks.push(task);
  return task;
}

/** Starts a checkout on `task`; resolves, with its answer to come, once its charge went through and stalled. */
async function stalledCheckout(task: Task): Promise<{ answer: Promise<Answer> }> {
  const answer = (task.answer = checkout(task.shop, 'u:ann', { productId: 'sku-001', quantity: 1 }, 'stalled'));
  await task.payments.charged;
  return { answer };
}

const reapedOne = [expect.objectContaining({ productId: 'sku-001', quantity: 1 })];

describe('two storefronts sharing a Redis, their monotonic clocks hours apart', () => {
  it.each([
    ['the checkout’s task has its monotonic clock lagging (a paused VM)', -5 * HOUR, 0],
    ['the reaping task has its monotonic clock lagging', 0, -5 * HOUR],
  ])(
    'reap a stalled reservation only once its TTL passed in wall time, when %s',
    async (_case, writerOffset, reaperOffset) => {
      const wallClock = new FakeClock(WALL_TIME);
      const redis = { redisUrl: testRedisUrl(), keyPrefix: uniquePrefix('reaper-clocks'), seedIfEmpty: true };
      const writer = await startTask({ ...redis, clock: new FakeClock(WALL_TIME + writerOffset), wallClock });
      const reaper = await startTask({ ...redis, clock: new FakeClock(WALL_TIME + reaperOffset), wallClock });
      const { answer } = await stalledCheckout(writer);

      expect(await reaper.shop.reaper.sweep()).toEqual([]);
      wallClock.advance(TTL_MS - 1);
      expect(await reaper.shop.reaper.sweep()).toEqual([]);
      wallClock.advance(1);
      expect(await reaper.shop.reaper.sweep()).toEqual(reapedOne);

      writer.payments.resume();
      expect(await answer).toMatchObject({ status: 409, body: { error: 'reservation-expired', refunded: true } });
    },
  );
});

describe('a storefront on the embedded store whose monotonic clock lags the wall clock', () => {
  it('ages a stalled reservation in wall time, not by its monotonic clock', async () => {
    const clock = new FakeClock(WALL_TIME - 5 * HOUR);
    const wallClock = new FakeClock(WALL_TIME);
    const task = await startTask({ clock, wallClock });
    const { answer } = await stalledCheckout(task);

    clock.advance(HOUR);
    expect(await task.shop.reaper.sweep()).toEqual([]);
    wallClock.advance(TTL_MS);
    expect(await task.shop.reaper.sweep()).toEqual(reapedOne);

    task.payments.resume();
    expect((await answer).status).toBe(409);
  });
});

describe('storefronts on the real clocks', () => {
  it('reap a reservation stamped before the wall clock stepped past its TTL', async () => {
    const redis = { redisUrl: testRedisUrl(), keyPrefix: uniquePrefix('reaper-clocks'), seedIfEmpty: true };
    const writer = await startTask(redis);
    const reaper = await startTask(redis);
    const { answer } = await stalledCheckout(writer);
    expect(await reaper.shop.reaper.sweep()).toEqual([]);

    const realNow = Date.now.bind(Date);
    jest.spyOn(Date, 'now').mockImplementation(() => realNow() + TTL_MS + 1000);
    expect(await reaper.shop.reaper.sweep()).toEqual(reapedOne);

    writer.payments.resume();
    expect((await answer).status).toBe(409);
  });
});
