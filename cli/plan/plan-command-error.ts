/** `saleday plan` cannot do what was asked (no task capacity, a plan past a limit, a local figure). */
export class PlanCommandError extends Error {
  readonly code = 'SALEDAY_PLAN_FAILED';
  constructor(message: string) {
    super(message);
    this.name = 'PlanCommandError';
  }
}

export function isPlanCommandError(error: unknown): error is PlanCommandError {
  return error instanceof PlanCommandError;
}
