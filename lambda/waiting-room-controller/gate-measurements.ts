/**
 * What the gates measured, from CloudWatch (GetMetricData over their high-resolution EMF metrics),
 * turned into the rate decision's input: the shed share and the worst class p99 across the fleet,
 * the admitted shoppers' request rate, and how much of the adaptive concurrency limits is in use.
 * The active-shopper count comes from Redis (see active-shoppers.ts). The client is given.
 */
import { GetMetricDataCommand, type CloudWatchClient, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { PRIORITY_CLASSES } from '../../contracts/config/schema';
import {
  GATE_CLASS_METRICS,
  GATE_DIMENSIONS,
  GATE_NAMESPACE,
  GATE_PROCESS_METRICS,
} from '../../contracts/metrics/gate-metrics';
import { GATE_WAITING_ROOM_METRICS } from '../../contracts/metrics/waiting-room-metrics';
import type { RateMeasurement } from './decide-rate';

export interface MeasurementWindow {
  /** How far back the window reaches. @default 30 s */
  windowMs?: number;
  /** How long before now the window ends: EMF metrics reach GetMetricData with a delay. @default 15 s */
  lagMs?: number;
}

/** The period of every query: the gates publish per second, and 10 s is a valid high-resolution period. */
const PERIOD_SECONDS = 10;

export async function readGateMeasurement(
  client: CloudWatchClient,
  saleName: string,
  nowMs: number,
  window: MeasurementWindow = {},
): Promise<Omit<RateMeasurement, 'activeShoppers'> | undefined> {
  const endMs = nowMs - (window.lagMs ?? 15_000);
  const startMs = endMs - (window.windowMs ?? 30_000);
  const sale = { Name: GATE_DIMENSIONS.sale, Value: saleName };
  const query = (id: string, metricName: string, stat: string, classDimension?: string): MetricDataQuery => ({
    Id: id,
    ReturnData: true,
    MetricStat: {
      Metric: {
        Namespace: GATE_NAMESPACE,
        MetricName: metricName,
        Dimensions: classDimension ? [sale, { Name: GATE_DIMENSIONS.priorityClass, Value: classDimension }] : [sale],
      },
      Period: PERIOD_SECONDS,
      Stat: stat,
    },
  });
  const queries: MetricDataQuery[] = [
    ...PRIORITY_CLASSES.flatMap((cls, i) => [
      query(`requests${i}`, GATE_CLASS_METRICS.requests, 'Sum', cls),
      query(`shed${i}`, GATE_CLASS_METRICS.shed, 'Sum', cls),
      query(`p99${i}`, GATE_CLASS_METRICS.latencyP99, 'Maximum', cls),
    ]),
    query('inflight', GATE_PROCESS_METRICS.inFlight, 'Average'),
    query('limit', GATE_PROCESS_METRICS.concurrencyLimit, 'Average'),
    query('admitted', GATE_WAITING_ROOM_METRICS.admittedRequests, 'Sum'),
  ];
  const values = new Map<string, number[]>();
  let nextToken: string | undefined;
  do {
    const page = await client.send(
      new GetMetricDataCommand({
        MetricDataQueries: queries,
        StartTime: new Date(startMs),
        EndTime: new Date(endMs),
        NextToken: nextToken,
      }),
    );
    for (const result of page.MetricDataResults ?? []) {
      if (result.Id) values.set(result.Id, [...(values.get(result.Id) ?? []), ...(result.Values ?? [])]);
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return measurementOf(values, (endMs - startMs) / 1000);
}

/** Undefined when the gates published nothing usable in the window (no traffic, or no gates yet). */
export function measurementOf(
  values: ReadonlyMap<string, number[]>,
  windowSeconds: number,
): Omit<RateMeasurement, 'activeShoppers'> | undefined {
  const all = (prefix: string) => [...values].filter(([id]) => id.startsWith(prefix)).flatMap(([, v]) => v);
  const sum = (list: number[]) => list.reduce((a, b) => a + b, 0);
  const mean = (list: number[]) => (list.length > 0 ? sum(list) / list.length : undefined);
  const requests = sum(all('requests'));
  const p99s = all('p99');
  const inFlight = mean(values.get('inflight') ?? []);
  const concurrencyLimit = mean(values.get('limit') ?? []);
  if (requests === 0 || p99s.length === 0 || inFlight === undefined || concurrencyLimit === undefined) return undefined;
  return {
    admittedRequestsPerSecond: sum(values.get('admitted') ?? []) / windowSeconds,
    shedShare: Math.min(1, sum(all('shed')) / requests),
    p99Ms: Math.max(...p99s),
    inFlight,
    concurrencyLimit,
  };
}
