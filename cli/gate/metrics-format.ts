/**
 * What `saleday gate` prints each second. In a container stdout goes to CloudWatch Logs, where the
 * EMF lines become the metrics the alarms read; a person running the gate by hand in a terminal
 * gets one status line instead (requests/s, served, shed, limited, degraded, level), rewritten in
 * place. `--metrics-format` forces either.
 */
import { GATE_CLASS_METRICS, GATE_DIMENSIONS, GATE_PROCESS_METRICS } from '../../contracts/metrics/gate-metrics';
import { parseEmfLine } from '../rehearse/metrics/emf-line-reader';

export const METRICS_FORMATS = ['emf', 'status'] as const;
export type MetricsFormat = (typeof METRICS_FORMATS)[number];

/** The option if given, else status on a terminal and EMF anywhere else (a container, a pipe, the rehearsal). */
export function chooseMetricsFormat(option: string | undefined, stdoutIsTty: boolean): MetricsFormat {
  if (option === undefined) return stdoutIsTty ? 'status' : 'emf';
  if ((METRICS_FORMATS as readonly string[]).includes(option)) return option as MetricsFormat;
  throw new Error(`--metrics-format: got ${JSON.stringify(option)}; expected emf or status`);
}

export interface GateSecondStatus {
  requests: number;
  served: number;
  shed: number;
  limited: number;
  degraded: number;
  shortCircuited: number;
  upstreamErrors: number;
  level: number | undefined;
  inFlight: number | undefined;
  concurrencyLimit: number | undefined;
}

/** Sums one flush of EMF lines (one second of the gate) into the status numbers. */
export function summarizeFlush(lines: readonly string[]): GateSecondStatus {
  const status: GateSecondStatus = {
    requests: 0,
    served: 0,
    shed: 0,
    limited: 0,
    degraded: 0,
    shortCircuited: 0,
    upstreamErrors: 0,
    level: undefined,
    inFlight: undefined,
    concurrencyLimit: undefined,
  };
  for (const line of lines) {
    const record = parseEmfLine(line);
    if (!record) continue;
    if (record.dimensions[GATE_DIMENSIONS.priorityClass] !== undefined) {
      const v = record.values;
      status.requests += v[GATE_CLASS_METRICS.requests] ?? 0;
      status.served += v[GATE_CLASS_METRICS.served] ?? 0;
      status.shed += v[GATE_CLASS_METRICS.shed] ?? 0;
      status.limited += v[GATE_CLASS_METRICS.limited] ?? 0;
      status.degraded += v[GATE_CLASS_METRICS.degraded] ?? 0;
      status.shortCircuited += v[GATE_CLASS_METRICS.shortCircuited] ?? 0;
      status.upstreamErrors += v[GATE_CLASS_METRICS.upstreamErrors] ?? 0;
    } else if (record.values[GATE_PROCESS_METRICS.flagsLevel] !== undefined) {
      status.level = record.values[GATE_PROCESS_METRICS.flagsLevel];
      status.inFlight = record.values[GATE_PROCESS_METRICS.inFlight];
      status.concurrencyLimit = record.values[GATE_PROCESS_METRICS.concurrencyLimit];
    }
  }
  return status;
}

export function formatStatusLine(status: GateSecondStatus, at: Date): string {
  const time = at.toISOString().slice(11, 19);
  const parts = [
    `${time}`,
    `${status.requests} req/s`,
    `served ${status.served}`,
    `shed ${status.shed}`,
    `limited ${status.limited}`,
    `degraded ${status.degraded}`,
  ];
  if (status.shortCircuited > 0) parts.push(`short-circuited ${status.shortCircuited}`);
  if (status.upstreamErrors > 0) parts.push(`upstream errors ${status.upstreamErrors}`);
  parts.push(`level ${status.level ?? '?'}`);
  if (status.inFlight !== undefined && status.concurrencyLimit !== undefined)
    parts.push(`in flight ${status.inFlight}/${status.concurrencyLimit}`);
  return parts.join('  ');
}

/**
 * A metrics sink for the gate: EMF lines as they are, or one status line per flush. The gate hands
 * over a flush's lines one by one in a single turn of the event loop, so the status is printed on
 * the next turn (`defer`), once the whole second is in.
 */
export function metricsSink(
  format: MetricsFormat,
  write: (text: string) => void,
  options: { inPlace?: boolean; now?: () => Date; defer?: (run: () => void) => void } = {},
): (line: string) => void {
  if (format === 'emf') return (line) => write(`${line}\n`);
  const defer = options.defer ?? ((run) => setImmediate(run));
  const now = options.now ?? (() => new Date());
  let batch: string[] | undefined;
  return (line) => {
    if (batch) {
      batch.push(line);
      return;
    }
    batch = [line];
    defer(() => {
      const text = formatStatusLine(summarizeFlush(batch ?? []), now());
      batch = undefined;
      write(options.inPlace ? `\r\u001b[2K${text}` : `${text}\n`);
    });
  };
}
