import { createAdmissionController } from '../../../guard/shed';

// The one test on real time: the default clock and scheduler wired together (an unref'd setTimeout
// refuses a waiter after maxWaitMs). It asserts the outcome, not how long it took.
describe('admission controller on the system clock and scheduler', () => {
  it('refuses a waiter with queue-timeout after maxWaitMs and releases the slot to the next', async () => {
    const controller = createAdmissionController({
      concurrency: { initialLimit: 1, minLimit: 1, maxLimit: 1, criticalReservedShare: 0 },
      queue: { maxLengthPerClass: 10, targetDelayMs: 5, intervalMs: 60_000, maxWaitMs: 20 },
    });
    const holder = await controller.acquire('high');
    const waiter = await controller.acquire('high');
    expect(waiter).toMatchObject({ admitted: false, refusal: { reason: 'queue-timeout' } });
    if (!holder.admitted) throw new Error('holder not admitted');
    const next = controller.acquire('high');
    holder.permit.release({ latencyMs: 3 });
    expect(await next).toMatchObject({ admitted: true });
    controller.close();
  });
});
