import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { dropChecks } from '../../../../cli/rehearse/drop/drop-checks';
import type { DropFacts, VisitorRecord } from '../../../../cli/rehearse/drop/drop-records';

/**
 * A drop recorded on this machine (visitors.json of a run, compacted) while other jobs starved it:
 * the edge and the gates answered late, so admitted shoppers waited, timed out, and the line
 * stalled; the room's order and the bot defence held all the same.
 */
function recorded(name: string): { facts: DropFacts; records: VisitorRecord[] } {
  return JSON.parse(gunzipSync(readFileSync(join(__dirname, 'fixtures', name))).toString('utf8')) as {
    facts: DropFacts;
    records: VisitorRecord[];
  };
}

describe('drop checks on a recorded overloaded run', () => {
  const { facts, records } = recorded('overloaded-drop.json.gz');
  const checks = Object.fromEntries(dropChecks(records, facts).map((c) => [c.name, c]));

  it('fails what the starved machine broke: latency, timeouts, goodput, the estimate, the line moving', () => {
    expect(checks['waiting-room-checkout-p99-within-sla']).toMatchObject({ pass: false });
    expect(checks['waiting-room-checkout-p99-within-sla']!.value).toMatch(
      /^p99 \d{4,} ms over 382 admitted shoppers' checkouts$/,
    );
    expect(checks['waiting-room-no-overload-for-admitted']!.value).toBe(
      "0 overload 503(s) and 248 timeout(s) or error(s) in 3820 admitted shoppers' requests",
    );
    expect(checks['waiting-room-no-overload-for-admitted']!.pass).toBe(false);
    expect(checks['waiting-room-goodput-while-waiting']).toMatchObject({ pass: false });
    expect(checks['waiting-room-wait-estimate']).toMatchObject({ pass: false });
    expect(checks['waiting-room-queue-moves-with-abandonment']!.value).toContain(
      'longest stretch without an admission while people waited 16 s',
    );
    expect(checks['waiting-room-queue-moves-with-abandonment']!.pass).toBe(false);
  });

  it('passes what the room itself guarantees: random pre-queue order, FIFO after, few bot admissions', () => {
    expect(checks['waiting-room-pre-queue-random-order']).toMatchObject({ pass: true });
    expect(checks['waiting-room-fifo-after-opening']).toMatchObject({ pass: true });
    expect(checks['waiting-room-bot-admissions']!.value).toContain('bots got 9 of 391 admissions');
    expect(checks['waiting-room-bot-admissions']!.pass).toBe(true);
  });

  it('fails the order checks when the same visitors are let in by arrival', () => {
    const byArrival = records.map((r) =>
      r.place === undefined || r.ticketNumber === undefined ? r : { ...r, place: r.ticketNumber },
    );
    const named = Object.fromEntries(dropChecks(byArrival, facts).map((c) => [c.name, c]));
    expect(named['waiting-room-pre-queue-random-order']!.pass).toBe(false);
    expect(named['waiting-room-fifo-after-opening']!.pass).toBe(true);
  });

  it('fails the bot check when the bots that farmed a ticket all get in', () => {
    const farming: VisitorRecord[] = Array.from({ length: 40 }, (_, i) => ({
      id: 10_000 + i,
      kind: 'bot',
      arrivedAtMs: 5000,
      preQueue: true,
      ticketNumber: 5000 + i,
      admittedAtMs: 30_000,
      shop: [],
      problems: [],
    }));
    const named = Object.fromEntries(dropChecks([...records, ...farming], facts).map((c) => [c.name, c]));
    expect(named['waiting-room-bot-admissions']!.pass).toBe(false);
  });
});
