/**
 * The result file of `saleday loadtest` (default ./loadtest-result.json), which `saleday plan`
 * reads for the capacity of one task. Validated on read so a hand-edited file fails by name.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';

export const DEFAULT_LOADTEST_RESULT_FILE = 'loadtest-result.json';

export const StepResultSchema = z
  .object({
    /** Offered (scheduled) requests per second. */
    rate: z.number().positive(),
    /** Responses per second actually received that were not errors. */
    achievedRps: z.number().nonnegative(),
    /** Latency percentiles in ms, measured from the intended send time. */
    p50: z.number().nonnegative(),
    p90: z.number().nonnegative(),
    p99: z.number().nonnegative(),
    max: z.number().nonnegative(),
    errorRate: z.number().min(0).max(1),
    pass: z.boolean(),
  })
  .strict();
export type StepResult = z.infer<typeof StepResultSchema>;

export const LoadtestResultSchema = z
  .object({
    url: z.string(),
    measuredAt: z.iso.datetime({ offset: true }),
    sla: z.object({ p99LatencyMs: z.number().positive(), errorRate: z.number().min(0).max(1) }).strict(),
    steps: z.array(StepResultSchema),
    /** The highest offered rate that met the SLA; 0 when none did. */
    capacityRps: z.number().nonnegative(),
  })
  .strict();
export type LoadtestResult = z.infer<typeof LoadtestResultSchema>;

export class LoadtestResultError extends Error {
  readonly code = 'SALEDAY_LOADTEST_RESULT_INVALID';
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`Cannot use the load-test result ${file}: ${detail}`);
    this.name = 'LoadtestResultError';
  }
}

export function isLoadtestResultError(error: unknown): error is LoadtestResultError {
  return error instanceof LoadtestResultError;
}

export function readLoadtestResult(file: string): LoadtestResult {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new LoadtestResultError(file, (error as Error).message);
  }
  const parsed = LoadtestResultSchema.safeParse(raw);
  if (!parsed.success) {
    throw new LoadtestResultError(
      file,
      parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '),
    );
  }
  return parsed.data;
}

export function writeLoadtestResult(file: string, result: LoadtestResult): void {
  writeFileSync(file, `${JSON.stringify(LoadtestResultSchema.parse(result), null, 2)}\n`);
}
