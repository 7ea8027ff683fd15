import {
  admittedCheckoutLatencyCheck,
  botAdmissionsCheck,
  dropChecks,
  fifoAfterOpeningCheck,
  goodputWhileWaitingCheck,
  noOverloadForAdmittedCheck,
  preQueueOrderCheck,
  queueMovesWithAbandonmentCheck,
  waitEstimateCheck,
} from '../../../../cli/rehearse/drop/drop-checks';
import type { DropFacts, ShopAnswer, VisitorRecord } from '../../../../cli/rehearse/drop/drop-records';
import { seededRandom } from '../../../../contracts/seeded-random';

const facts: DropFacts = { capacityRps: 100, slaP99Ms: 800, openedAtMs: 20_000, endedAtMs: 80_000 };

function visitor(id: number, fields: Partial<VisitorRecord> = {}): VisitorRecord {
  return {
    id,
    kind: 'visitor',
    arrivedAtMs: 21_000 + id * 10,
    preQueue: false,
    ticketNumber: id,
    shop: [],
    problems: [],
    ...fields,
  };
}

function answers(atMs: number, count: number, fields: Partial<ShopAnswer> = {}): ShopAnswer[] {
  return Array.from({ length: count }, (_, i) => ({
    atMs: atMs + i,
    latencyMs: 20,
    status: 200,
    checkout: false,
    ...fields,
  }));
}

/** A recorded drop: `n` visitors after the opening, admitted in ticket order one per 100 ms. */
function fifoLine(n: number, placeOf = (i: number) => i): VisitorRecord[] {
  return Array.from({ length: n }, (_, i) => visitor(i, { place: placeOf(i), admittedAtMs: 21_000 + i * 100 }));
}

