/**
 * Reads CloudWatch Embedded Metric Format lines, as the gates print them on stdout, into plain
 * records: a timestamp, the dimension values and the metric values. Anything else on the line
 * (the `listening` event, a stray log) is not a record and yields undefined.
 */
export interface EmfRecord {
  /** Milliseconds since the epoch, from `_aws.Timestamp`. */
  timestamp: number;
  namespace: string;
  /** Every dimension named by the record's dimension sets, with its value. */
  dimensions: Record<string, string>;
  /** Every metric the record declares, with its value (an EMF array of values is summed). */
  values: Record<string, number>;
}

interface EmfDirective {
  Namespace?: unknown;
  Dimensions?: unknown;
  Metrics?: unknown;
}

export function parseEmfLine(line: string): EmfRecord | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{') || !trimmed.includes('"_aws"')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return undefined;
  }
  if (!isObject(parsed) || !isObject(parsed._aws)) return undefined;
  const timestamp = parsed._aws.Timestamp;
  const directives = parsed._aws.CloudWatchMetrics;
  if (typeof timestamp !== 'number' || !Array.isArray(directives) || directives.length === 0) return undefined;
  const record: EmfRecord = { timestamp, namespace: '', dimensions: {}, values: {} };
  for (const directive of directives as EmfDirective[]) {
    if (typeof directive.Namespace === 'string') record.namespace = directive.Namespace;
    for (const set of Array.isArray(directive.Dimensions) ? directive.Dimensions : []) {
      for (const name of Array.isArray(set) ? set : []) {
        const value = parsed[name as string];
        if (typeof name === 'string' && (typeof value === 'string' || typeof value === 'number'))
          record.dimensions[name] = String(value);
      }
    }
    for (const metric of Array.isArray(directive.Metrics) ? directive.Metrics : []) {
      const name = isObject(metric) ? metric.Name : undefined;
      if (typeof name !== 'string') continue;
      const value = parsed[name];
      if (typeof value === 'number' && Number.isFinite(value)) record.values[name] = value;
      else if (Array.isArray(value))
        record.values[name] = value.filter((v): v is number => typeof v === 'number').reduce((a, b) => a + b, 0);
    }
  }
  return record;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
