/** Human durations on the command line and in profiles: `120s`, `2m`, `1m30s`, `500ms`, or a bare number of seconds. */
export class InvalidDurationError extends Error {
  readonly code = 'SALEDAY_INVALID_DURATION';
  constructor(
    readonly option: string,
    readonly value: string,
  ) {
    super(`${option}: got ${JSON.stringify(value)}; expected a duration such as 120s, 2m, 1m30s or 500ms`);
    this.name = 'InvalidDurationError';
  }
}

export function isInvalidDurationError(error: unknown): error is InvalidDurationError {
  return error instanceof InvalidDurationError;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses a duration into milliseconds; throws InvalidDurationError naming the option otherwise. */
export function parseDurationMs(text: string, option = 'duration'): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== trimmed) throw new InvalidDurationError(option, text);
  const total = parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_MS[p[2]!]!, 0);
  if (!(total > 0)) throw new InvalidDurationError(option, text);
  return Math.round(total);
}