describe('drop checks', () => {
  describe('waiting-room-checkout-p99-within-sla', () => {
    it('passes when admitted shoppers checked out within the SLA and fails on a slow tail', () => {
      const fast = Array.from({ length: 100 }, (_, i) =>
        visitor(i, { shop: answers(30_000, 1, { checkout: true, latencyMs: 100 }) }),
      );
      expect(admittedCheckoutLatencyCheck(fast, facts)).toMatchObject({
        name: 'waiting-room-checkout-p99-within-sla',
        pass: true,
      });
      const slow = fast.map((r, i) =>
        i < 5 ? { ...r, shop: answers(30_000, 1, { checkout: true, latencyMs: 2000 }) } : r,
      );
      const check = admittedCheckoutLatencyCheck(slow, facts);
      expect(check.pass).toBe(false);
      expect(check.value).toContain('p99 2000 ms over 100');
    });

    it('fails when nobody checked out (nothing was measured)', () => {
      expect(admittedCheckoutLatencyCheck([visitor(1)], facts).pass).toBe(false);
    });
  });

  describe('waiting-room-no-overload-for-admitted', () => {
    it('fails on a single 503 or timeout to an admitted shopper; bots do not count', () => {
      const clean = [
        visitor(1, { shop: answers(30_000, 5) }),
        { ...visitor(2, { shop: answers(30_000, 1, { status: 503 }) }), kind: 'bot' as const },
      ];
      expect(noOverloadForAdmittedCheck(clean).pass).toBe(true);
      expect(
        noOverloadForAdmittedCheck([
          visitor(1, { shop: [...answers(30_000, 5), ...answers(31_000, 1, { status: 503 })] }),
        ]).pass,
      ).toBe(false);
      expect(noOverloadForAdmittedCheck([visitor(1, { shop: answers(30_000, 1, { status: undefined }) })]).pass).toBe(
        false,
      );
    });
  });

  describe('waiting-room-goodput-while-waiting', () => {
    // Someone waits from the opening (20 s) until 30 s: ten seconds count.
    const waiter = visitor(999, { arrivedAtMs: 19_000, admittedAtMs: 30_000 });
    const shopping = (perSecond: number, fields: Partial<ShopAnswer> = {}) =>
      visitor(1, {
        admittedAtMs: 20_000,
        shop: Array.from({ length: 10 }, (_, s) => answers(20_000 + s * 1000, perSecond, fields)).flat(),
      });

    it('passes at 90% of the measured capacity and fails below', () => {
      expect(goodputWhileWaitingCheck([waiter, shopping(90)], facts)).toMatchObject({ pass: true });
      const check = goodputWhileWaitingCheck([waiter, shopping(80)], facts);
      expect(check.pass).toBe(false);
      expect(check.value).toContain('80.0%');
    });

    it('does not count answers over the SLA or errors as good', () => {
      expect(goodputWhileWaitingCheck([waiter, shopping(95, { latencyMs: 900 })], facts).pass).toBe(false);
      expect(goodputWhileWaitingCheck([waiter, shopping(95, { status: 500 })], facts).pass).toBe(false);
    });

    it('fails when nobody waited after the opening', () => {
      expect(goodputWhileWaitingCheck([shopping(100)], facts).pass).toBe(false);
    });

    it('counts from when the first admissions can show in the load, not from the opening', () => {
      // Nothing served in the first 3 s after the opening (a page refresh and a visit), full capacity after.
      const rampingUp = visitor(1, {
        admittedAtMs: 20_000,
        shop: Array.from({ length: 7 }, (_, s) => answers(23_000 + s * 1000, 100)).flat(),
      });
      expect(goodputWhileWaitingCheck([waiter, rampingUp], facts).pass).toBe(false);
      const check = goodputWhileWaitingCheck([waiter, rampingUp], { ...facts, admissionShowsAfterMs: 3000 });
      expect(check).toMatchObject({ pass: true, value: expect.stringContaining('over 7 s with people waiting') });
    });
  });

  describe('pre-queue order and FIFO', () => {
    it('passes a shuffled pre-queue and fails one admitted in arrival order', () => {
      const random = seededRandom(7);
      const places = Array.from({ length: 200 }, (_, i) => i).sort(() => random() - 0.5);
      const shuffled = places.map((place, i) =>
        visitor(i, { preQueue: true, place, admittedAtMs: 20_000 + place * 50 }),
      );
      const check = preQueueOrderCheck(shuffled);
      expect(check).toMatchObject({ name: 'waiting-room-pre-queue-random-order', pass: true });
      const inOrder = Array.from({ length: 200 }, (_, i) =>
        visitor(i, { preQueue: true, place: i, admittedAtMs: 20_000 + i * 50 }),
      );
      expect(preQueueOrderCheck(inOrder).pass).toBe(false);
    });

    it('judges the shuffle by every pre-queue visitor told a place, not only those who stayed to be admitted', () => {
      const random = seededRandom(11);
      const places = Array.from({ length: 400 }, (_, i) => i);
      for (let i = places.length - 1; i > 0; i -= 1) {
        const j = Math.floor(random() * (i + 1));
        [places[i], places[j]] = [places[j]!, places[i]!];
      }
      // Late arrivals give up unless their place comes early: the admitted alone look ordered backwards.
      const told = places.map((place, ticket) =>
        visitor(ticket, {
          preQueue: true,
          place,
          ...(ticket >= 200 && place >= 100 ? { abandonedAtMs: 30_000 } : { admittedAtMs: 20_000 + place * 10 }),
        }),
      );
      const admittedOnly = told.filter((r) => r.admittedAtMs !== undefined);
      expect(preQueueOrderCheck(admittedOnly).pass).toBe(false);
      expect(preQueueOrderCheck(told)).toMatchObject({
        pass: true,
        value: expect.stringContaining('over 400 pre-queue visitors told their place'),
      });
    });

    it('fails a pre-queue too small to say anything', () => {
      expect(preQueueOrderCheck([visitor(1, { preQueue: true, place: 0, admittedAtMs: 20_000 })]).pass).toBe(false);
    });

    it('passes first come, first served after the opening and fails a reversed line', () => {
      expect(fifoAfterOpeningCheck(fifoLine(100))).toMatchObject({
        name: 'waiting-room-fifo-after-opening',
        pass: true,
      });
      expect(fifoAfterOpeningCheck(fifoLine(100, (i) => 1000 - i)).pass).toBe(false);
    });
  });

  describe('waiting-room-wait-estimate', () => {
    it('passes when 90% of first estimates are within 20% of the wait that followed', () => {
      const honest = Array.from({ length: 100 }, (_, i) =>
        visitor(i, {
          firstEstimate: { atMs: 21_000, seconds: 10 },
          lineReachedAtMs: 21_000 + (i < 95 ? 11_000 : 20_000),
          admittedAtMs: 33_000,
        }),
      );
      expect(waitEstimateCheck(honest)).toMatchObject({ pass: true });
    });

    it('judges the estimate against the moment the line reached the visitor, and shows when it noticed', () => {
      const lateToNotice = Array.from({ length: 100 }, (_, i) =>
        visitor(i, { firstEstimate: { atMs: 21_000, seconds: 10 }, lineReachedAtMs: 31_000, admittedAtMs: 33_000 }),
      );
      const check = waitEstimateCheck(lateToNotice);
      expect(check.pass).toBe(true);
      expect(check.value).toContain('against the moment they noticed, p90 16.7%');
    });

    it('fails when the estimates are far off', () => {
      const lying = Array.from({ length: 100 }, (_, i) =>
        visitor(i, {
          firstEstimate: { atMs: 21_000, seconds: 10 },
          lineReachedAtMs: 21_000 + 20_000,
          admittedAtMs: 21_000 + 21_000,
        }),
      );
      const check = waitEstimateCheck(lying);
      expect(check.pass).toBe(false);
      expect(check.value).toContain('p90 error 50.0%');
    });
  });

  describe('waiting-room-bot-admissions', () => {
    const bot = (id: number, admitted: boolean): VisitorRecord => ({
      id,
      kind: 'bot',
      arrivedAtMs: 0,
      preQueue: true,
      ticketNumber: admitted ? id : undefined,
      admittedAtMs: admitted ? 25_000 : undefined,
      shop: [],
      problems: [],
    });

    it('passes at 5% of admissions and fails above', () => {
      const people = fifoLine(95);
      expect(
        botAdmissionsCheck([...people, ...Array.from({ length: 5 }, (_, i) => bot(i, true)), bot(99, false)]).pass,
      ).toBe(true);
      const check = botAdmissionsCheck([...people, ...Array.from({ length: 10 }, (_, i) => bot(i, true))]);
      expect(check.pass).toBe(false);
      expect(check.value).toContain('bots got 10 of 105');
    });

    it('fails when no bot tried (the scenario did not test anything)', () => {
      expect(botAdmissionsCheck(fifoLine(10)).pass).toBe(false);
    });
  });

  describe('waiting-room-queue-moves-with-abandonment', () => {
    it('passes when admissions go on every few seconds and everyone who stayed got in', () => {
      const line = [
        ...fifoLine(100),
        ...Array.from({ length: 100 }, (_, i) => visitor(200 + i, { abandonedAtMs: 25_000 })),
      ];
      const check = queueMovesWithAbandonmentCheck(line, facts);
      expect(check).toMatchObject({ pass: true });
      expect(check.value).toContain('50.0% of 200 visitors in line abandoned');
    });

    it('fails when the line stalls while people wait', () => {
      // Admissions stop at 25 s and resume at 35 s while one visitor waits until then.
      const stalled = [...fifoLine(50), visitor(60, { admittedAtMs: 35_000 })];
      const check = queueMovesWithAbandonmentCheck(stalled, facts);
      expect(check.pass).toBe(false);
      expect(check.value).toMatch(/longest stretch without an admission while people waited \d+ s/);
    });

    it('fails when someone who stayed never got in', () => {
      expect(queueMovesWithAbandonmentCheck([...fifoLine(20), visitor(50)], facts).pass).toBe(false);
    });
  });

  it('names every check waiting-room-…', () => {
    const names = dropChecks(fifoLine(10), facts).map((c) => c.name);
    expect(names).toHaveLength(8);
    for (const name of names) expect(name).toMatch(/^waiting-room-/);
  });
});
