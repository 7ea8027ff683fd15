/** Planner inputs that make no sense (negative audience, zero capacity, a share above 1…). */
export class PlannerInputError extends Error {
  readonly code = 'SALEDAY_PLANNER_INVALID_INPUT';

  constructor(
    /** One line per rejected input: `<input>: got <value>; expected <expectation>`. */
    readonly problems: readonly string[],
  ) {
    super(`Invalid capacity plan inputs:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'PlannerInputError';
  }
}

export function isPlannerInputError(error: unknown): error is PlannerInputError {
  return error instanceof PlannerInputError;
}
