/**
 * Errors of the guard library: each has a stable `code` that callers switch on, and a type guard.
 * Bad options throw `InvalidOptionsError` at construction, never later.
 */
export abstract class GuardError extends Error {
  abstract readonly code: string;
}

export class InvalidOptionsError extends GuardError {
  readonly code = 'SALEDAY_INVALID_OPTIONS';
  constructor(
    readonly option: string,
    readonly value: unknown,
    readonly expected: string,
  ) {
    super(`${option}: got ${JSON.stringify(value)}; expected ${expected}`);
    this.name = 'InvalidOptionsError';
  }
}

export function isGuardError(error: unknown): error is GuardError {
  return error instanceof GuardError;
}

export function isInvalidOptionsError(error: unknown): error is InvalidOptionsError {
  return error instanceof InvalidOptionsError;
}
