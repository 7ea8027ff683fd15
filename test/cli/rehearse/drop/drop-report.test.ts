import { buildDropReport, formatDropTerminalSummary } from '../../../../cli/rehearse/drop/drop-report';
import { QUEUE_CHART_ID, renderDropReportHtml } from '../../../../cli/rehearse/drop/drop-report-html';
import { planDrop } from '../../../../cli/rehearse/drop/drop-plan';
import type { VisitorRecord } from '../../../../cli/rehearse/drop/drop-records';
import { loadConfig } from '../../../../contracts/config/load-config';
import { seededRandom } from '../../../../contracts/seeded-random';

const config = loadConfig('saleday.config.json');
const calibration = {
  capacityRps: 50,
  gates: 1,
  bound: { p99Ms: 200, errorRate: 0.01 },
  steps: [],
  durationMs: 3000,
  atLeast: false,
};

function recorded(): VisitorRecord[] {
  return [
    {
      id: 1,
      kind: 'visitor',
      arrivedAtMs: 2_500,
      preQueue: true,
      ticketNumber: 0,
      firstEstimate: { atMs: 20_100, seconds: 4 },
      lineReachedAtMs: 24_000,
      admittedAtMs: 24_300,
      shop: [
        { atMs: 24_400, latencyMs: 30, status: 200, checkout: false },
        { atMs: 24_600, latencyMs: 90, status: 201, checkout: true },
      ],
      problems: [],
    },
    {
      id: 2,
      kind: 'visitor',
      arrivedAtMs: 21_200,
      preQueue: false,
      ticketNumber: 1,
      firstEstimate: { atMs: 21_300, seconds: 9 },
      abandonedAtMs: 23_900,
      shop: [],
      problems: [],
    },
    {
      id: 3,
      kind: 'bot',
      arrivedAtMs: 3_000,
      preQueue: true,
      shop: [],
      problems: ['/_gate/queue/join?next=%2F: answered 429'],
    },
  ];
}

describe('drop report', () => {
  const report = buildDropReport({
    config,
    gates: 1,
    calibration,
    plan: planDrop({ capacityRps: 50, random: seededRandom(1) }),
    records: recorded(),
    room: [
      ...new Array<undefined>(20),
      { second: 20, open: true, issued: 2, admittedBelow: 0, ratePerSecond: 0.5, change: 'pre-queue of 2 drawn' },
      {
        second: 21,
        open: true,
        issued: 2,
        admittedBelow: 0,
        ratePerSecond: 0.5,
        measured: {
          servedPerSecond: 12.34,
          utilization: 0.456,
          activeShoppers: 1,
          shedShare: 0,
          gates: { inFlight: 2.25, concurrencyLimit: 96 },
        },
      },
    ],
    openedAtMs: 20_000,
    endedAtMs: 26_000,
    notices: [],
    redis: 'local',
    generatedAt: new Date('2026-12-01T00:00:00Z'),
  });

  it('tells the queue second by second from the records and the room', () => {
    expect(report.queue).toHaveLength(26);
    expect(report.queue[2]).toMatchObject({ arrivals: 1, waiting: 1, ratePerSecond: null });
    expect(report.queue[21]).toMatchObject({ arrivals: 1, waiting: 2, ratePerSecond: 0.5, ticketsAhead: 2 });
    expect(report.queue[23]).toMatchObject({ abandoned: 1 });
    expect(report.queue[24]).toMatchObject({
      admitted: 1,
      estimatedWait: 4,
      actualWait: 3.9,
      noticedWait: 4.2,
      goodput: 2,
    });
    expect(report.queue[20]!.change).toBe('pre-queue of 2 drawn');
    expect(report.queue[20]).toMatchObject({ servedPerSecond: null, gateInFlight: null, gateConcurrencyLimit: null });
    // What the controller read, and beside it the gates' own concurrency (their adaptive limits).
    expect(report.queue[21]).toMatchObject({
      servedPerSecond: 12.3,
      utilization: 0.46,
      gateInFlight: 2.3,
      gateConcurrencyLimit: 96,
    });
    expect(report.totals).toMatchObject({
      visitors: 2,
      admitted: 1,
      abandoned: 1,
      botTries: 1,
      botTickets: 0,
      botAdmitted: 0,
      shopRequests: 2,
    });
    expect(report.notices).toEqual(['1 × bot: /_gate/queue/join?next=%NF: answered N']);
    expect(report.checks.map((c) => c.name).every((n) => n.startsWith('waiting-room-'))).toBe(true);
  });

  it('draws the queue chart and lists the checks in the page and the terminal', () => {
    const html = renderDropReportHtml(report);
    expect(html).toContain(`id="${QUEUE_CHART_ID}"`);
    for (const series of [
      'visitors waiting',
      'visitors admitted',
      'admission rate (tickets/s)',
      'estimated',
      'actual',
      'goodput',
    ])
      expect(html).toContain(`data-series="${series}"`);
    for (const check of report.checks) expect(html).toContain(`id="check-${check.name}"`);
    const terminal = formatDropTerminalSummary(report, { json: 'r.json', html: 'r.html' });
    for (const check of report.checks) expect(terminal).toContain(check.name);
    expect(terminal).toContain('check(s) failed');
  });
});
