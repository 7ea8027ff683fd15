/**
 * Writes one CloudWatch Embedded Metric Format record as a JSON line, which CloudWatch Logs turns
 * into metrics (cli/ reads these lines back in the rehearsal). High resolution (StorageResolution
 * 1), so alarms can look at 10-second periods.
 */
export interface EmfMetric {
  name: string;
  unit: 'Count' | 'Milliseconds' | 'None';
  value: number;
}

export function formatEmfLine(options: {
  namespace: string;
  timestampMs: number;
  dimensions: Record<string, string>;
  metrics: readonly EmfMetric[];
  properties?: Record<string, unknown>;
}): string {
  const record: Record<string, unknown> = {
    _aws: {
      Timestamp: Math.floor(options.timestampMs),
      CloudWatchMetrics: [
        {
          Namespace: options.namespace,
          Dimensions: [Object.keys(options.dimensions)],
          Metrics: options.metrics.map((m) => ({ Name: m.name, Unit: m.unit, StorageResolution: 1 })),
        },
      ],
    },
    ...options.properties,
    ...options.dimensions,
  };
  for (const metric of options.metrics) record[metric.name] = metric.value;
  return JSON.stringify(record);
}
