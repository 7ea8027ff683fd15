import { SpeculativeReads } from '../../../gate/proxy/speculative-reads';
import { RETRY_NEVER } from '../../../guard/rate-limit/rate-limiter';
import { FakeClock } from '../../support/fake-clock';

describe('SpeculativeReads', () => {
  it('lets only reads without a body go ahead of their decision', () => {
    const reads = new SpeculativeReads(new FakeClock());
    expect(reads.allows('GET', false, 'u1')).toBe(true);
    expect(reads.allows('HEAD', false, 'u1')).toBe(true);
    expect(reads.allows('GET', true, 'u1')).toBe(false);
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', undefined])
      expect(reads.allows(method, false, 'u1')).toBe(false);
  });

  it('makes a refused key wait for its decisions for suspectMs, and only that key', () => {
    const clock = new FakeClock();
    const reads = new SpeculativeReads(clock, { suspectMs: 1000 });
    reads.refused('bot');
    expect(reads.allows('GET', false, 'bot')).toBe(false);
    expect(reads.allows('GET', false, 'shopper')).toBe(true);
    clock.advance(999);
    expect(reads.allows('GET', false, 'bot')).toBe(false);
    clock.advance(1);
    expect(reads.allows('GET', false, 'bot')).toBe(true);
    expect(reads.suspectCount).toBe(0);
  });

  it('keeps a key suspect until it may retry when that is later than suspectMs', () => {
    const clock = new FakeClock();
    const reads = new SpeculativeReads(clock, { suspectMs: 1000 });
    reads.refused('slow-refill', 5000);
    reads.refused('never', RETRY_NEVER);
    clock.advance(1000);
    expect(reads.allows('GET', false, 'slow-refill')).toBe(false);
    expect(reads.allows('GET', false, 'never')).toBe(true);
    clock.advance(4000);
    expect(reads.allows('GET', false, 'slow-refill')).toBe(true);
  });

  it('turns speculation off while maxSuspects keys are suspects, and back on as they age out', () => {
    const clock = new FakeClock();
    const reads = new SpeculativeReads(clock, { suspectMs: 1000, maxSuspects: 3 });
    reads.refused('a');
    clock.advance(100);
    reads.refused('b');
    reads.refused('c');
    expect(reads.allows('GET', false, 'innocent')).toBe(false);
    clock.advance(900); // 'a' has aged out: room again
    expect(reads.allows('GET', false, 'innocent')).toBe(true);
    expect(reads.suspectCount).toBe(2);
  });

  it('stays bounded in memory however many keys are refused', () => {
    const clock = new FakeClock();
    const reads = new SpeculativeReads(clock, { suspectMs: 60_000, maxSuspects: 100 });
    for (let i = 0; i < 1000; i++) reads.refused(`bot-${i}`);
    expect(reads.suspectCount).toBe(100);
    // The latest refusals are the ones kept.
    expect(reads.allows('GET', false, 'bot-999')).toBe(false);
  });
});
