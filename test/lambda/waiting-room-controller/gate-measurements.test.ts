/** The CloudWatch adapter: the queries it asks for, and how it folds the gates' answers into one measurement. */
import { CloudWatchClient, GetMetricDataCommand, type MetricDataResult } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { measurementOf, readGateMeasurement } from '../../../lambda/waiting-room-controller/gate-measurements';

const cloudWatch = mockClient(CloudWatchClient);
const NOW = Date.parse('2026-11-27T09:00:00Z');

beforeEach(() => cloudWatch.reset());

function results(values: Record<string, number[]>): MetricDataResult[] {
  return Object.entries(values).map(([Id, Values]) => ({ Id, Values, Timestamps: Values.map(() => new Date(NOW)) }));
}

describe('readGateMeasurement', () => {
  it('asks for the gates’ per-class counts, p99 and concurrency over a window ending before now, and folds them', async () => {
    cloudWatch.on(GetMetricDataCommand).resolves({
      MetricDataResults: results({
        requests0: [500, 500],
        shed0: [0, 0],
        p990: [120, 180],
        requests2: [1000],
        shed2: [20],
        p992: [400],
        inflight: [30, 50],
        limit: [100, 100],
        admitted: [900],
      }),
    });
    const measured = await readGateMeasurement(cloudWatch as unknown as CloudWatchClient, 'black-friday', NOW);
    expect(measured).toEqual({
      admittedRequestsPerSecond: 30,
      shedShare: 0.01,
      p99Ms: 400,
      inFlight: 40,
      concurrencyLimit: 100,
    });
    const input = cloudWatch.commandCalls(GetMetricDataCommand)[0]!.args[0].input;
    expect(input.EndTime).toEqual(new Date(NOW - 15_000));
    expect(input.StartTime).toEqual(new Date(NOW - 45_000));
    const requests = input.MetricDataQueries!.find((q) => q.Id === 'requests0')!;
    expect(requests.MetricStat).toEqual({
      Metric: {
        Namespace: 'Saleday/Gate',
        MetricName: 'Requests',
        Dimensions: [
          { Name: 'Sale', Value: 'black-friday' },
          { Name: 'PriorityClass', Value: 'critical' },
        ],
      },
      Period: 10,
      Stat: 'Sum',
    });
    expect(input.MetricDataQueries!.find((q) => q.Id === 'admitted')!.MetricStat!.Metric!.MetricName).toBe(
      'WaitingRoomPassAdmitted',
    );
  });

  it('follows NextToken across pages', async () => {
    cloudWatch
      .on(GetMetricDataCommand)
      .resolvesOnce({ MetricDataResults: results({ requests0: [100], p990: [50] }), NextToken: 'more' })
      .resolvesOnce({ MetricDataResults: results({ requests0: [100], inflight: [10], limit: [40] }) });
    const measured = await readGateMeasurement(cloudWatch as unknown as CloudWatchClient, 'black-friday', NOW);
    expect(measured?.inFlight).toBe(10);
    expect(cloudWatch.commandCalls(GetMetricDataCommand)[1]!.args[0].input.NextToken).toBe('more');
  });
});

describe('measurementOf', () => {
  it.each([
    ['no requests', { p990: [10], inflight: [1], limit: [10] }],
    ['no latency', { requests0: [10], inflight: [1], limit: [10] }],
    ['no concurrency gauges', { requests0: [10], p990: [10] }],
  ])('is undefined with %s (nothing to decide on)', (_name, values) => {
    expect(measurementOf(new Map(Object.entries(values)), 30)).toBeUndefined();
  });
});
